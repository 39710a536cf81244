"""A monitors run tells people about new alerts through the outbox, in its own transaction."""

from datetime import date

import pytest
from sqlalchemy import text

from service.auth.service import create_user
from service.db import session_scope
from service.imports.service import run_import
from service.monitoring import jobs
from service.monitoring.jobs import run_monitors
from tests.builders import write_folder

AS_OF = date(2026, 11, 30)


def outbox(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted(
            tuple(row) for row in conn.execute(text("SELECT kind, to_address FROM outbox_message"))
        )


def test_new_alerts_reach_the_inspectors_digest_and_the_employer(engine, tmp_path, reference):
    assert run_import(engine, write_folder(tmp_path / "in"), reference).ok
    with session_scope(engine) as session:
        create_user(
            session=session,
            actor=None,
            username="insp",
            password="x" * 12,
            role="inspector",
            display_name="监察员",
            email="insp@example.cn",
            scopes=["330300"],
        )
    run_monitors(engine, reference, as_of=AS_OF)
    queued = outbox(engine)
    assert ("alert_digest", "insp@example.cn") in queued
    assert ("employer_alert_notice", "hr@shoes.example.cn") in queued
    run_monitors(engine, reference, as_of=date(2026, 12, 1))  # nothing new → nothing more
    assert len(outbox(engine)) == len(queued)


def test_a_failed_run_queues_no_mail(engine, tmp_path, reference, monkeypatch):
    assert run_import(engine, write_folder(tmp_path / "in"), reference).ok
    with session_scope(engine) as session:
        create_user(
            session=session,
            actor=None,
            username="insp",
            password="x" * 12,
            role="inspector",
            display_name="监察员",
            email="insp@example.cn",
            scopes=["330300"],
        )

    def crash(conn, ids):
        raise RuntimeError("crash after queuing")

    monkeypatch.setattr(jobs, "_notify", crash)
    with pytest.raises(RuntimeError):
        run_monitors(engine, reference, as_of=AS_OF)
    assert outbox(engine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM alert")).scalar_one() == 0
