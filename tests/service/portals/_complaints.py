"""Helpers of the complaint tests in the portals (their builders are in tests/factories.py)."""

import re

from fastapi.testclient import TestClient


def csrf_of(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf(page)


def csrf(page) -> str:
    """The form token a page carries."""
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def case_pass(page) -> str:
    """The pass of the case a worker's status page was opened with (its forms send it back)."""
    return re.search(r'name="case_pass" value="([^"]+)"', page.text).group(1)


def status_page(client: TestClient, code: str, pin: str, lang: str = "zh-CN"):
    """The worker's status page of the case, opened with its tracking code and PIN."""
    page = client.get(f"/worker/track?lang={lang}")
    opened = client.post(
        "/worker/track", data={"tracking_code": code, "pin": pin, "csrf_token": csrf(page)}
    )
    assert opened.status_code == 200, opened.text
    return opened
