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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
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
