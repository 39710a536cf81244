"""Complaint intake under real concurrency: a uvicorn server on a free port, and threads.

Bursts from one address, two instances on one database, a flood beyond capacity while an
inspector works, twin retries of one submission, and a client that gives up mid-request.
"""

import asyncio
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager

import httpx
import pytest
from sqlalchemy import func, select, text

from service.complaints import intake
from service.complaints.models import Complaint
from service.config import Settings
from service.db import session_scope
from tests.service.portals import live
from tests.service.portals.conftest import PASSWORD
from tests.service.portals.test_worker_complaints import complaint

# Floods a server and times its answers: runs alone, after the parallel pass (Makefile).
pytestmark = pytest.mark.serial


def served(world, **settings) -> AbstractContextManager[str]:
    """The app on a free port, served from a thread of this process."""
    return live.served(Settings(database_url=world.db_url, **settings))


def saved(world) -> int:
    with session_scope(world.engine) as session:
        return session.scalar(select(func.count()).select_from(Complaint))


def post_complaints(urls: list[str], world, count: int, **headers) -> list[httpx.Response]:
    """`count` complaints at once, spread over the servers in turn."""

    def one(i: int) -> httpx.Response:
        body = complaint(world, amount_owed=str(1000 + i))
        return httpx.post(f"{urls[i % len(urls)]}/api/complaints", json=body, timeout=60)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


async def flood(url: str, world, *, per_second: int, seconds: float) -> list[httpx.Response]:
    """Open-loop load: `per_second` complaints a second whatever the answers, from one thread
    (client threads would compete with the server for this process's interpreter lock)."""
    limits = httpx.Limits(max_connections=None)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        sent = []
        for i in range(int(per_second * seconds)):
            body = complaint(world, amount_owed=str(1000 + i))
            sent.append(asyncio.create_task(client.post("/api/complaints", json=body)))
            await asyncio.sleep(1 / per_second)
        return await asyncio.gather(*sent)


def test_a_burst_from_one_address_is_held_to_the_limit(world, monkeypatch):
    monkeypatch.setattr(intake, "COMPLAINTS_PER_HOUR", 10)
    with served(world, intake_max_in_flight=100) as url:
        answers = post_complaints([url], world, 40)

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * 10 + [429] * 30
    assert saved(world) == 10


def test_two_instances_share_the_limit(world, monkeypatch):
    monkeypatch.setattr(intake, "COMPLAINTS_PER_HOUR", 6)
    with served(world, intake_max_in_flight=100) as one, served(world) as two:
        answers = post_complaints([one, two], world, 20)

    assert [a.status_code for a in answers].count(201) == 6
    assert saved(world) == 6


def test_beyond_capacity_intake_is_shed_fast_while_staff_stay_responsive(world, monkeypatch):
    monkeypatch.setattr(intake, "COMPLAINTS_PER_HOUR", 10_000)
    with served(world, intake_max_in_flight=2) as url:
        token = httpx.post(
            f"{url}/api/auth/token", json={"username": "inspector.a", "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{url}/api/alerts", headers=headers).status_code == 200  # warm
        staff_times: list[float] = []

        def staff() -> None:
            time.sleep(0.5)  # the flood is under way
            for _ in range(15):
                started = time.monotonic()
                assert httpx.get(f"{url}/api/alerts", headers=headers).status_code == 200
                staff_times.append(time.monotonic() - started)
                time.sleep(0.1)

        inspector = threading.Thread(target=staff)
        inspector.start()
        started = time.monotonic()
        # Its own thread and loop: a browser test's Playwright keeps a loop running in this one.
        with ThreadPoolExecutor(1) as pool:
            answers = pool.submit(
                asyncio.run, flood(url, world, per_second=150, seconds=3)
            ).result()
        inspector.join()

    statuses = [answer.status_code for answer in answers]
    shed = [answer for answer in answers if answer.status_code == 503]
    assert set(statuses) <= {201, 503} and shed and statuses.count(201) >= 2
    assert all(answer.headers["Retry-After"].isdigit() for answer in shed)
    assert shed[0].json()["error"] == "Overloaded"
    assert time.monotonic() - started < 30  # answered, not queued for 30 s
    assert max(staff_times) < 1.0, staff_times
    assert saved(world) == statuses.count(201)  # every saved complaint got its answer


def test_twin_retries_of_one_submission_file_one_case(world):
    key = str(uuid.uuid4())
    body = complaint(world)

    def send(_: int) -> httpx.Response:
        headers = {"Idempotency-Key": key}
        return httpx.post(f"{url}/api/complaints", json=body, headers=headers, timeout=60)

    with served(world, intake_max_in_flight=100) as url, ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(send, range(12)))

    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["tracking_code"] for answer in answers}) == 1
    assert saved(world) == 1


def _hold_the_address_counter(world):
    """A transaction holding the row (PostgreSQL) or the write lock (SQLite) that the filing
    needs last, so the request is still at work when its client gives up."""
    connection = world.engine.connect()
    transaction = connection.begin()
    connection.execute(
        text(
            "INSERT INTO rate_limit_count (key, window_start, count) VALUES (:key, 0, 0) "
            "ON CONFLICT (key) DO UPDATE SET count = rate_limit_count.count"
        ),
        {"key": "complaint:address:127.0.0.1"},
    )
    return connection, transaction


@pytest.mark.timeout(120)
def test_a_complaint_whose_client_has_gone_is_not_saved(world):
    with served(world) as url:
        connection, transaction = _hold_the_address_counter(world)
        try:
            with pytest.raises(httpx.ReadTimeout):
                httpx.post(f"{url}/api/complaints", json=complaint(world), timeout=1.5)
        finally:
            transaction.commit()
            connection.close()
        time.sleep(3)  # the request finishes its work after the client has gone
        assert saved(world) == 0
        answer = httpx.post(f"{url}/api/complaints", json=complaint(world), timeout=30)
        assert answer.status_code == 201
    assert saved(world) == 1
