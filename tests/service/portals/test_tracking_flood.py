"""Forty parallel wrong PINs against one code: no 5xx, no pool exhaustion, no race past the
delay, and an inspector's inbox still answers at once (one connection per request)."""

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from service.complaints.models import Complaint
from service.config import Settings
from service.db import session_scope
from tests.service.portals.conftest import PASSWORD
from tests.service.portals.live import served

# Floods a server and times its answers: runs alone, after the parallel pass (Makefile).
pytestmark = pytest.mark.serial

COMPLAINT = {
    "county_code": "330302",
    "employer_text": "温州某鞋厂",
    "town": "五马街道",
    "period_from": "2026-08",
    "period_to": "2026-09",
    "amount_owed": "8500",
    "workers_affected": "1",
    "description": "拖欠工资。",
    "phone": "13812345678",
}


def signed_in_browser(base: str, username: str) -> httpx.Client:
    browser = httpx.Client(base_url=base, timeout=60)
    page = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = browser.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 303, answer.text
    return browser


def test_forty_concurrent_wrong_pins_get_no_5xx_while_the_inbox_answers_in_a_second(world):
    settings = Settings(database_url=world.db_url)
    with served(settings) as base:
        filed = httpx.post(f"{base}/api/complaints", json=COMPLAINT, timeout=60).json()
        code, wrong = filed["tracking_code"], f"{(int(filed['pin']) + 1) % 1_000_000:06d}"
        inspector = signed_in_browser(base, "inspector.a")
        # Served once before: what is measured is the flood, not compiling the page's templates.
        assert inspector.get("/inspector/alerts").status_code == 200

        # One client for all forty guessers: the server runs in this process, and forty clients
        # each building its own TLS context would measure the test's own CPU, not the server's.
        guesser = httpx.Client(base_url=base, timeout=60, limits=httpx.Limits(max_connections=40))

        def guess(_: int) -> int:
            body = {"tracking_code": code, "pin": wrong}
            return guesser.post("/api/complaints/status", json=body).status_code

        def inbox() -> tuple[int, float]:
            start = time.perf_counter()
            status = inspector.get("/inspector/alerts").status_code
            return status, time.perf_counter() - start

        with ThreadPoolExecutor(max_workers=41) as pool:
            guesses = [pool.submit(guess, n) for n in range(40)]
            inbox_answer = pool.submit(inbox)
            statuses = [future.result() for future in guesses]
            inbox_status, inbox_seconds = inbox_answer.result()
        inspector.close()
        guesser.close()

    assert statuses == [403] * 40
    assert inbox_status == 200 and inbox_seconds < 1.0, inbox_seconds
    with session_scope(world.engine) as session:
        complaint = session.scalar(select(Complaint).where(Complaint.tracking_code == code))
        # Only the free tries and the one that opened the first delay were looked at.
        assert complaint.pin_failures == settings.tracking_free_failures + 1
        assert complaint.locked_until is not None
