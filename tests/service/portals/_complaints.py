"""Helpers of the complaint tests in the portals (their builders are in tests/factories.py)."""

from fastapi.testclient import TestClient


def csrf_of(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]
