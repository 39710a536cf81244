"""The complainant shield's pages in a real browser on a phone: the worker's form says what
the employer will see, and the employer's notice shows the week and the reference only."""

import pytest

from tests.factories import complaint_in_world
from tests.service.portals.browser import PHONE, screenshot, sign_in_page
from tests.service.portals.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_worker_reads_what_the_employer_will_see_on_a_phone(browser, live_server, db_url):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    for lang, words in (
        ("zh-CN", ["用人单位只知道有一件针对它的投诉", "调解时必须知道您是谁"]),
        ("en", ["your employer learns only that a complaint", "it has to know who you are"]),
    ):
        page.goto(f"{live_server}/worker/complaint?lang={lang}")
        assert page.is_visible("#disclose-hint") and page.is_visible("#enterprise-mediation-hint")
        content = page.content()
        for word in words:
            assert word in content, (lang, word)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, f"shield-form-{lang}-{db_url.split(':')[0]}")
    context.close()


def test_the_employer_reads_a_notice_without_the_complaints_figures(
    browser, live_server, world, db_url
):
    # Received in a week that has ended: an anonymous complaint is told only then.
    complaint_in_world(
        world, days_ago=14, amount_owed="3192.77", period_from="2026-08", period_to="2026-08"
    )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in_page(page, live_server, "employer.a", PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    for lang, week in (("zh-CN", "年第"), ("en", "week of")):
        page.goto(f"{live_server}/employer/complaints?lang={lang}")
        content = page.content()
        assert week in content and "五马街道人民调解委员会" in content
        for value in ("3,192.77", "3192.77", "2026-08", "张三", "13800000001"):
            assert value not in content, (lang, value)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, f"shield-employer-notice-{lang}-{db_url.split(':')[0]}")
    context.close()
