"""An employer's upload in a real browser on a phone: the progress page refreshes itself
(no JavaScript needed) until the report shows, in either language."""

import pytest

from tests.factories import EMPLOYER_A, WORKER_1
from tests.service.portals.browser import PHONE, screenshot, sign_in_page
from tests.service.portals.conftest import PASSWORD

pytestmark = pytest.mark.browser

PAYROLL = (
    "employer_uscc,worker_id_number,period,amount_due,amount_paid,paid_date,hours_worked\n"
    f"{EMPLOYER_A},{WORKER_1},2026-10,5200.00,5200.00,2026-11-10,\n"
).encode()
WIDE = (",".join(f"c{i}" for i in range(1000)) + "\n").encode()


def upload(page, base: str, name: str, data: bytes, lang: str) -> None:
    page.goto(f"{base}/employer/imports?lang={lang}")
    page.set_input_files("#files", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.click("form[action='/employer/imports'] button[type=submit]")
    page.wait_for_url("**/employer/imports/jobs/**")


def test_an_employer_follows_an_upload_to_its_report_on_a_phone(browser, live_server, db_url):
    database = db_url.split(":")[0]
    page = browser.new_page(viewport=PHONE, java_script_enabled=False)
    sign_in_page(page, live_server, "employer.a", PASSWORD)
    upload(page, live_server, "payroll.csv", PAYROLL, "zh-CN")
    page.wait_for_selector("text=导入成功", timeout=30_000)
    assert "已导入" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"import-done-zh-{database}")
    upload(page, live_server, "payroll.csv", WIDE, "en")
    page.wait_for_selector("text=Not imported (problems found)", timeout=30_000)
    assert "more than 64 columns and was refused" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"import-refused-en-{database}")
    page.close()
