"""Sign-in limits that hold under concurrency, a proxy header believed only from a listed
proxy, no username oracle, and a guesser who cannot lock the real user out."""

import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.app import create_app
from service.auth.models import User
from service.auth.passwords import hash_password
from service.config import Settings
from service.db import session_scope
from tests.service.portals.conftest import PASSWORD, sign_in
from tests.service.portals.live import served

WRONG = "not-the-password-at-all"
# A quarter-hour boundary (a fixed window of the default 15 minutes, or of one minute, would
# start here) and instants just before and after it.
BOUNDARY = 1_795_000_500.0  # 2026-11-18 09:15:00 UTC, a multiple of 900 s
BEFORE, AFTER = BOUNDARY - 2, BOUNDARY + 2


@contextmanager
def client_for(world, address: str = "198.51.100.20", **limits) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=world.db_url, **limits))
    with TestClient(app, client=(address, 50000)) as client:
        yield client


def token_status(client, username: str, password: str = WRONG, **headers) -> int:
    body = {"username": username, "password": password}
    return client.post("/api/auth/token", json=body, headers=headers).status_code


def test_forty_concurrent_wrong_passwords_cannot_all_be_checked(world):
    settings = Settings(database_url=world.db_url)
    with served(settings) as base:

        def attempt(_: int) -> int:
            body = {"username": "inspector.a", "password": WRONG}
            return httpx.post(f"{base}/api/auth/token", json=body, timeout=60).status_code

        with ThreadPoolExecutor(max_workers=40) as pool:
            statuses = list(pool.map(attempt, range(40)))

    limit = settings.signin_failures_per_username
    assert sorted(set(statuses)) == [401, 429]
    assert statuses.count(401) == limit and statuses.count(429) == 40 - limit


def test_one_password_against_many_usernames_is_limited_per_address(world):
    with client_for(world, signin_failures_per_address=3) as client:
        statuses = [token_status(client, f"user{n}") for n in range(7)]
    assert statuses[:3] == [401, 401, 401] and statuses[-1] == 429


def test_attempts_overall_are_limited_across_addresses_and_usernames(world):
    limits = {"signin_attempts_per_minute": 3, "trusted_proxies": ["10.0.0.0/8"]}
    with client_for(world, address="10.0.0.2", **limits) as proxy:
        # Seven clients behind a listed proxy, each with its own username: only the overall
        # count binds, and a minute's window seen twice lets at most six through.
        statuses = [
            token_status(proxy, f"user{n}", **{"X-Forwarded-For": f"203.0.113.{n}"})
            for n in range(7)
        ]
    assert 429 in statuses and statuses[0] == 401


def test_a_forged_forwarded_for_does_not_reset_the_limit(world):
    with client_for(world, signin_failures_per_address=3) as client:
        statuses = [
            token_status(client, f"user{n}", **{"X-Forwarded-For": f"203.0.113.{n}"})
            for n in range(7)
        ]
    assert statuses[:3] == [401, 401, 401] and statuses[-1] == 429


def test_behind_a_listed_proxy_each_client_is_counted_on_its_own(world):
    limits = {"signin_failures_per_address": 3, "trusted_proxies": ["10.0.0.2"]}
    with client_for(world, address="10.0.0.2", **limits) as proxy:
        for _ in range(3):
            token_status(proxy, "nobody", **{"X-Forwarded-For": "203.0.113.1"})
        first = token_status(proxy, "someone", **{"X-Forwarded-For": "203.0.113.1"})
        second = token_status(proxy, "someone", **{"X-Forwarded-For": "203.0.113.2"})
    assert (first, second) == (429, 401)


@pytest.mark.serial
def test_an_unknown_username_costs_as_long_as_a_known_one(world, strong_password_hashing):
    with session_scope(world.engine) as session:  # the world's hash is the suite's cheap one
        user = session.scalar(select(User).where(User.username == "inspector.a"))
        user.password_hash = hash_password(PASSWORD)
    with client_for(world) as client:

        def median_seconds(username: str) -> float:
            times = []
            for _ in range(3):
                start = time.perf_counter()
                assert token_status(client, username) == 401
                times.append(time.perf_counter() - start)
            return statistics.median(times)

        known, unknown = median_seconds("inspector.a"), median_seconds("no.such.user")
    # Today: 4 ms against 200 ms. Both now verify one Argon2 hash.
    assert 0.5 < unknown / known < 2, (known, unknown)


def test_correct_passwords_do_not_use_up_the_limit(world):
    with client_for(world, signin_failures_per_username=2) as client:
        assert [token_status(client, "inspector.a", PASSWORD) for _ in range(5)] == [200] * 5


def test_a_guesser_cannot_lock_the_real_user_out_of_a_browser_it_signed_in_from(world):
    limits = {"signin_failures_per_username": 3}
    with (
        client_for(world, address="198.51.100.20", **limits) as worker,
        client_for(world, address="198.51.100.20", **limits) as guesser,  # same office
    ):
        assert sign_in(worker, "inspector.a").status_code == 303  # a known browser now
        worker.cookies.delete("wg_session")
        for _ in range(3):
            assert sign_in(guesser, "inspector.a", WRONG).status_code == 401
        assert sign_in(guesser, "inspector.a").status_code == 429  # the guesser is slowed

        assert sign_in(worker, "inspector.a").status_code == 303  # the user is not


@pytest.mark.parametrize(
    ("limits", "attempts"),
    [
        pytest.param({"signin_failures_per_username": 3}, "one user", id="per-username"),
        pytest.param({"signin_failures_per_address": 3}, "many users", id="per-address"),
        pytest.param(
            {"signin_attempts_per_minute": 3, "trusted_proxies": ["10.0.0.2"]},
            "many places",
            id="overall",
        ),
    ],
)
def test_bursts_straddling_a_window_boundary_never_exceed_the_limit(world, limits, attempts):
    """Fixed windows let 3 + 3 wrong passwords through within four seconds here."""

    def burst(client, first: int) -> list[int]:
        statuses = []
        for n in range(first, first + 5):
            username = "inspector.a" if attempts == "one user" else f"user{n}"
            forwarded = {"X-Forwarded-For": f"203.0.113.{n}"} if attempts == "many places" else {}
            statuses.append(token_status(client, username, **forwarded))
        return statuses

    address = "10.0.0.2" if attempts == "many places" else "198.51.100.20"
    with client_for(world, address=address, **limits) as client:
        with time_machine.travel(BEFORE, tick=True):
            before = burst(client, 0)
        with time_machine.travel(AFTER, tick=True):
            after = burst(client, 10)
    assert before == [401, 401, 401, 429, 429]
    assert after == [429] * 5, "a new fixed window let the guesser start again"


def test_a_username_slot_reopens_a_window_after_its_failure_with_growing_delays(world):
    limits = {"signin_failures_per_username": 2, "signin_max_delay_minutes": 60}
    with client_for(world, **limits) as client:
        with time_machine.travel(BOUNDARY, tick=False):
            assert [token_status(client, "inspector.a") for _ in range(3)] == [401, 401, 429]
        # The window has moved on; the username's failures now open delays: 2 minutes
        # after the 3rd failure, 4 after the 4th … (1 minute after the 2nd has passed).
        with time_machine.travel(BOUNDARY + 15 * 60, tick=False):
            assert token_status(client, "inspector.a") == 401
        with time_machine.travel(BOUNDARY + 16 * 60, tick=False):
            assert token_status(client, "inspector.a") == 429  # the 2-minute delay runs
        with time_machine.travel(BOUNDARY + 30 * 60, tick=False):
            assert token_status(client, "inspector.a") == 401
        with time_machine.travel(BOUNDARY + 33 * 60, tick=False):
            assert token_status(client, "inspector.a") == 429  # now 4 minutes
        with time_machine.travel(BOUNDARY + 34 * 60, tick=False):
            # never a lock: the delay ends, and the right password clears it
            assert token_status(client, "inspector.a", PASSWORD) == 200
            assert token_status(client, "inspector.a") == 401
