"""The poster's QR code decodes, with a real decoder, to the complaint form with the employer
and project chosen; and that address opens the form showing them."""

import io
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from playwright.sync_api import Browser

from service.app import create_app
from service.config import Settings
from service.db import session_scope
from service.employers.models import Employer
from service.posters.qr import COMPLAINT_FORM_PATH, complaint_form_url, qr_png, qr_svg
from service.projects.models import Project
from tests.factories import uscc

BASE = "https://xindun.wenzhou.example"
OUHAI = "330304"
CONTRACTOR = uscc(102, OUHAI)
PROJECT = "330304202601010001"


def _decoded(image: Image.Image) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_the_png_decodes_to_the_complaint_address() -> None:
    url = complaint_form_url(BASE, CONTRACTOR, PROJECT, county_code=OUHAI)

    assert _decoded(Image.open(io.BytesIO(qr_png(url)))) == [url]


def test_the_png_still_decodes_with_part_of_it_covered() -> None:
    """Level Q: a smudge over a corner of the data does not lose the address."""
    url = complaint_form_url(BASE, CONTRACTOR, PROJECT, county_code=OUHAI)
    image = Image.open(io.BytesIO(qr_png(url))).convert("L")
    width, height = image.size
    # A grey blot over an eighth of the width, low on the right (away from finder patterns).
    image.paste(128, (width * 6 // 10, height * 6 // 10, width * 7 // 10, height * 7 // 10))

    assert _decoded(image) == [url]


@pytest.mark.browser
def test_the_svg_drawn_by_a_browser_decodes_to_the_same_address(browser: Browser) -> None:
    url = complaint_form_url(BASE, CONTRACTOR, PROJECT, county_code=OUHAI)
    svg = qr_svg(url).decode()
    assert svg.startswith("<svg") and 'viewBox="' in svg and "width=" not in svg

    page = browser.new_page(viewport={"width": 400, "height": 400})
    try:
        page.set_content(f"<html><body><div id='qr'>{svg}</div></body></html>")
        page.eval_on_selector("#qr svg", "svg => { svg.setAttribute('width', 300); }")
        shot = page.locator("#qr svg").screenshot()
    finally:
        page.close()

    assert _decoded(Image.open(io.BytesIO(shot))) == [url]


def test_the_address_uses_the_form_s_own_parameters() -> None:
    url = complaint_form_url(BASE + "/", CONTRACTOR, PROJECT, county_code=OUHAI)

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "xindun.wenzhou.example",
        COMPLAINT_FORM_PATH,
    )
    assert parse_qs(parts.query) == {
        "county_code": [OUHAI],
        "employer_q": [CONTRACTOR],
        "project_q": [PROJECT],
    }


def test_an_employer_poster_names_only_the_employer() -> None:
    url = complaint_form_url("http://127.0.0.1:8000/wageguard", CONTRACTOR)

    assert url == f"http://127.0.0.1:8000/wageguard/worker/complaint?employer_q={CONTRACTOR}"


@pytest.mark.parametrize(
    ("base", "employer", "project", "county"),
    [
        ("xindun.example", CONTRACTOR, None, None),  # not absolute
        ("javascript:alert(1)", CONTRACTOR, None, None),
        (BASE + "?x=1", CONTRACTOR, None, None),
        (BASE, CONTRACTOR[:-1] + "0", None, None),  # wrong check character
        (BASE, CONTRACTOR, "", None),
        (BASE, CONTRACTOR, "x" * 65, None),
        (BASE, CONTRACTOR, PROJECT, "3303"),
    ],
)
def test_a_malformed_poster_address_is_refused(
    base: str, employer: str, project: str | None, county: str | None
) -> None:
    with pytest.raises(ValueError):
        complaint_form_url(base, employer, project, county_code=county)


def test_the_form_path_is_the_app_s_complaint_form_route() -> None:
    app = create_app(Settings())

    assert app.url_path_for("complaint_form") == COMPLAINT_FORM_PATH


def test_the_scanned_address_shows_the_employer_and_project_to_choose(engine, db_url) -> None:
    with session_scope(engine) as session:
        contractor = Employer(
            uscc=CONTRACTOR, name="温州瓯江建设有限公司", industry_code="4710", county_code=OUHAI
        )
        session.add(contractor)
        session.flush()
        session.add(
            Project(
                project_code=PROJECT,
                name="瓯海大道改造工程",
                contractor_id=contractor.id,
                county_code=OUHAI,
                industry_code="4813",
                contract_value_fen=1_200_000_000,
                contract_signed_date=date(2026, 1, 10),
            )
        )
    url = complaint_form_url("http://testserver", CONTRACTOR, PROJECT, county_code=OUHAI)

    with TestClient(create_app(Settings(database_url=db_url))) as client:
        page = client.get(url)

    assert page.status_code == 200
    assert "温州瓯江建设有限公司" in page.text
    assert "瓯海大道改造工程" in page.text
