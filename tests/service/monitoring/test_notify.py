"""A monitors run tells people about new alerts through the outbox, in its own transaction."""

from datetime import date

import pytest
from sqlalchemy import text

from service.auth.service import create_user
from service.db import session_scope
from service.flows import monitor_runs as jobs
from service.flows.monitor_runs import run_monitors
from service.imports.service import run_import
from tests.factories import STRONG_PASSWORD, write_folder

AS_OF = date(2026, 11, 30)


def outbox(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted(
            tuple(row) for row in conn.execute(text("SELECT kind, to_address FROM outbox_message"))
        )


def imported_with_an_inspector(engine, tmp_path, reference) -> None:
    """The sample files imported, and an inspector of the whole city with an address."""
    assert run_import(engine, write_folder(tmp_path / "in"), reference).ok
    with session_scope(engine) as session:
        create_user(
            session=session,
            actor=None,
            username="insp",
            password=STRONG_PASSWORD,
            role="inspector",
            display_name="监察员",
            email="insp@example.cn",
            scopes=["330300"],
        )


def test_new_alerts_reach_the_inspectors_digest_and_the_employer(engine, tmp_path, reference):
    imported_with_an_inspector(engine, tmp_path, reference)
    run_monitors(engine, reference, as_of=AS_OF)
    queued = outbox(engine)
    assert ("alert_digest", "insp@example.cn") in queued
    assert ("employer_alert_notice", "hr@shoes.example.cn") in queued
    run_monitors(engine, reference, as_of=date(2026, 12, 1))  # nothing new → nothing more
    assert len(outbox(engine)) == len(queued)


def test_a_failed_run_queues_no_mail(engine, tmp_path, reference, monkeypatch):
    imported_with_an_inspector(engine, tmp_path, reference)

    def crash(conn, ids):
        raise RuntimeError("crash after queuing")

    monkeypatch.setattr(jobs, "_notify", crash)
    with pytest.raises(RuntimeError):
        run_monitors(engine, reference, as_of=AS_OF)
    assert outbox(engine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM alert")).scalar_one() == 0
