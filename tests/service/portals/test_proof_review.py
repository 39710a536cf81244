"""The inspector reviews a deposit proof with its context: the project's required amount,
balance and shortfall before and after approval, a warning when the proof overshoots the
requirement or reuses a bank reference, and an inline preview drawn as a PNG (a PDF's first
page, or the image) that the page's Content-Security-Policy allows."""

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfWriter

from service.app import create_app
from service.config import Settings
from service.flows.monitor_runs import run_monitors
from service.headers import CONTENT_SECURITY_POLICY
from tests.service.portals.conftest import AS_OF, bearer, sign_in
from tests.service.portals.test_proofs import (
    PROJECT_A,
    RECEIPT,
    add_project_without_deposit,
    deposit_alert,
    submit,
)


@pytest.fixture
def client(world, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=world.db_url, upload_dir=tmp_path / "uploads")
    with TestClient(create_app(settings)) as client:
        yield client


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def real_png(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def filed(client, amount_fen: int, reference: str = "R-1", **file_args) -> int:
    fields = {
        **RECEIPT,
        "amount": f"{amount_fen // 100}.{amount_fen % 100:02d}",
        "reference": reference,
        "project_code": PROJECT_A,
    }
    response = submit(client, bearer(client, "employer.a"), fields, **file_args)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def required_fen(client, world, tmp_path, reference) -> int:
    """Employer A's project whose deposit is overdue: its required amount."""
    add_project_without_deposit(world, tmp_path, reference)
    run_monitors(world.engine, reference, as_of=AS_OF)
    return deposit_alert(world)[1]


def cell(html: str, name: str) -> str:
    match = re.search(rf'id="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


def test_the_review_shows_required_balance_shortfall_and_what_approval_changes(
    client, required_fen
):
    half = required_fen // 2
    proof_id = filed(client, half)
    sign_in(client, "inspector.a")
    page = client.get(f"/inspector/proofs/{proof_id}").text
    assert cell(page, "effect-required") == yuan(required_fen)
    assert cell(page, "effect-balance") == yuan(0)
    assert cell(page, "effect-shortfall") == yuan(required_fen)
    assert cell(page, "effect-balance-after") == yuan(half)
    assert cell(page, "effect-shortfall-after") == yuan(required_fen - half)
    assert f"通过此凭证将使余额增加 {yuan(half)}" in page
    assert 'id="proof-warnings"' not in page  # nothing to look at twice
    english = client.get(f"/inspector/proofs/{proof_id}?lang=en").text
    assert "Required amount, balance and what approval changes" in english
    assert f"Approving this proof adds {yuan(half)} to the balance." in english


def test_overshooting_an_already_met_requirement_and_a_reused_reference_are_flagged(
    client, required_fen
):
    first = filed(client, required_fen, "BANK-7")
    sign_in(client, "inspector.a")
    token = client.get(f"/inspector/proofs/{first}").text.split('name="csrf_token" value="')[1]
    approved = client.post(
        f"/inspector/proofs/{first}/approve",
        data={"csrf_token": token.split('"')[0]},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    # ¥120,000 more for a project already at its requirement, with the same bank reference
    extra = 12_000_000
    second = filed(client, extra, "BANK-7")
    sign_in(client, "inspector.a")
    page = client.get(f"/inspector/proofs/{second}").text
    warnings = re.search(r'id="proof-warnings">(.*?)</div>', page, re.S).group(1)
    assert "已足额存储" in warnings and f"将超出 {yuan(extra)}" in warnings
    assert "银行凭证号“BANK-7”已被使用：保证金台账中 1 笔" in warnings
    assert cell(page, "effect-shortfall") == yuan(0)
    assert cell(page, "effect-overshoot") == yuan(extra)
    english = client.get(f"/inspector/proofs/{second}?lang=en").text
    assert "The requirement is already met" in english
    assert "The bank reference “BANK-7” is already used" in english


def test_a_proof_that_overshoots_a_shortfall_is_flagged(client, required_fen):
    proof_id = filed(client, required_fen + 500_000, "BANK-9")
    sign_in(client, "inspector.a")
    page = client.get(f"/inspector/proofs/{proof_id}").text
    assert f"通过后余额将超出应存金额 {yuan(500_000)}" in page
    assert "已被使用" not in page


def test_two_pending_proofs_with_one_reference_warn_on_each(client, required_fen):
    first = filed(client, 100_000, "DUP-1")
    second = filed(client, 100_000, "DUP-1")
    sign_in(client, "inspector.a")
    for proof_id in (first, second):
        page = client.get(f"/inspector/proofs/{proof_id}").text
        assert "其他待审或已通过的凭证 1 份" in page


def test_the_preview_of_a_pdf_is_its_first_page_drawn_as_a_png(client, required_fen):
    proof_id = filed(client, 100_000, "PDF-1", data=real_pdf())
    sign_in(client, "inspector.a")
    page = client.get(f"/inspector/proofs/{proof_id}")
    assert f'<img class="proof-preview" src="/inspector/proofs/{proof_id}/preview.png"' in page.text
    assert "object-src 'none'" in page.headers["content-security-policy"]
    preview = client.get(f"/inspector/proofs/{proof_id}/preview.png")
    assert preview.status_code == 200
    assert preview.headers["content-type"] == "image/png"
    assert preview.headers["cache-control"] == "private, no-store"
    assert preview.headers["x-content-type-options"] == "nosniff"
    assert preview.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    image = Image.open(io.BytesIO(preview.content))
    assert image.format == "PNG" and image.width == 1000
    assert abs(image.height / image.width - 842 / 595) < 0.01  # an A4 page, upright
    assert image.getpixel((500, 700)) == (255, 255, 255)  # a blank page is white


def test_the_preview_of_an_image_is_redrawn_from_its_pixels(client, required_fen):
    proof_id = filed(
        client, 100_000, "IMG-1", name="receipt.png", data=real_png(), declared="image/png"
    )
    sign_in(client, "inspector.a")
    preview = client.get(f"/inspector/proofs/{proof_id}/preview.png")
    assert preview.status_code == 200
    image = Image.open(io.BytesIO(preview.content))
    assert (image.width, image.height) == (640, 480)
    assert image.getpixel((10, 10)) == (200, 30, 30)


def test_a_damaged_file_has_no_preview_and_others_see_nothing(client, required_fen):
    damaged = filed(client, 100_000, "BAD-1")  # test_proofs' PDF: a header and no page
    sign_in(client, "inspector.a")
    assert client.get(f"/inspector/proofs/{damaged}/preview.png").status_code == 404
    assert client.get(f"/inspector/proofs/{damaged}").status_code == 200
    sign_in(client, "inspector.b")
    assert client.get(f"/inspector/proofs/{damaged}/preview.png").status_code == 404
    assert client.get(f"/inspector/proofs/{damaged}").status_code == 404
