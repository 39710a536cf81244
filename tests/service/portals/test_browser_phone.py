"""Every role's pages in a real browser, at 360 and 1366 px (issue 13, items 3 and 12).

One walk per role and size opens each page once per language and checks it three ways:
- on a phone, every staff list page fits the screen (its tables become stacked cards, no
  sideways scrolling of the page), every tap target outside running text is at least
  24 × 24 px (WCAG 2.2, 2.5.8) and every region that scrolls is reachable with the keyboard;
- axe-core (from npm: `make test` installs it into var/node), injected into the Chinese page,
  finds no violation of the WCAG 2.0–2.2 A and AA rules;
- the page is photographed in both languages (var/screenshots/phone-*.png).
Error summaries link to their fields.
"""

from functools import cache

import pytest
from playwright.sync_api import Page

from service.config import PROJECT_ROOT
from tests.service.portals.browser import PHONE, screenshot, sign_in_page
from tests.service.portals.conftest import PASSWORD
from tests.service.portals.test_one_language import _seed

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
SIZES = {"360": PHONE, "1366": DESKTOP}
AXE = PROJECT_ROOT / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
# Each role's main pages; the lists are the ones that used to run off a phone's screen.
PAGES = {
    "inspector.a": [
        "/inspector/alerts", "/inspector/alerts/{alert_id}", "/inspector/employers",
        "/inspector/employers/{employer_id}", "/inspector/employers/{employer_id}/audit",
        "/inspector/proofs", "/inspector/proofs/{proof_id}", "/inspector/complaints",
        "/inspector/complaints/{reference}", "/inspector/overview",
        "/inspector/reports/assessment", "/inspector/subscriptions", "/legal-aid",
    ],
    "employer.a": [
        "/employer", "/employer/proofs/new", "/employer/imports", "/employer/complaints",
    ],
    "mediator": ["/mediator", "/mediator/cases/{mediated}"],
    "legal_aid.a": ["/legal-aid", "/legal-aid/{application_id}"],
    "admin": ["/admin/users", "/admin/users/{user_id}", "/admin/users/new"],
    "supervisor": ["/inspector/overview", "/inspector/reports/assessment"],
}  # fmt: skip
LISTS = {
    "/inspector/alerts", "/inspector/employers", "/inspector/proofs", "/inspector/complaints",
    "/employer", "/employer/imports", "/mediator", "/legal-aid", "/admin/users",
}  # fmt: skip

# Controls smaller than 24 × 24 px, except links inside running text (the exception of 2.5.8)
# and controls the browser hides.
SMALL_TARGETS = """
() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(el => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) return false;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') return false;
    if (el.tagName === 'A' && style.display === 'inline') {
      const block = el.closest('p, li, dd, td, th, label, span, small');
      if (block && block.textContent.trim() !== el.textContent.trim()) return false;
    }
    return box.width < 24 || box.height < 24;
  })
  .map(el => `${el.tagName.toLowerCase()} "${(el.textContent || el.name || '').trim()}"`
             + ` ${Math.round(el.getBoundingClientRect().width)}x`
             + `${Math.round(el.getBoundingClientRect().height)}`)
"""
CARD_ROW_DISPLAY = "getComputedStyle(document.querySelector('table.cards tbody tr')).display"
# Regions that scroll but cannot be reached with the keyboard.
UNREACHABLE_SCROLLERS = """
() => [...document.querySelectorAll('*')]
  .filter(el => el.scrollWidth > el.clientWidth + 1
    && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
  .filter(el => el.tabIndex < 0 && !el.querySelector('a[href], button, input, select, textarea'))
  .map(el => el.className || el.tagName)
"""


WORKER_PAGES = ["/", "/login", "/worker", "/worker/complaint", "/worker/track", "/worker/legal-aid"]
AXE_RUN = """
async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
  });
  return {
    passes: result.passes.length,
    violations: result.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.length} × `
      + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', ')),
  };
}
"""


def _pages(objects: dict) -> dict[str, list[str]]:
    return {role: [p.format(**objects) for p in pages] for role, pages in PAGES.items()}


def _open(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 500, f"{url}: {response and response.status}"


def test_an_error_summary_links_to_its_fields(browser, live_server, world, tmp_path):
    objects = _seed(world, tmp_path / "uploads")
    page = browser.new_page(viewport=PHONE)
    sign_in_page(page, live_server, "inspector.a", PASSWORD)
    _open(page, f"{live_server}/inspector/alerts/{objects['alert_id']}?lang=zh-CN")
    page.fill("#note", " ")
    page.locator("#note").evaluate("el => el.removeAttribute('required')")
    page.locator("form:has(#note) button[type=submit]").click()
    link = page.locator(".error-summary a[href='#note']")
    assert link.count() == 1, page.content()[:2000]
    link.click()
    assert page.evaluate("document.activeElement.id") == "note" or page.url.endswith("#note")
    page.close()


def _phone_problems(page: Page, url: str) -> list[str]:
    """What keeps the open staff page from working on a 360-px phone."""
    problems = []
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > PHONE["width"]:
        problems.append(f"{url}: the page is {wide} px wide")
    small = page.evaluate(SMALL_TARGETS)
    if small:
        problems.append(f"{url}: small tap targets {small[:5]}")
    unreachable = page.evaluate(UNREACHABLE_SCROLLERS)
    if unreachable:
        problems.append(f"{url}: scrolling regions without a tab stop {unreachable}")
    if url.split("?")[0] in LISTS and page.locator("table.cards").count():
        shown = page.evaluate(CARD_ROW_DISPLAY)
        if shown != "block":
            problems.append(f"{url}: the table is not cards on a phone: {shown}")
    return problems


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def _axe_violations(page: Page, url: str) -> list[str]:
    """What axe-core finds on the open page: evaluated by the browser's tooling, which the
    page's CSP does not govern, so the pages are checked and photographed under their own."""
    page.evaluate(_axe_source())
    result = page.evaluate(AXE_RUN)
    assert result["passes"] > 10, f"axe checked nothing on {url}"  # it did run
    return [f"{url}: {violation}" for violation in result["violations"]]


# One case per role and size, so that the parallel suite spreads the walk over its workers.
@pytest.mark.parametrize("size_name", SIZES)
@pytest.mark.parametrize("role", [*PAGES, "worker"])
def test_every_roles_pages_fit_a_phone_pass_axe_and_are_photographed(
    browser, live_server, world, tmp_path, role, size_name
):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs axe-core from npm")
    objects = _seed(world, tmp_path / "uploads")
    urls = _pages(objects)[role] if role in PAGES else WORKER_PAGES
    context = browser.new_context(viewport=SIZES[size_name])
    page = context.new_page()
    if role in PAGES:
        sign_in_page(page, live_server, role, PASSWORD)
    problems = []
    for language in ("zh-CN", "en"):
        for url in urls:
            _open(page, f"{live_server}{url}?lang={language}")
            if language == "zh-CN" and size_name == "360" and role in PAGES:
                problems += _phone_problems(page, url)
            name = url.strip("/").replace("/", "_") or "home"
            screenshot(page, f"phone-{role}-{name}-{language}-{size_name}")
            if language == "zh-CN":
                problems += _axe_violations(page, url)
    context.close()
    assert not problems, "\n".join(f"{role} @{size_name}: {problem}" for problem in problems)
