"""The supervision overview in a real browser, desktop (1366 px) and phone (360 px): the map and
the trend charts are drawn (canvas) under the app's Content-Security-Policy, a click on a
county opens that county's towns, nothing overflows the phone; screenshots in
var/screenshots/."""

import pytest
from playwright.sync_api import Page

from tests.service.portals.browser import PHONE, screenshot, sign_in_page
from tests.service.portals.conftest import PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
CHARTS = ("#county-map", "#trend-alerts", "#trend-arrears", "#trend-complaints")


def _watched(page: Page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and problems.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _drawn(page: Page) -> None:
    for chart in CHARTS:
        page.wait_for_selector(f"{chart}.chart-drawn canvas", timeout=15_000)
        assert page.get_attribute(chart, "data-chart-error") is None
    page.wait_for_timeout(1500)  # ECharts' drawing animation, before a screenshot


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_overview_draws_its_map_and_charts(browser, live_server, db_url, viewport):
    page = browser.new_page(viewport=viewport)
    problems = _watched(page)
    sign_in_page(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server}/inspector/overview?lang=zh-CN")
    _drawn(page)
    assert page.get_attribute("#county-map", "data-chart-unmapped") == "330383"
    assert page.is_visible("#county-map .chart-unmapped-note")
    if viewport == PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    name = "desktop" if viewport == DESKTOP else "phone"
    screenshot(page, f"overview-{name}-{db_url.split(':')[0]}")
    assert problems == []
    page.close()


def test_a_click_on_a_county_opens_its_towns(browser, live_server, db_url):
    page = browser.new_page(viewport=DESKTOP)
    sign_in_page(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server}/inspector/overview")
    _drawn(page)
    # 鹿城区's centre, from the map file, as a pixel on the canvas
    x, y = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('#county-map .chart-canvas'))"
        ".convertToPixel({seriesIndex: 0}, [120.655271, 28.015737])"
    )
    canvas = page.locator("#county-map .chart-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert "county=330302" in page.url
    assert "鹿城区" in page.locator("h1").inner_text()
    screenshot(page, f"overview-county-{db_url.split(':')[0]}")
    page.close()
