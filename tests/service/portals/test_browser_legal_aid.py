"""On a 360 px phone: a worker files a complaint, then applies for legal aid from the case's
status page (the form filled in from the complaint, no income asked for a wage claim); the
county's legal-aid centre accepts it and assigns a lawyer, and the worker reads that on the same
status page. The stand-alone form for another matter asks for the statement of hardship."""

import pytest

from tests.factories import valid_id_number
from tests.service.portals.browser import (
    PHONE,
    fill_complaint_form,
    fits_phone,
    open_status,
    receipt_codes,
    screenshot,
    submit,
)
from tests.service.portals.test_browser_flows import (
    BACK_PAY_CLAIM,
    committed,
    db_name,
    posted,
    row,
    signed_in,
)

pytestmark = pytest.mark.browser


def test_a_worker_files_then_applies_for_legal_aid_from_the_status_page(
    browser, live_server, world, db_url
):
    db = db_name(db_url)
    worker = browser.new_context(viewport=PHONE)
    page = worker.new_page()
    claim = BACK_PAY_CLAIM | {"#worker_name": "赵六", "#phone": "13800000006"}
    fill_complaint_form(page, live_server, world.employer_a, claim)
    page.click("form[method=post] button[type=submit]")
    code, pin = receipt_codes(page)
    committed(world, "SELECT COUNT(*) FROM complaint WHERE tracking_code = :c", (1,), c=code)

    open_status(page, live_server, code, pin)
    assert page.is_visible("#legal-aid-offer") and fits_phone(page)
    screenshot(page, f"legal-aid-offer-phone-{db}")
    submit(page, "#apply-legal-aid")
    assert page.input_value("#applicant_name") == "赵六"
    assert page.input_value("#phone") == "13800000006"
    assert page.input_value("#amount") == "18600"
    assert page.input_value("#county_code") == "330302"
    assert "免予核查经济困难状况" in page.inner_text("#matter")
    assert "第四十二条" in page.inner_text("#basis")
    assert page.locator("#hardship_statement").count() == 0
    assert fits_phone(page)
    page.fill("#id_number", valid_id_number())
    screenshot(page, f"legal-aid-form-prefilled-phone-{db}")
    submit(page, "#legal-aid-form button[type=submit]")
    assert "温州市鹿城区法律援助中心" in page.inner_text("#sent-to")
    assert page.locator("#pin").count() == 0  # the case keeps its own code and PIN
    assert fits_phone(page)
    screenshot(page, f"legal-aid-sent-phone-{db}")
    (complaint_id,) = row(world, "SELECT id FROM complaint WHERE tracking_code = :c", c=code)
    sql = "SELECT status FROM legal_aid_application WHERE complaint_id = :c"
    committed(world, sql, ("received",), c=complaint_id)
    (application_id,) = row(
        world, "SELECT id FROM legal_aid_application WHERE complaint_id = :c", c=complaint_id
    )

    centre = browser.new_context()
    desk = signed_in(centre, live_server, "legal_aid.a")
    desk.goto(f"{live_server}/legal-aid")
    submit(desk, f"a[href='/legal-aid/{application_id}']")
    assert "赵六" in desk.content() and "330302********" in desk.content()
    form = f"form[action='/legal-aid/{application_id}/status'] button"
    by_id = "SELECT status FROM legal_aid_application WHERE id = :i"
    desk.check("input[name=status][value=accepted]")
    posted(desk, form, world, by_id, ("accepted",), i=application_id)
    desk.check("input[name=status][value=lawyer_assigned]")
    desk.fill("#lawyer_name", "陈律师")
    posted(desk, form, world, by_id, ("lawyer_assigned",), i=application_id)
    screenshot(desk, f"legal-aid-centre-decided-{db}")
    centre.close()

    open_status(page, live_server, code, pin)
    card = page.inner_text("#legal-aid-application")
    assert "已指派律师" in card and "承办律师：陈律师" in card
    assert "法律援助中心已决定给予法律援助" in card
    assert page.locator("#legal-aid-offer").count() == 0 and fits_phone(page)
    screenshot(page, f"legal-aid-status-phone-{db}")
    worker.close()


def test_the_stand_alone_form_for_another_matter_asks_for_the_hardship_statement(
    browser, live_server, world, db_url
):
    db = db_name(db_url)
    worker = browser.new_context(viewport=PHONE)
    page = worker.new_page()
    page.goto(f"{live_server}/worker?lang=zh-CN")
    submit(page, "#legal-aid-front a")
    page.check("input[name=matter][value=other]")
    submit(page, "#matter-choice button[type=submit]")
    assert "第四十一条" in page.inner_text("#basis")
    assert page.is_visible("#hardship_statement") and fits_phone(page)
    page.fill("#applicant_name", "钱七")
    page.fill("#phone", "13800000007")
    page.fill("#id_number", valid_id_number())
    page.select_option("#county_code", "330303")
    page.fill("#account", "房东扣押押金不还。")
    page.fill("#hardship_statement", "一家三口，靠打零工，每月收入不到两千元。")
    page.check("input[name=hardship_promise]")
    screenshot(page, f"legal-aid-form-other-phone-{db}")
    submit(page, "#legal-aid-form button[type=submit]")
    code = page.inner_text("#tracking-code").strip()
    assert code.startswith("LA") and page.inner_text("#pin").strip().isdigit()
    assert "温州市龙湾区法律援助中心" in page.inner_text("#sent-to") and fits_phone(page)
    screenshot(page, f"legal-aid-standalone-sent-phone-{db}")
    worker.close()
