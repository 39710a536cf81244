"""An unreachable database is an outage, not a bug: 503 with Retry-After, never a 500."""

import socket

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def client_without_database():
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/wageguard"
    app = create_app(Settings(database_url=url, db_pool_timeout=2))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_the_api_answers_503_with_retry_after_when_the_database_is_unreachable(
    client_without_database,
):
    complaint = {
        "county_code": "330302",
        "employer_text": "温州某建筑公司",
        "period_from": "2026-08",
        "amount_owed": "8500",
        "description": "老板拖欠两个月工资。",
    }
    answer = client_without_database.post("/api/complaints", json=complaint)

    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.json()["error"] == "Unavailable"
    assert set(answer.json()["detail"]) == {"zh-CN", "en"}
    assert "Traceback" not in answer.text and "psycopg" not in answer.text


def test_a_page_answers_503_in_its_language_when_the_database_is_unreachable(
    client_without_database,
):
    page = client_without_database.get("/worker/complaint?lang=en")
    staff = client_without_database.get("/api/alerts", headers={"Authorization": "Bearer x"})

    assert page.status_code == 503 and "Retry-After" in page.headers
    assert "The service is busy" in page.text
    assert staff.status_code == 503
