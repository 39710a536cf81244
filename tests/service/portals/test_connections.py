"""One connection per request, never a nested one, from a pool sized by the settings."""

from anyio import to_thread
from fastapi.testclient import TestClient
from sqlalchemy import event

from service.app import create_app
from service.config import Settings
from tests.service.portals.conftest import PASSWORD
from tests.service.portals.test_tracking_flood import COMPLAINT


def test_the_pool_and_the_request_threads_follow_the_settings(db_url):
    settings = Settings(database_url=db_url, db_pool_size=7, db_max_overflow=3)
    with TestClient(create_app(settings)) as client:

        async def request_threads() -> int:
            return int(to_thread.current_default_thread_limiter().total_tokens)

        pool = client.app.state.engine.pool
        assert (pool.size(), pool._max_overflow) == (7, 3)
        assert client.portal.call(request_threads) == 10 == settings.request_threads


def test_tracking_and_sign_in_hold_one_connection_at_a_time(world):
    # The import runner polls on its own thread; its connections are not the requests'.
    settings = Settings(
        database_url=world.db_url, db_pool_size=3, db_max_overflow=1, import_jobs_enabled=False
    )
    with TestClient(create_app(settings)) as client:
        out, most = 0, 0

        def checkout(*_) -> None:
            nonlocal out, most
            out += 1
            most = max(most, out)

        def checkin(*_) -> None:
            nonlocal out
            out -= 1

        pool = client.app.state.engine.pool
        event.listen(pool, "checkout", checkout)
        event.listen(pool, "checkin", checkin)
        try:
            filed = client.post("/api/complaints", json=COMPLAINT).json()
            most = 0
            wrong = {"tracking_code": filed["tracking_code"], "pin": "000000"}
            right = {"tracking_code": filed["tracking_code"], "pin": filed["pin"]}
            for body in (wrong, right):
                assert client.post("/api/complaints/status", json=body).status_code in (200, 403)
            for password in ("not-the-password-at-all", PASSWORD):
                body = {"username": "inspector.a", "password": password}
                assert client.post("/api/auth/token", json=body).status_code in (200, 401)
        finally:
            event.remove(pool, "checkout", checkout)
            event.remove(pool, "checkin", checkin)
    assert most == 1


def test_an_app_that_shuts_down_leaves_no_connection_open(world):
    """Before, each app's pool outlived it: a test run serving hundreds of apps filled the
    PostgreSQL server's connection slots ("too many clients")."""
    settings = Settings(database_url=world.db_url)
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/complaints", json=COMPLAINT).status_code == 201
        pool = client.app.state.engine.pool
        assert pool.checkedin() >= 1
    assert pool.checkedin() == 0
