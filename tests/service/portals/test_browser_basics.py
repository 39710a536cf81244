"""The pages in a real browser: sign-in, language switch, a phone-sized screen."""

import pytest

from tests.service.portals.browser import PHONE, screenshot, sign_in_page
from tests.service.portals.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_an_inspector_signs_in_with_the_browser(browser, live_server, db_url):
    page = browser.new_page()
    sign_in_page(page, live_server, "inspector.a", PASSWORD)
    assert page.url.endswith("/inspector/alerts")
    assert "inspector.a" in page.content()
    page.close()


def test_the_start_page_fits_a_phone_in_both_languages(browser, live_server, db_url):
    page = browser.new_page(viewport=PHONE)
    page.goto(live_server + "/?lang=zh-CN")
    assert "薪盾" in page.title()
    screenshot(page, f"start-zh-{db_url.split(':')[0]}")
    page.click("a[hreflang=en]")
    assert "monitors wage payment" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"start-en-{db_url.split(':')[0]}")
    page.close()
