"""On a 360 px phone: a worker files a complaint (agreeing to SMS), the mediator answers on the
case page, the worker gets the SMS (the sink), reads the answer on the status page, marked new,
and answers; the mediator reads that."""

from pathlib import Path

import pytest

from service.sms.senders import read_sink
from tests.service.portals.browser import (
    PHONE,
    fill_complaint_form,
    fits_phone,
    open_status,
    receipt_codes,
    screenshot,
    submit,
)
from tests.service.portals.test_browser_flows import committed, db_name, row, signed_in

pytestmark = pytest.mark.browser

QUESTION = "请问周五调解需要带什么材料？"
ANSWER = "请带上工资条、考勤记录和与工头的聊天记录，周五上午九点到五马街道调解室。"
THANKS = "收到，周五上午我会准时到。"


def test_a_worker_and_the_mediator_talk_on_a_phone(
    browser, live_server, world, db_url, tmp_path: Path
):
    db = db_name(db_url)
    worker = browser.new_context(viewport=PHONE)
    page = worker.new_page()
    claim = {
        "#period_from": "2026-09",
        "#amount_owed": "6400",
        "#description": "九月的工资没有发。",
        "#phone": "13812345678",
    }
    fill_complaint_form(page, live_server, world.employer_a, claim)
    page.check("input[name=sms_consent]")
    submit(page, "form[method=post] button[type=submit]")
    code, pin = receipt_codes(page)
    committed(world, "SELECT COUNT(*) FROM complaint WHERE tracking_code = :c", (1,), c=code)
    complaint_id, reference = row(
        world, "SELECT id, public_reference FROM complaint WHERE tracking_code = :c", c=code
    )

    # The worker asks first.
    open_status(page, live_server, code, pin)
    page.fill("#message_body", QUESTION)
    submit(page, "form[action='/worker/track/messages'] button[type=submit]")
    assert "留言已发送" in page.content() and QUESTION in page.inner_text("#messages")
    assert fits_phone(page)
    screenshot(page, f"talk-worker-asked-phone-{db}")

    # The mediator answers, on a phone too.
    mediator = browser.new_context(viewport=PHONE)
    desk = signed_in(mediator, live_server, "mediator")
    desk.goto(f"{live_server}/mediator/cases/{reference}")
    assert QUESTION in desk.inner_text("#messages")
    desk.fill("#message_body", ANSWER)
    submit(desk, f"form[action='/mediator/cases/{reference}/messages'] button[type=submit]")
    assert "留言已发送" in desk.inner_text("#messages")
    assert fits_phone(desk)
    desk.locator("#messages").scroll_into_view_if_needed()
    screenshot(desk, f"talk-mediator-answered-phone-{db}")
    sql = "SELECT sms_status FROM case_message WHERE direction = 'to_worker' AND complaint_id = :c"
    committed(world, sql, ("sent",), c=complaint_id)
    [sms] = read_sink(tmp_path / "sms")
    assert sms["to"] == "13812345678" and ANSWER in sms["text"]

    # The worker reads it, marked new, and answers.
    open_status(page, live_server, code, pin)
    messages = page.inner_text("#messages")
    assert ANSWER in messages and "新留言" in messages and "调解员" in messages
    assert page.is_visible("#messages li.is-new")
    assert fits_phone(page)
    screenshot(page, f"talk-worker-reads-answer-phone-{db}")
    page.fill("#message_body", THANKS)
    submit(page, "form[action='/worker/track/messages'] button[type=submit]")
    messages = page.inner_text("#messages")
    assert THANKS in messages and "新留言" not in messages  # seen now
    screenshot(page, f"talk-worker-answered-phone-{db}")
    worker.close()

    desk.goto(f"{live_server}/mediator/cases/{reference}")
    assert THANKS in desk.inner_text("#messages")
    mediator.close()
