"""The rights poster (维权信息告示牌): inspectors and employers download it as a PDF in A4 or
A3; it names the rights, the county's minimum wage and the hotlines 12333 and 12348, and its
QR code, read back out of the PDF by a real decoder, opens the complaint form in a real
browser with the employer and the site already chosen. Scoped and audited, on both databases."""

import io
from urllib.parse import urlsplit

import pandas as pd
import pytest
import zxingcpp
from playwright.sync_api import Browser
from pypdf import PdfReader
from sqlalchemy import select
from sqlmodel import Session, col

from monitors.reference import load_reference
from service import clock
from service.audit.models import AuditEntry
from service.config import Settings
from service.money import yuan
from service.projects.models import Project
from tests.factories import EMPLOYER_B, PROJECT
from tests.service.portals.browser import PHONE, screenshot
from tests.service.portals.conftest import sign_in

OUHAI = "330304"  # the site's county (and the contractor's)
A4_POINTS = (595, 842)
A3_POINTS = (842, 1191)


def _project_id(world) -> int:
    with Session(world.engine) as session:
        return session.scalars(select(Project.id).where(Project.project_code == PROJECT)).one()


def _pdf(response) -> PdfReader:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    return PdfReader(io.BytesIO(response.content))


def _page_size(reader: PdfReader) -> tuple[int, int]:
    box = reader.pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def _decoded_qr(reader: PdfReader) -> list[str]:
    """Every QR code in the page's embedded images, as a phone's scanner would read it."""
    return [
        found.text
        for image in reader.pages[0].images
        for found in zxingcpp.read_barcodes(image.image.convert("L"))
    ]


def _monthly_minimum_wage(county: str) -> str:
    today = clock.today(Settings().time_zone)
    fen = load_reference().minimum_wage_fen(
        pd.Series([county]), pd.Series([today.strftime("%Y-%m")])
    )
    return yuan(int(fen.iloc[0]), symbol=False, drop_zero_cents=True)


def test_a_site_poster_states_rights_wage_hotlines_and_its_code_opens_the_form(
    world, app_client
) -> None:
    project_id = _project_id(world)
    sign_in(app_client, "inspector.b")

    response = app_client.get(
        f"/inspector/employers/{world.employer_b}/poster.pdf",
        params={"size": "A4", "project": project_id},
    )

    reader = _pdf(response)
    assert len(reader.pages) == 1
    assert _page_size(reader) == A4_POINTS
    text = "".join(reader.pages[0].extract_text().split())
    rights = ("书面劳动合同", "最低工资标准", "扣押", "法律援助")
    for expected in ("维权信息告示牌", "12333", "12348", *rights):
        assert expected in text
    assert _monthly_minimum_wage(OUHAI) in text
    assert "瓯海大道改造工程" in text and PROJECT in text
    assert "第三十四条" in text  # Decree 724 Art. 34, the board's basis
    [url] = _decoded_qr(reader)
    parts = urlsplit(url)
    assert parts.path == "/worker/complaint"
    assert f"employer_q={EMPLOYER_B}" in parts.query
    assert f"project_q={PROJECT}" in parts.query
    assert f"county_code={OUHAI}" in parts.query


def test_a3_is_a3_and_the_employer_poster_names_no_site(world, app_client) -> None:
    sign_in(app_client, "inspector.b")

    reader = _pdf(app_client.get(f"/inspector/employers/{world.employer_b}/poster.pdf?size=A3"))

    assert len(reader.pages) == 1
    assert _page_size(reader) == A3_POINTS
    [url] = _decoded_qr(reader)
    assert "project_q" not in url and f"employer_q={EMPLOYER_B}" in url


def test_a_size_other_than_a4_or_a3_is_refused(world, app_client) -> None:
    sign_in(app_client, "inspector.b")

    response = app_client.get(f"/inspector/employers/{world.employer_b}/poster.pdf?size=A0")

    assert response.status_code == 422


def test_each_download_is_in_the_audit_log(world, app_client) -> None:
    sign_in(app_client, "employer.b")

    _pdf(app_client.get(f"/employer/poster.pdf?size=A3&project={_project_id(world)}"))

    with Session(world.engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(col(AuditEntry.action) == "poster.download")
        ).one()
    assert (entry.entity, entry.entity_key, entry.employer_id) == (
        "project",
        PROJECT,
        world.employer_b,
    )
    assert entry.after == {"size": "A3", "project_code": PROJECT}
    assert entry.actor_label  # who downloaded it


def test_an_inspector_of_another_county_gets_no_poster(world, app_client) -> None:
    sign_in(app_client, "inspector.a")  # Lucheng; employer B and its site are in Ouhai

    response = app_client.get(f"/inspector/employers/{world.employer_b}/poster.pdf")
    with_site = app_client.get(
        f"/inspector/employers/{world.employer_a}/poster.pdf?project={_project_id(world)}"
    )

    assert response.status_code == 404
    assert with_site.status_code == 404  # employer A is in scope, the site is not A's


def test_an_employer_gets_only_its_own_sites_poster(world, app_client) -> None:
    sign_in(app_client, "employer.a")

    own = app_client.get("/employer/poster.pdf")
    other = app_client.get(f"/employer/poster.pdf?project={_project_id(world)}")

    assert own.status_code == 200
    assert other.status_code == 404


def test_employers_and_workers_need_no_inspector_route(world, app_client) -> None:
    sign_in(app_client, "employer.b")

    response = app_client.get(f"/inspector/employers/{world.employer_b}/poster.pdf")

    assert response.status_code in (401, 403, 404)


def test_the_obligations_page_states_the_display_duty_and_links_the_posters(
    world, app_client
) -> None:
    sign_in(app_client, "employer.b")

    page = app_client.get("/employer")

    assert page.status_code == 200
    assert "维权信息告示牌" in page.text
    assert "第三十四条" in page.text
    assert "/employer/poster.pdf?size=A4" in page.text
    assert f"/employer/poster.pdf?size=A3&amp;project={_project_id(world)}" in page.text


def test_the_inspector_s_employer_file_links_the_posters(world, app_client) -> None:
    sign_in(app_client, "inspector.b")

    page = app_client.get(f"/inspector/employers/{world.employer_b}")

    assert page.status_code == 200
    assert f"/inspector/employers/{world.employer_b}/poster.pdf?size=A4" in page.text
    assert f"poster.pdf?size=A4&amp;project={_project_id(world)}" in page.text


def test_an_exact_uscc_is_chosen_even_from_another_county(world, app_client) -> None:
    """The worker picks the county of work; the contractor may be registered elsewhere."""
    page = app_client.get(f"/worker/complaint?county_code=330302&employer_q={EMPLOYER_B}")

    assert page.status_code == 200
    assert f'name="employer_id" value="{world.employer_b}" checked' in page.text


@pytest.mark.browser
def test_the_decoded_code_opens_the_prefilled_form_on_a_phone(
    world, app_client, live_server: str, browser: Browser
) -> None:
    project_id = _project_id(world)
    sign_in(app_client, "employer.b")
    reader = _pdf(app_client.get(f"/employer/poster.pdf?project={project_id}"))
    [url] = _decoded_qr(reader)
    parts = urlsplit(url)

    page = browser.new_page(viewport=PHONE)
    try:
        # The code holds the site's public address; here that is the live test server.
        page.goto(f"{live_server}{parts.path}?{parts.query}")
        screenshot(page, "poster-qr-prefilled-form")
        employer = page.locator(f'input[name="employer_id"][value="{world.employer_b}"]')
        project = page.locator(f'input[name="project_id"][value="{project_id}"]')
        assert employer.is_checked()
        assert project.is_checked()
        assert page.locator("select#county_code").input_value() == OUHAI
    finally:
        page.close()
