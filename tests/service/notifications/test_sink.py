"""The local SMTP sink of `make run` stores what the real sender delivers."""

import email
import signal
import subprocess
import sys
from datetime import UTC, datetime
from email import policy

from service.config import PROJECT_ROOT
from service.notifications.sender import deliver_due
from tests.service.notifications.conftest import free_port, mail_settings, outbox, queue, wait_for


async def test_the_sink_stores_each_message_as_a_file_and_says_where(engine, tmp_path):
    port, folder, log = free_port(), tmp_path / "mail", tmp_path / "sink.log"
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.notifications.sink",
            "--port",
            str(port),
            "--dir",
            str(folder),
        ],
        cwd=PROJECT_ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: "SMTP sink on" in log.read_text(), 30, "the sink to start")
        queue(engine, 2)
        assert await deliver_due(engine, mail_settings(port), datetime.now(UTC)) == 2
        wait_for(lambda: len(list(folder.glob("*.eml"))) == 2, 10, "two files")
    finally:
        sink.send_signal(signal.SIGTERM)
        sink.wait(timeout=10)
    stored = {
        email.message_from_bytes(p.read_bytes(), policy=policy.default)["Message-ID"]: p
        for p in folder.glob("*.eml")
    }
    assert set(stored) == {m.message_id for m in outbox(engine)}
    printed = log.read_text()
    for path in stored.values():
        assert f"mail: {path}" in printed
    assert "rcpt0@tj.example.org" in printed and "还剩 3 天" in printed
