"""The sender against a real aiosmtpd server on 127.0.0.1: each message arrives once,
through an outage, concurrent senders and a sender killed mid-batch."""

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from service.config import PROJECT_ROOT
from service.notifications.models import OutboxMessage
from service.notifications.sender import deliver_due, run_sender
from tests.service.notifications.conftest import mail_settings, outbox, queue, wait_for


def now() -> datetime:
    return datetime.now(UTC)


async def test_due_messages_arrive_once_with_their_message_id(engine, smtp_server, settings):
    queue(engine, 3)
    assert await deliver_due(engine, settings, now()) == 3
    assert await deliver_due(engine, settings, now()) == 0
    rows = outbox(engine)
    assert [r.status for r in rows] == ["sent"] * 3 and all(r.sent_at for r in rows)
    counts = smtp_server.handler.count_by_message_id()
    assert counts == {r.message_id: 1 for r in rows}
    by_id = {r.message_id: r for r in smtp_server.received}
    for row in rows:
        received = by_id[row.message_id]
        assert received.to == row.to_address
        assert received.subject == row.subject
        assert received.text.strip() == row.body_text.strip()
        assert "<!DOCTYPE html>" in received.html
        assert received.message["From"] == "WageGuard 薪盾 <noreply@wageguard.local>"
        assert received.message["Auto-Submitted"] == "auto-generated"


async def test_not_before_holds_a_message_back(engine, smtp_server, settings):
    later = now() + timedelta(hours=2)
    queue(engine, 1, not_before=later)
    assert await deliver_due(engine, settings, now()) == 0
    assert smtp_server.received == []
    assert await deliver_due(engine, settings, later) == 1


async def test_server_down_then_back_each_message_arrives_exactly_once(engine, stopped_smtp_server):
    server = stopped_smtp_server
    settings = mail_settings(server.port, mail_retry_base_seconds=60)
    queue(engine, 4)
    start = now()

    assert await deliver_due(engine, settings, start) == 0
    rows = outbox(engine)
    assert {r.status for r in rows} == {"pending"}
    assert {r.attempts for r in rows} == {1}
    assert all(r.next_attempt_at >= start + timedelta(seconds=60) for r in rows)
    assert all("Connect" in r.last_error or "refused" in r.last_error for r in rows)

    # Within the backoff nothing is tried, so nothing is counted.
    assert await deliver_due(engine, settings, start + timedelta(seconds=30)) == 0
    assert {r.attempts for r in outbox(engine)} == {1}

    server.start()
    assert await deliver_due(engine, settings, start + timedelta(seconds=61)) == 4
    assert await deliver_due(engine, settings, start + timedelta(hours=1)) == 0
    rows = outbox(engine)
    assert {r.status for r in rows} == {"sent"}
    assert server.handler.count_by_message_id() == {r.message_id: 1 for r in rows}


async def test_backoff_doubles_and_the_message_fails_after_the_last_attempt(
    engine, stopped_smtp_server
):
    settings = mail_settings(
        stopped_smtp_server.port,
        mail_retry_base_seconds=10,
        mail_retry_max_seconds=15,
        mail_max_attempts=3,
    )
    queue(engine, 1)
    at = now()
    waits = []
    for _ in range(3):
        assert await deliver_due(engine, settings, at) == 0
        [row] = outbox(engine)
        waits.append((row.next_attempt_at - at).total_seconds())
        at = row.next_attempt_at
    [row] = outbox(engine)
    assert row.status == "failed" and row.attempts == 3 and row.last_error
    assert [round(w) for w in waits[:2]] == [10, 15]  # 10 × 2^0, then 10 × 2^1 capped at 15
    stopped_smtp_server.start()
    assert await deliver_due(engine, settings, at + timedelta(days=1)) == 0


async def test_a_permanent_refusal_fails_at_once_and_the_others_go_through(
    engine, smtp_server, settings
):
    smtp_server.handler.refused_recipients["rcpt1@tj.example.org"] = "550 5.1.1 No such user"
    queue(engine, 3)
    assert await deliver_due(engine, settings, now()) == 2
    statuses = {r.to_address: (r.status, r.attempts) for r in outbox(engine)}
    assert statuses["rcpt1@tj.example.org"] == ("failed", 1)
    assert statuses["rcpt0@tj.example.org"] == ("sent", 0)
    assert statuses["rcpt2@tj.example.org"] == ("sent", 0)


async def test_a_temporary_refusal_is_retried(engine, smtp_server, settings):
    smtp_server.handler.refused_recipients["rcpt0@tj.example.org"] = "450 4.2.1 Try later"
    queue(engine, 1)
    start = now()
    assert await deliver_due(engine, settings, start) == 0
    [row] = outbox(engine)
    assert row.status == "pending" and row.attempts == 1 and "450" in row.last_error
    del smtp_server.handler.refused_recipients["rcpt0@tj.example.org"]
    assert await deliver_due(engine, settings, start + timedelta(minutes=2)) == 1
    assert [r.message_id for r in smtp_server.received] == [row.message_id]


async def test_a_server_that_does_not_answer_is_given_up_on_before_the_lease_ends(
    engine, smtp_server
):
    # The cut-off is half the lease: no other sender can recover the message while this
    # one still waits for the server.
    settings = mail_settings(smtp_server.port, mail_lease_seconds=2.0)
    smtp_server.handler.hold_nth = 1
    queue(engine, 1)
    start = now()
    assert await deliver_due(engine, settings, start) == 0
    [row] = outbox(engine)
    assert row.status == "pending" and row.attempts == 1
    assert "TimeoutError" in row.last_error
    assert (datetime.now(UTC) - start).total_seconds() < settings.mail_lease_seconds
    smtp_server.handler.release.set()
    assert await deliver_due(engine, settings, start + timedelta(minutes=2)) == 1
    assert [r.message_id for r in smtp_server.received] == [row.message_id]


async def test_a_message_stuck_sending_past_the_lease_is_sent_again_keeping_its_id(
    engine, smtp_server, settings
):
    queue(engine, 2)
    start = now()
    table = OutboxMessage.__table__
    with engine.begin() as conn:
        # One left by a sender that died long ago, one claimed a moment ago by a live one.
        conn.execute(
            update(table)
            .where(table.c.dedupe_key == "m0")
            .values(status="sending", claimed_at=start - timedelta(minutes=6))
        )
        conn.execute(
            update(table)
            .where(table.c.dedupe_key == "m1")
            .values(status="sending", claimed_at=start - timedelta(minutes=1))
        )
    before = {r.dedupe_key: r.message_id for r in outbox(engine)}
    assert await deliver_due(engine, settings, start) == 1
    rows = {r.dedupe_key: r for r in outbox(engine)}
    assert rows["m0"].status == "sent" and rows["m1"].status == "sending"
    assert [r.message_id for r in smtp_server.received] == [before["m0"]]


async def test_concurrent_senders_send_each_message_once(engine, smtp_server):
    settings = mail_settings(smtp_server.port, mail_batch_size=4)
    queue(engine, 24)

    async def sender() -> int:
        total = 0
        while sent := await deliver_due(engine, settings, now()):
            total += sent
        return total

    totals = await asyncio.gather(*(sender() for _ in range(3)))
    assert sum(totals) == 24
    rows = outbox(engine)
    assert {r.status for r in rows} == {"sent"}
    assert smtp_server.handler.count_by_message_id() == {r.message_id: 1 for r in rows}


async def test_run_sender_delivers_until_stopped(engine, smtp_server):
    settings = mail_settings(smtp_server.port, mail_poll_seconds=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(run_sender(engine, settings, stop))
    queue(engine, 2)
    for _ in range(200):
        if len(smtp_server.received) == 2:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert len(smtp_server.received) == 2


# --- the sender process killed mid-batch ------------------------------------------------------

LEASE_SECONDS = 4


def start_sender(db_url: str, port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "WAGEGUARD_DATABASE_URL": db_url,
        "WAGEGUARD_SMTP_HOST": "127.0.0.1",
        "WAGEGUARD_SMTP_PORT": str(port),
        "WAGEGUARD_SMTP_TIMEOUT_SECONDS": "30",
        "WAGEGUARD_MAIL_LEASE_SECONDS": str(LEASE_SECONDS),
        "WAGEGUARD_MAIL_POLL_SECONDS": "0.2",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "service.notifications.sender"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def test_sender_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    engine, db_url, smtp_server, tmp_path
):
    handler = smtp_server.handler
    handler.hold_nth = 3  # the server holds the 3rd message without answering its DATA
    queue(engine, 6)
    log = tmp_path / "sender.log"

    first = start_sender(db_url, smtp_server.port, log)
    try:
        assert handler.holding.wait(timeout=60), log.read_text()
        first.send_signal(signal.SIGKILL)  # while it waits for the server's reply
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()

    statuses = sorted(r.status for r in outbox(engine))
    assert statuses == ["sending"] * 4 + ["sent"] * 2  # the held one and the rest of the batch
    assert len(handler.received) == 2
    handler.release.set()  # the server never acknowledged it: it refuses, keeps nothing

    second = start_sender(db_url, smtp_server.port, log)
    try:
        wait_for(
            lambda: all(r.status == "sent" for r in outbox(engine)),
            timeout=60,
            what="every message sent after the restart",
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=10)
    rows = outbox(engine)
    assert handler.count_by_message_id() == {r.message_id: 1 for r in rows}
    assert "recovered from a stopped sender" in log.read_text()


def test_the_sender_module_runs_standalone_and_stops_on_sigterm(db_url, smtp_server, tmp_path):
    log = tmp_path / "sender.log"
    process = start_sender(db_url, smtp_server.port, log)
    try:
        wait_for(lambda: "outbox sender: SMTP 127.0.0.1" in log.read_text(), 60, "start-up")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
