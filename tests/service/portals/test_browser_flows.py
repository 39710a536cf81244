"""Whole flows in a real browser, one context per actor so cookies never mix:
a deposit proof from upload to approval to a resolved alert, an inspector handling an
alert, and a worker's complaint on a phone through mediation to the outcome."""

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from service.flows.monitor_runs import run_monitors
from tests.service.portals.browser import (
    PHONE,
    fill_complaint_form,
    fits_phone,
    open_status,
    receipt_codes,
    screenshot,
    sign_in_page,
    submit,
)
from tests.service.portals.conftest import PASSWORD
from tests.service.portals.test_proofs import (
    PDF,
    PROJECT_A,
    add_project_without_deposit,
    deposit_alert,
)

pytestmark = pytest.mark.browser

EMPLOYER_A_NAME = "温州鹿城鞋业有限公司"


def db_name(db_url: str) -> str:
    return db_url.split(":")[0]


def signed_in(context, base: str, username: str):
    """A new page of the context, signed in as the user (waits until the login is through)."""
    page = context.new_page()
    sign_in_page(page, base, username, PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    return page


# Three months' wages owed, as a worker on a building site puts it.
BACK_PAY_CLAIM = {
    "#period_from": "2026-08",
    "#period_to": "2026-10",
    "#amount_owed": "18600",
    "#description": "八月至十月的工资一直没有发，老板说等工程款到了再发。",
}


def committed(world, sql: str, expected: tuple, **params) -> None:
    """Wait until the database holds what the last request wrote."""
    deadline = time.monotonic() + 10
    while tuple(row(world, sql, **params)) != expected:
        assert time.monotonic() < deadline, (sql, params, expected)
        time.sleep(0.05)


def posted(page, selector: str, world, sql: str, expected: tuple, **params) -> None:
    """Submit a form whose answer redirects to a page, and read that page after the commit.

    The request's session (service/deps.py get_session) is a FastAPI dependency with yield
    of the default "request" scope, so it commits only after the 303 has been sent: the
    browser's follow-up GET can race the commit and show the state from before the action.
    Until the app commits before answering, wait for the commit and reload the page."""
    submit(page, selector)
    committed(world, sql, expected, **params)
    page.reload()


def row(world, sql: str, **params):
    with world.engine.connect() as conn:
        return conn.execute(text(sql), params).one()


def test_an_approved_deposit_proof_resolves_the_missing_deposit_alert(
    browser, live_server, world, db_url, tmp_path, reference
):
    db = db_name(db_url)
    add_project_without_deposit(world, tmp_path, reference)
    run_monitors(world.engine, reference, as_of=date(2026, 11, 30))
    status, required_fen = deposit_alert(world)
    assert status == "open"
    amount = f"{required_fen // 100}.{required_fen % 100:02d}"
    pdf = tmp_path / "回单.pdf"
    pdf.write_bytes(PDF)

    employer = browser.new_context()
    page = signed_in(employer, live_server, "employer.a")
    page.goto(f"{live_server}/employer/proofs/new")
    page.check("input[name=kind][value=receipt]")
    page.fill("#amount", amount)
    page.fill("#event_date", "2026-11-20")
    page.fill("#reference", "BANK-2026-1120")
    page.select_option("#project_code", PROJECT_A)
    page.set_input_files("#file", str(pdf))
    screenshot(page, f"flow-proof-upload-{db}")
    submit(page, "form[action='/employer/proofs/new'] button[type=submit]")
    assert "/employer/proofs/new" not in page.url, page.content()
    committed(world, "SELECT COUNT(*) FROM deposit_proof", (1,))
    proof_id, proof_status = row(
        world,
        "SELECT deposit_proof.id, deposit_proof.status FROM deposit_proof "
        "JOIN project ON project.id = deposit_proof.project_id WHERE project.project_code = :p",
        p=PROJECT_A,
    )
    assert proof_status == "pending"
    employer.close()

    inspector = browser.new_context()
    page = signed_in(inspector, live_server, "inspector.a")
    page.goto(f"{live_server}/inspector/proofs")
    submit(page, f"a[href='/inspector/proofs/{proof_id}']")
    assert "BANK-2026-1120" in page.content()
    posted(
        page,
        f"form[action='/inspector/proofs/{proof_id}/approve'] button",
        world,
        "SELECT status FROM deposit_proof WHERE id = :i",
        ("approved",),
        i=proof_id,
    )
    assert "已通过" in page.content()
    screenshot(page, f"flow-proof-approved-{db}")
    inspector.close()
    assert row(world, "SELECT status FROM deposit_proof WHERE id = :i", i=proof_id)[0] == (
        "approved"
    )

    summary = run_monitors(world.engine, reference, as_of=date(2026, 12, 1))
    assert not summary.reused
    assert deposit_alert(world)[0] == "resolved"


def test_an_inspector_acknowledges_and_resolves_an_alert(browser, live_server, world, db_url):
    db = db_name(db_url)
    context = browser.new_context()
    page = signed_in(context, live_server, "inspector.a")
    page.goto(f"{live_server}/inspector/alerts")
    link = page.locator(
        f"tr:has(a[href='/inspector/employers/{world.employer_a}']) a[href^='/inspector/alerts/']"
    ).first
    alert_id = int(link.get_attribute("href").rsplit("/", 1)[1])
    link.click()
    page.wait_for_url(f"**/inspector/alerts/{alert_id}")
    assert EMPLOYER_A_NAME in page.content()

    handling_sql = "SELECT handling FROM alert WHERE id = :i"
    acknowledge = f"form[action='/inspector/alerts/{alert_id}/acknowledge'] button"
    posted(page, acknowledge, world, handling_sql, ("acknowledged",), i=alert_id)
    assert "处理中" in page.locator("#handling").inner_text()
    assert "已确认此预警" in page.locator("#done").inner_text()
    assert row(world, "SELECT handling FROM alert WHERE id = :i", i=alert_id)[0] == ("acknowledged")

    note = "已约谈企业负责人，责令限期整改。"
    page.fill("#note", note)
    resolve = f"form[action='/inspector/alerts/{alert_id}/resolve'] button"
    posted(page, resolve, world, handling_sql, ("closed",), i=alert_id)
    handling = page.locator("#handling").inner_text()
    assert "已办结" in handling and note in handling
    screenshot(page, f"flow-alert-closed-{db}")
    assert tuple(
        row(world, "SELECT handling, handling_note FROM alert WHERE id = :i", i=alert_id)
    ) == ("closed", note)
    context.close()


def test_a_worker_complaint_on_a_phone_is_mediated_to_an_agreement(
    browser, live_server, world, db_url
):
    db = db_name(db_url)
    worker = browser.new_context(viewport=PHONE)
    page = worker.new_page()
    # The number of workers is not typed last: typed last, the click below sent nothing.
    claim = {"#workers_affected": "3"} | BACK_PAY_CLAIM
    fill_complaint_form(page, live_server, world.employer_a, claim)
    screenshot(page, f"flow-complaint-form-zh-{db}")
    page.click("form[method=post] button[type=submit]")
    code, pin = receipt_codes(page)
    assert "五马街道人民调解委员会" in page.content()
    assert fits_phone(page)
    screenshot(page, f"flow-complaint-filed-zh-{db}")
    committed(world, "SELECT COUNT(*) FROM complaint WHERE tracking_code = :c", (1,), c=code)
    complaint_id, committee_id, ref = row(
        world,
        "SELECT id, committee_id, public_reference FROM complaint WHERE tracking_code = :c",
        c=code,
    )
    assert committee_id == world.committee

    mediator = browser.new_context()
    desk = signed_in(mediator, live_server, "mediator")
    desk.goto(f"{live_server}/mediator")
    submit(desk, f"a[href='/mediator/cases/{ref}']")
    case_sql = "SELECT status FROM complaint WHERE id = :i"
    accept = f"form[action='/mediator/cases/{ref}/accept'] button"
    posted(desk, accept, world, case_sql, ("accepted",), i=complaint_id)
    due = (date.today() + timedelta(days=30)).isoformat()
    desk.check("input[name=outcome][value=agreement]")
    desk.fill("#agreement_amount", "18000")
    desk.fill("#payment_due_on", due)
    desk.fill("#close_note", "双方同意分两期支付。")
    close = f"form[action='/mediator/cases/{ref}/close'] button"
    posted(desk, close, world, case_sql, ("closed",), i=complaint_id)
    screenshot(desk, f"flow-mediator-closed-{db}")
    status, outcome = row(
        world, "SELECT status, outcome FROM complaint WHERE id = :i", i=complaint_id
    )
    assert (status, outcome) == ("closed", "agreement")
    mediator.close()

    for lang, words in [
        ("zh-CN", ["已结案：达成调解协议", "协议金额：¥18,000.00", due]),
        ("en", ["Closed: agreement reached", "Amount agreed: ¥18,000.00", due]),
    ]:
        open_status(page, live_server, code, pin, lang)
        page.wait_for_selector("#where")
        content = page.content()
        for word in words:
            assert word in content, (lang, word)
        assert fits_phone(page)
        screenshot(page, f"flow-complaint-status-{lang}-{db}")
    worker.close()
