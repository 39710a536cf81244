"""The inspector's "run now" and its API twin run as of Wenzhou's day, on a UTC host, at an
instant when the host's day is still the day before."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from service import clock
from tests.service.portals.conftest import bearer, sign_in

INSTANT = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)  # 2 December, 01:30 in Wenzhou
WENZHOU_DAY = "2026-12-02"


@pytest.fixture
def utc_host_at_instant(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(clock, "utc_now", lambda: INSTANT)
    yield
    monkeypatch.undo()
    time.tzset()


def test_run_now_runs_as_of_the_wenzhou_day(app_client, world, utc_host_at_instant):
    assert sign_in(app_client, "inspector.a").status_code == 303
    response = app_client.post(
        "/inspector/monitors/run",
        data={"csrf_token": app_client.cookies["wg_csrf"]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    inbox = app_client.get(response.headers["location"]).text
    assert f"截至 {WENZHOU_DAY}" in inbox

    api = app_client.post("/api/monitors/run", headers=bearer(app_client, "admin"))
    assert api.status_code == 200 and api.json()["as_of"] == WENZHOU_DAY
