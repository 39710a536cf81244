"""What a person sees, in a real browser at 360 px and 1366 px: the inspector's inbox of
what needs action (a confirmation after each handling, the buttons following it, deadlines,
ages, the county column); the proof review with its preview under the app's CSP, the
position it changes and its warnings; the import format page, the templates and the import
job's progress bar. Screenshots go to var/screenshots/."""

import io
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw, ImageFont

from service.db import session_scope
from service.flows.monitor_runs import run_monitors
from service.imports.models import ImportJob
from tests.service.portals.browser import PHONE, screenshot, sign_in_page
from tests.service.portals.conftest import AS_OF, PASSWORD
from tests.service.portals.test_browser_flows import committed, db_name, posted, signed_in, submit
from tests.service.portals.test_proofs import PROJECT_A, add_project_without_deposit, deposit_alert

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
SIZES = {"360": PHONE, "1366": DESKTOP}


def fits(page) -> bool:
    """No sideways scrolling of the page itself (wide tables scroll in their own box)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_inspector_works_the_inbox_of_what_needs_action(browser, live_server, world, db_url):
    db = db_name(db_url)
    context = browser.new_context(viewport=DESKTOP)
    page = signed_in(context, live_server, "inspector.a")
    page.goto(f"{live_server}/inspector/alerts?lang=zh-CN")
    assert page.locator("select[name=status]").input_value() == "needs_action"
    first_row = page.locator("table.inbox tbody tr").first
    assert "待处理" in first_row.inner_text()
    assert "已发现" in first_row.inner_text()
    screenshot(page, f"inbox-zh-1366-{db}")
    link = first_row.locator("a[href^='/inspector/alerts/']").first
    alert_id = int(link.get_attribute("href").rsplit("/", 1)[1])
    submit(page, f"a[href='/inspector/alerts/{alert_id}']")

    handling = "SELECT handling FROM alert WHERE id = :i"
    acknowledge = f"form[action='/inspector/alerts/{alert_id}/acknowledge'] button"
    posted(page, acknowledge, world, handling, ("acknowledged",), i=alert_id)
    assert "已确认此预警" in page.locator("#done").inner_text()
    assert page.locator(acknowledge).count() == 0  # done already: no button for it
    assert "处理中" in page.locator("#handling").inner_text()
    screenshot(page, f"alert-acknowledged-zh-1366-{db}")

    page.fill("#note", "已约谈企业负责人，责令限期整改。")
    resolve = f"form[action='/inspector/alerts/{alert_id}/resolve'] button"
    posted(page, resolve, world, handling, ("closed",), i=alert_id)
    assert "已办结" in page.locator("#done").inner_text()
    assert page.locator(resolve).count() == 0 and page.locator("#note").count() == 0
    assert "重新处理" in page.locator(acknowledge).inner_text()
    page.set_viewport_size(PHONE)
    assert fits(page)
    screenshot(page, f"alert-closed-zh-360-{db}")

    submit(page, "#done a[href='/inspector/alerts']")
    assert page.locator(f"table.inbox a[href='/inspector/alerts/{alert_id}']").count() == 0
    assert fits(page)
    screenshot(page, f"inbox-zh-360-{db}")
    page.goto(f"{live_server}/inspector/alerts?lang=en")
    screenshot(page, f"inbox-en-360-{db}")
    context.close()


def test_the_city_wide_inbox_names_counties_and_sorts_by_money(browser, live_server, world, db_url):
    db = db_name(db_url)
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport)
        page = signed_in(context, live_server, "admin")
        for lang in ("zh-CN", "en"):
            page.goto(f"{live_server}/inspector/alerts?lang={lang}")
            counties = page.locator("table.inbox td.county").all_inner_texts()
            assert counties and all(name and not name.isdigit() for name in counties)
            assert ("鹿城区" if lang == "zh-CN" else "Lucheng District") in counties
            if size == "1366":  # the money column's heading sorts by money
                submit(page, "table.inbox thead a[href*='sort=amount']")
                assert page.locator("th[aria-sort=descending]").count() == 1
            else:  # a phone shows cards without headings: the sort list does it
                page.select_option("select[name=sort]", "amount")
                submit(page, "form.filters button[type=submit]")
                assert "sort=amount" in page.url
            assert fits(page)
            screenshot(page, f"inbox-citywide-by-money-{lang}-{size}-{db}")
        context.close()


CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def receipt_pdf(amount: str, reference: str) -> bytes:
    """A one-page PDF that looks like a bank receipt (drawn with Pillow), so the preview
    in the screenshots shows something to read."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    big = ImageFont.truetype(str(CJK_FONT), 64) if CJK_FONT.exists() else None
    small = ImageFont.truetype(str(CJK_FONT), 40) if CJK_FONT.exists() else None
    draw.rectangle((60, 60, 1180, 900), outline=(11, 92, 173), width=6)
    draw.text((120, 120), "中国工商银行 业务回单", fill=(11, 92, 173), font=big)
    lines = [
        "付款人：温州鹿城鞋业有限公司",
        "收款人：农民工工资保证金专用账户",
        f"金额：¥{amount}",
        f"回单编号：{reference}",
        "日期：2026-11-20",
    ]
    for i, line in enumerate(lines):
        draw.text((120, 300 + i * 110), line, fill="black", font=small)
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=150)
    return out.getvalue()


def file_proof(base: str, amount_fen: int, reference: str) -> int:
    """Employer A files a proof through the real API of the served app."""
    amount = f"{amount_fen // 100:,}.{amount_fen % 100:02d}"
    with httpx.Client(base_url=base) as http:
        token = http.post(
            "/api/auth/token", json={"username": "employer.a", "password": PASSWORD}
        ).json()["access_token"]
        response = http.post(
            "/api/employer/proofs",
            headers={"Authorization": f"Bearer {token}"},
            data={
                "kind": "receipt",
                "amount": f"{amount_fen // 100}.{amount_fen % 100:02d}",
                "event_date": "2026-11-20",
                "reference": reference,
                "project_code": PROJECT_A,
            },
            files={"file": ("回单.pdf", receipt_pdf(amount, reference), "application/pdf")},
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]


def test_a_proof_is_reviewed_with_its_preview_position_and_warnings(
    browser, live_server, world, db_url, tmp_path, reference
):
    db = db_name(db_url)
    add_project_without_deposit(world, tmp_path, reference)
    run_monitors(world.engine, reference, as_of=AS_OF)
    required_fen = deposit_alert(world)[1]
    proof_id = file_proof(live_server, required_fen + 12_000_000, "BANK-2026-1120")
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport)
        page = signed_in(context, live_server, "inspector.a")
        refused: list[str] = []

        def record(message, seen: list[str] = refused) -> None:
            seen.append(message.text)

        page.on("console", record)
        for lang in ("zh-CN", "en"):
            page.goto(f"{live_server}/inspector/proofs/{proof_id}?lang={lang}")
            preview = page.locator("img.proof-preview")
            preview.scroll_into_view_if_needed()
            page.wait_for_function(
                "document.querySelector('img.proof-preview').complete"
                " && document.querySelector('img.proof-preview').naturalWidth > 0"
            )
            assert preview.evaluate("img => img.naturalWidth") == 1000
            assert page.locator("#proof-warnings").is_visible()
            warning = page.locator("#proof-warnings").inner_text()
            assert ("超出应存金额" if lang == "zh-CN" else "above the required amount") in warning
            assert page.locator("#effect-required").inner_text().startswith("¥")
            assert page.locator("#effect-overshoot").inner_text() == "¥120,000.00"
            assert fits(page)
            screenshot(page, f"proof-review-{lang}-{size}-{db}")
        assert not [m for m in refused if "Content Security Policy" in m], refused
        context.close()


def test_the_import_format_page_and_templates_at_both_sizes(browser, live_server, db_url):
    db = db_name(db_url)
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        page = context.new_page()
        for lang in ("zh-CN", "en"):
            page.goto(f"{live_server}/imports/format?lang={lang}")
            assert page.locator("h1").count() == 1
            assert page.locator("section.import-file").count() == 9
            assert fits(page)
            screenshot(page, f"import-format-{lang}-{size}-{db}")
        with page.expect_download() as download:
            page.click("a[href='/imports/templates/payroll.xlsx']")
        assert download.value.suggested_filename == "payroll.xlsx"
        context.close()


def test_the_employers_import_page_offers_templates_and_shows_a_progress_bar(
    browser, live_server, world, db_url
):
    db = db_name(db_url)
    with session_scope(world.engine) as session:
        now = datetime.now(UTC)
        job = ImportJob(
            key="progress-bar-job",
            employer_id=world.employer_a,
            status="running",
            folder="0" * 32,
            files=["workers.csv", "payroll.csv"],
            current_file="payroll.csv",
            step="checking",
            rows_total=1200,
            rows_done=480,
            attempts=1,
            started_at=now,
            heartbeat_at=now,
        )
        session.add(job)
    committed(world, "SELECT COUNT(*) FROM import_job WHERE key = 'progress-bar-job'", (1,))
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, java_script_enabled=False)
        page = context.new_page()
        sign_in_page(page, live_server, "employer.a", PASSWORD)
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"{live_server}/employer/imports?lang=zh-CN")
        assert page.locator("a[href='/imports/templates/payroll.xlsx']").count() == 1
        assert page.locator("a[href='/imports/format']").count() >= 1
        assert fits(page)
        screenshot(page, f"employer-imports-zh-{size}-{db}")
        for lang in ("zh-CN", "en"):
            page.goto(f"{live_server}/employer/imports/jobs/progress-bar-job?lang={lang}")
            bar = page.locator("progress#job-progress")
            assert bar.get_attribute("max") == "1200" and bar.get_attribute("value") == "480"
            text = page.content()
            assert ("第 2/2 个文件" if lang == "zh-CN" else "file 2 of 2") in text
            assert "40%" in text
            assert fits(page)
            screenshot(page, f"import-progress-{lang}-{size}-{db}")
        context.close()
