"""Accessibility of every role's pages (issue 13, item 12): axe-core, from npm (`make test`
installs it into var/node), injected by the test into each page at 360 and 1366 px; the WCAG
2.0–2.2 A and AA rules must find nothing."""

import pytest
from playwright.sync_api import Page

from service.config import PROJECT_ROOT
from tests.service.portals.browser import PHONE, sign_in_page
from tests.service.portals.conftest import PASSWORD
from tests.service.portals.test_browser_phone import DESKTOP, PAGES, _pages
from tests.service.portals.test_one_language import _seed

pytestmark = pytest.mark.browser

AXE = PROJECT_ROOT / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
WORKER_PAGES = ["/", "/login", "/worker", "/worker/complaint", "/worker/track", "/worker/legal-aid"]
RUN = """
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


def _violations(page: Page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status < 500, url
    page.add_script_tag(path=str(AXE))  # the context bypasses the CSP for this script only
    result = page.evaluate(RUN)
    assert result["passes"] > 10, f"axe checked nothing on {url}"  # it did run
    return result["violations"]


# One case per role and size, so that the parallel suite spreads the walk over its workers.
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["360", "1366"])
@pytest.mark.parametrize("role", [*PAGES, "anonymous"])
def test_axe_finds_nothing_on_any_page_of_any_role(
    browser, live_server, world, tmp_path, role, size
):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs axe-core from npm")
    objects = _seed(world, tmp_path / "uploads")
    urls = _pages(objects)[role] if role in PAGES else WORKER_PAGES
    context = browser.new_context(viewport=size, bypass_csp=True)
    page = context.new_page()
    if role != "anonymous":
        sign_in_page(page, live_server, role, PASSWORD)
    found = [
        f"{role} {url} @{size['width']}: {problem}"
        for url in urls
        for problem in _violations(page, f"{live_server}{url}?lang=zh-CN")
    ]
    context.close()
    assert not found, "\n".join(found)
