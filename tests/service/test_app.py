"""The web app over HTTP."""

from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings


def test_landing_page_says_what_wageguard_is_and_links_the_api_docs(db_url):
    with TestClient(create_app(Settings(database_url=db_url))) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "薪盾" in page.text and "WageGuard" in page.text
        assert 'href="/docs"' in page.text
        assert client.get("/docs").status_code == 200
        assert client.get("/openapi.json").json()["info"]["title"].startswith("WageGuard")
