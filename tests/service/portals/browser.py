"""A real browser against the real app: Debian's chromium driven by Playwright.

`live_server` serves the app on a free local port from a thread; `browser` launches
/usr/bin/chromium headless (installed by `make test`). Screenshots go to var/screenshots/.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from service.config import PROJECT_ROOT, Settings
from tests.service.portals.live import served

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
PHONE = {"width": 360, "height": 740}
# Chromium's own network chatter has nowhere to go on a closed network: switch it off.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def live_server(world, tmp_path) -> Iterator[str]:
    settings = Settings(
        database_url=world.db_url, upload_dir=tmp_path / "uploads", sms_sink_dir=tmp_path / "sms"
    )
    with served(settings) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test file. Not for the session: the sync Playwright leaves its event
    loop set as the thread's running loop while it lives, and every async test the same
    worker ran afterwards failed ("Runner.run() cannot be called from a running event loop")."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in_page(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def submit(page: Page, selector: str) -> None:
    """Click a link or a form's button and wait for the page that comes back."""
    with page.expect_navigation():
        page.click(selector)


def fits_phone(page: Page) -> bool:
    """The page needs no sideways scrolling on a 360 px phone."""
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"])


def fill_complaint_form(page: Page, base: str, employer_id: int, fields: dict[str, str]) -> None:
    """The worker's complaint form in Chinese against the employer found by searching 鹿城鞋业,
    in 五马街道 of 鹿城区, with `fields` (input selector: value) typed in; not sent yet."""
    page.goto(f"{base}/worker/complaint?lang=zh-CN")
    page.fill("#employer_q", "鹿城鞋业")
    submit(page, "form[method=get] button[type=submit]")
    page.check(f"input[name=employer_id][value='{employer_id}']")
    page.select_option("#county_code", "330302")
    page.select_option("#town", "五马街道")  # from the county's list of towns
    for selector, value in fields.items():
        page.fill(selector, value)


def receipt_codes(page: Page) -> tuple[str, str]:
    """The tracking code and PIN on the receipt of a complaint just filed."""
    page.wait_for_selector("#tracking-code")
    return page.inner_text("#tracking-code").strip(), page.inner_text("#pin").strip()


def open_status(page: Page, base: str, code: str, pin: str, language: str = "zh-CN") -> None:
    """The worker's status page of the case, opened with its tracking code and PIN."""
    page.goto(f"{base}/worker/track?lang={language}")
    page.fill("#tracking_code", code)
    page.fill("#pin", pin)
    submit(page, "form[action='/worker/track'] button[type=submit]")
