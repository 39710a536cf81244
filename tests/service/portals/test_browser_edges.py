"""In a real browser: the pages keep their look under the Content-Security-Policy (no
inline style left for it to block), and /docs works with every other host unreachable."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page

from tests.service.portals.browser import PHONE, screenshot, sign_in_page
from tests.service.portals.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _offline(page: Page) -> list[str]:
    """Requests to any host but the app's are aborted, as on an intranet; returns the
    addresses that were tried."""
    tried: list[str] = []

    def only_local(route) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            tried.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    return tried


def _policy_violations(page: Page) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def _style(page: Page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).{prop}")


def test_the_api_docs_render_their_operations_offline(browser, live_server, db_url):
    page = browser.new_page()
    tried, refused = _offline(page), _policy_violations(page)
    page.goto(f"{live_server}/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    screenshot(page, f"docs-offline-{db_url.split(':')[0]}")
    assert page.locator(".opblock").count() >= 30
    assert "/api/complaints" in page.content()
    assert not tried, tried
    assert not refused, refused
    page.close()


def test_a_worker_page_keeps_its_look_under_the_policy(browser, live_server, db_url):
    page = browser.new_page(viewport=PHONE)
    tried, refused = _offline(page), _policy_violations(page)
    page.goto(f"{live_server}/worker/complaint?lang=zh-CN")
    screenshot(page, f"policy-worker-complaint-{db_url.split(':')[0]}")
    # base.css: the brand's colour; worker.css: large type; complaint.css: framed fieldsets.
    assert _style(page, "header .brand", "color") == "rgb(11, 92, 173)"
    assert _style(page, ".worker", "fontSize") == "17.6px"
    assert _style(page, ".worker fieldset", "borderTopStyle") == "solid"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not tried and not refused, (tried, refused)
    page.close()


def test_an_inspector_page_keeps_its_look_under_the_policy(browser, live_server, db_url):
    page = browser.new_page()
    refused = _policy_violations(page)
    sign_in_page(page, live_server, "inspector.a", PASSWORD)
    page.goto(f"{live_server}/inspector/complaints?lang=zh-CN")
    page.goto(f"{live_server}/inspector/alerts?lang=zh-CN")
    screenshot(page, f"policy-inspector-alerts-{db_url.split(':')[0]}")
    assert _style(page, "header .brand", "color") == "rgb(11, 92, 173)"
    assert _style(page, "form.filters", "display") == "flex"
    assert _style(page, ".sev-critical, .sev-high, .sev-medium, .sev-low", "color") != (
        "rgb(29, 39, 51)"
    )
    assert not refused, refused
    page.close()


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("employer.a", "/employer"),
        ("employer.a", "/employer/complaints"),
        ("employer.a", "/employer/imports"),
        ("mediator", "/mediator"),
        ("admin", "/admin/users"),
        ("admin", "/admin/users/new"),
        ("inspector.a", "/inspector/proofs"),
        ("inspector.a", "/inspector/complaints"),
        ("inspector.a", "/inspector/employers"),
    ],
)
def test_every_portal_renders_without_a_policy_violation(browser, live_server, db_url, user, path):
    page = browser.new_page()
    refused = _policy_violations(page)
    sign_in_page(page, live_server, user, PASSWORD)
    page.goto(f"{live_server}{path}?lang=zh-CN")
    name = path.strip("/").replace("/", "-")
    screenshot(page, f"policy-{name}-{db_url.split(':')[0]}")
    assert _style(page, "header .brand", "color") == "rgb(11, 92, 173)"
    assert not refused, refused
    page.close()
