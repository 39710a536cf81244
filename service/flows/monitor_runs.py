"""The monitors run: frames → rules → reconcile alerts (alerts) → employers' risk tiers (risk)
→ the overview's place summaries (overview) → e-mails of new alerts (notifications), as one
transaction; on an inspector's request, also recorded in the audit log. A run that reuses its
findings stores no summaries: the overview reads the latest run that has some."""

import logging
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from monitors.base import Rule
from monitors.engine import evaluate
from monitors.reference import Reference
from monitors.registry import all_rules
from service import data_version
from service.alerts.lifecycle import Changes, reconcile
from service.alerts.service import RunConflict, RunResult, get_run
from service.audit import service as audit
from service.auth.actors import Actor
from service.db import refresh_statistics
from service.monitoring.fingerprint import run_fingerprint
from service.monitoring.frames import (
    load_employer_snapshot,
    load_shard_snapshot,
    load_snapshot,
)
from service.monitoring.lock import (
    RunInProgress,
    monitor_lock,
    notification_turn,
    shard_lock,
)
from service.notifications.service import notify_new_alerts
from service.overview import compute as overview
from service.risk import service as risk

# The tables a whole-city run writes the most of, analysed at its end.
RUN_WRITES = ["alert", "employer", "employer_risk_tier"]

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    run_id: int
    as_of: date
    findings: int
    changes: Changes
    reused: bool = False

    def line(self) -> str:
        c = self.changes
        unchanged = " (no data change since the last run)" if self.reused else ""
        return (
            f"monitors as of {self.as_of}: {self.findings} findings; {c.opened} opened, "
            f"{c.updated} updated, {c.resolved} resolved, {c.reopened} reopened{unchanged}"
        )


def run_monitors(
    engine: Engine,
    reference: Reference,
    *,
    as_of: date,
    trigger: str = "cli",
    rules: dict[str, Rule] | None = None,
) -> RunSummary:
    """Evaluate the rules as of `as_of` and bring the alerts up to date.

    The run is one transaction: if anything fails, the alerts stay as they were.
    """
    rules = all_rules() if rules is None else rules
    with monitor_lock(engine):
        with engine.connect() as conn:
            fingerprint = run_fingerprint(
                data_version=data_version.current(conn),
                reference=reference,
                rules=rules,
                as_of=as_of,
            )
            if _latest_fingerprint(conn) == fingerprint:
                return _record_reused_run(engine, reference, as_of, trigger, fingerprint)
        inputs = tuple(sorted({*_inputs(rules), *overview.INPUTS}))
        snapshot = load_snapshot(engine, reference, as_of, inputs)
        findings = evaluate(snapshot, rules)
        with engine.begin() as conn:
            run_id = _start_run(conn, as_of, trigger, fingerprint)
            changes = reconcile(conn, findings, rule_ids=sorted(rules), as_of=as_of, run_id=run_id)
            risk.record_run(conn, run_id=run_id, as_of=as_of, reference=reference)
            overview.record_run(conn, run_id=run_id, as_of=as_of, snapshot=snapshot)
            _finish_run(conn, run_id, len(findings), changes)
            _notify(conn, changes.news)
            # A whole-city run may write an alert and move the tier of every employer: the
            # planner would otherwise keep planning the inbox for the tables the import left.
            refresh_statistics(conn, RUN_WRITES)
    summary = RunSummary(run_id, as_of, len(findings), changes)
    log.info(summary.line())
    return summary


def check_employer(
    engine: Engine,
    reference: Reference,
    *,
    employer_id: int,
    as_of: date,
    trigger: str = "cli",
    rules: dict[str, Rule] | None = None,
) -> RunSummary:
    """Evaluate every rule for one employer now, on its share of the data (frames.
    employer_snapshot), and bring only its alerts and risk tier up to date: "check again"
    after it fixed its records, without waiting for the nightly run.

    The run is recorded without a fingerprint, so the next whole-city run never takes it for
    one whose findings it could reuse. With `rules`, only those rules' alerts are touched.
    It writes only its employer's alerts, so it takes that employer's county lock: checks go
    ahead while other counties' shards run."""
    rules = all_rules() if rules is None else rules
    with shard_lock(engine, _county_of(engine, employer_id)):
        snapshot = load_employer_snapshot(engine, reference, as_of, employer_id, _inputs(rules))
        findings = evaluate(snapshot, rules)
        summary = _record_partial_run(
            engine, reference, findings, [employer_id], rules=rules, as_of=as_of, trigger=trigger
        )
    log.info("employer %s: %s", employer_id, summary.line())
    return summary


def _county_of(engine: Engine, employer_id: int) -> list[str]:
    with engine.connect() as conn:
        county = conn.execute(
            text("SELECT county_code FROM employer WHERE id = :id"), {"id": employer_id}
        ).scalar()
    return [str(county)] if county else []


def run_shard(
    engine: Engine,
    reference: Reference,
    *,
    counties: list[str],
    as_of: date,
    trigger: str = "cli",
    rules: dict[str, Rule] | None = None,
) -> RunSummary:
    """Evaluate every rule for the employers of some counties (a shard), on the union of their
    shares of the data (frames.load_shard_snapshot), and bring only their alerts and risk
    tiers up to date. Every rule is per employer (or per project, whose alerts are its
    contractor's), so running every county's shard gives what a whole-city run gives; shards
    of different counties run side by side, in processes or on machines of their own.

    Like a check, the run stores no fingerprint and no overview summaries: the overview reads
    the latest whole-city run."""
    rules = all_rules() if rules is None else rules
    with shard_lock(engine, counties):
        snapshot, employer_ids = load_shard_snapshot(
            engine, reference, as_of, counties, _inputs(rules)
        )
        findings = evaluate(snapshot, rules)
        summary = _record_partial_run(
            engine, reference, findings, employer_ids, rules=rules, as_of=as_of, trigger=trigger
        )
    log.info("counties %s: %s", ",".join(sorted(counties)), summary.line())
    return summary


def _record_partial_run(
    engine: Engine,
    reference: Reference,
    findings: pd.DataFrame,
    employer_ids: list[int],
    *,
    rules: dict[str, Rule],
    as_of: date,
    trigger: str,
) -> RunSummary:
    """Reconcile the alerts and score the tiers of these employers only. Findings about other
    employers are dropped: their share was not read whole, and they belong to a run of their
    own (their county's shard)."""
    findings = findings[findings["employer_id"].isin(employer_ids)]
    with engine.begin() as conn:
        run_id = _start_run(conn, as_of, trigger, fingerprint="")
        changes = reconcile(
            conn,
            findings,
            rule_ids=sorted(rules),
            as_of=as_of,
            run_id=run_id,
            employer_ids=employer_ids,
        )
        risk.record_run(
            conn, run_id=run_id, as_of=as_of, reference=reference, employer_ids=employer_ids
        )
        _finish_run(conn, run_id, len(findings), changes)
        _notify(conn, changes.news)
    return RunSummary(run_id, as_of, len(findings), changes)


def _inputs(rules: dict[str, Rule]) -> tuple[str, ...]:
    """The frames the rules read, and the two every run needs."""
    return tuple(
        sorted(
            {name for rule in rules.values() for name in rule.inputs} | {"employers", "projects"}
        )
    )


def run_now(
    *, session: Session, actor: Actor, engine: Engine, reference: Reference, as_of: date
) -> RunResult:
    """Run the monitors as of `as_of` (their own transaction, under the monitors lock) and
    record who asked; RunConflict while another run holds the lock."""
    try:
        summary = run_monitors(engine, reference, as_of=as_of, trigger="api")
    except RunInProgress as error:
        raise RunConflict("a monitors run is already in progress") from error
    result = get_run(session=session, run_id=summary.run_id)
    audit.record(
        session,
        actor,
        "monitors.run",
        "monitor_run",
        str(summary.run_id),
        after=result.model_dump(mode="json"),
    )
    return result


def _notify(conn, alert_ids: list[int]) -> None:
    """Inspectors and employers hear of new alerts in the run's own transaction (outbox)."""
    if not alert_ids:
        return
    notification_turn(conn)
    with Session(bind=conn) as session:
        notify_new_alerts(session, alert_ids)
        session.flush()


def _latest_fingerprint(conn) -> str | None:
    return conn.execute(
        text(
            "SELECT fingerprint FROM monitor_run WHERE status = 'succeeded' "
            "ORDER BY id DESC LIMIT 1"
        )
    ).scalar()


def _record_reused_run(
    engine: Engine, reference: Reference, as_of: date, trigger: str, fingerprint: str
) -> RunSummary:
    """Nothing the findings depend on has changed since the latest run: the alerts already
    say what this run would say. The tiers are scored again all the same (the tier table is
    not part of the fingerprint); an unchanged tier stores nothing."""
    with engine.begin() as conn:
        run_id = _start_run(conn, as_of, trigger, fingerprint, reused=True)
        findings = conn.execute(
            text(
                "SELECT findings FROM monitor_run WHERE fingerprint = :f AND id < :id "
                "ORDER BY id DESC LIMIT 1"
            ),
            {"f": fingerprint, "id": run_id},
        ).scalar_one()
        risk.record_run(conn, run_id=run_id, as_of=as_of, reference=reference)
        _finish_run(conn, run_id, findings, Changes())
    summary = RunSummary(run_id, as_of, findings, Changes(), reused=True)
    log.info(summary.line())
    return summary


def _start_run(conn, as_of: date, trigger: str, fingerprint: str, reused: bool = False) -> int:
    return conn.execute(
        text(
            "INSERT INTO monitor_run (as_of, trigger, status, started_at, findings, opened, "
            "updated, resolved, reopened, fingerprint, reused_findings) VALUES (:as_of, "
            ":trigger, 'running', CURRENT_TIMESTAMP, 0, 0, 0, 0, 0, :fingerprint, :reused) "
            "RETURNING id"
        ),
        {"as_of": as_of, "trigger": trigger, "fingerprint": fingerprint, "reused": reused},
    ).scalar_one()


def _finish_run(conn, run_id: int, findings: int, changes: Changes) -> None:
    conn.execute(
        text(
            "UPDATE monitor_run SET status = 'succeeded', finished_at = CURRENT_TIMESTAMP, "
            "findings = :findings, opened = :opened, updated = :updated, "
            "resolved = :resolved, reopened = :reopened WHERE id = :id"
        ),
        {"id": run_id, "findings": findings, **changes.counts()},
    )
