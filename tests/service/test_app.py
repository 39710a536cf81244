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


def test_a_body_over_the_size_limit_is_refused_before_any_route(db_url):
    from service.limits import MAX_BODY_BYTES

    with TestClient(create_app(Settings(database_url=db_url))) as client:
        response = client.post(
            "/api/auth/token",
            content=b"x" * (MAX_BODY_BYTES + 1),
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 413
        assert response.json()["error"] == "TooLarge"
