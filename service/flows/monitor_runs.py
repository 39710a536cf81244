"""The monitors run: frames → rules → reconcile alerts (alerts) → employers' risk tiers (risk)
→ the overview's place summaries (overview) → e-mails of new alerts (notifications), as one
transaction; on an inspector's request, also recorded in the audit log. A run that reuses its
findings stores no summaries: the overview reads the latest run that has some."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, Engine
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
from service.db import reclaim_and_refresh, sqlite_page_cache
from service.monitoring import memory
from service.monitoring.fingerprint import run_basis, run_fingerprint
from service.monitoring.frames import (
    load_employer_snapshot,
    load_shard_snapshot,
    share_snapshot,
    snapshot_connection,
)
from service.monitoring.kept_frames import load_kept_snapshot
from service.monitoring.lock import (
    RunInProgress,
    monitor_lock,
    notification_turn,
    shard_lock,
)
from service.monitoring.reach import employers_reached
from service.notifications.service import notify_new_alerts
from service.overview import compute as overview
from service.risk import service as risk

# The tables a whole-city run rewrites (updated alerts and tiers, forgotten changes, the
# outbox the sender marks sent) or appends the most to, vacuumed and analysed at its end.
RUN_WRITES = [
    "alert",
    "alert_event",
    "employer",
    "employer_risk_tier",
    "data_change",
    "outbox_message",
]
RUN_CACHE_KIB = 32_768

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    run_id: int
    as_of: date
    findings: int
    changes: Changes
    reused: bool = False
    evaluated: int | None = None  # employers an incremental run evaluated; None: all it meant to

    def line(self) -> str:
        c = self.changes
        unchanged = " (no data change since the last run)" if self.reused else ""
        if self.evaluated is not None:
            unchanged = f" (evaluated the {self.evaluated} employers the changes since reach)"
        return (
            f"monitors as of {self.as_of}: {self.findings} findings; {c.opened} opened, "
            f"{c.updated} updated, {c.resolved} resolved, {c.reopened} reopened{unchanged}"
        )


@dataclass
class _WholeRun:
    """The latest whole-city run: what later runs may build on."""

    id: int
    fingerprint: str
    data_version: int | None


@dataclass
class _RunStamp:
    """What a run records of what its findings are a function of (MonitorRun.basis …)."""

    basis: str
    data_version: int | None = None  # whole-city runs: the data they saw
    fingerprint: str = ""  # whole-city runs: basis and data version
    counties: tuple[str, ...] = ()  # a shard's


# An incremental run reaching more employers than this share of them (in a city large enough
# for it to matter) would read most of the city through lists of ids: a whole run reads it
# quicker. And the share's lists (these employers, their projects and partners) stay within
# what SQLite binds in one statement (32,766).
MOST_REACHED = 0.25
FEW_EMPLOYERS = 100
MOST_EMPLOYERS_REACHED = 5_000


def run_monitors(
    engine: Engine,
    reference: Reference,
    *,
    as_of: date,
    trigger: str = "cli",
    rules: dict[str, Rule] | None = None,
    reuse: bool = True,
) -> RunSummary:
    """Evaluate the rules as of `as_of` and bring the alerts up to date.

    If nothing changed since the latest whole-city run, its findings are reused. If it ran on
    the same basis (day, reference data, rules) and only some employers' data changed since,
    only the employers those changes reach are evaluated: the alerts come out as a whole run
    would give them. A whole run reads the frames kept by the previous one where they are up
    to date (monitoring/kept_frames.py). `reuse` False: every employer is evaluated all the
    same, on data read afresh from the database. The run is one transaction: if anything
    fails, the alerts stay as they were.
    """
    rules = all_rules() if rules is None else rules
    basis = run_basis(reference=reference, rules=rules, as_of=as_of)
    with monitor_lock(engine):
        with engine.connect() as conn:
            version = data_version.current(conn)
            fingerprint = run_fingerprint(basis=basis, data_version=version)
            latest = _latest_whole_run(conn, basis)
        if not reuse:
            latest = None
        # The version the fingerprint was taken at: a change committed since is left to the
        # next run, never counted as seen.
        stamp = _RunStamp(basis, version, fingerprint)
        if latest is not None and latest.fingerprint == fingerprint:
            return _record_reused_run(engine, reference, as_of, trigger, stamp)
        if latest is not None:
            summary = _run_incremental(
                engine, reference, latest, basis, rules=rules, as_of=as_of, trigger=trigger
            )
            if summary is not None:
                return summary
        return _run_whole(
            engine,
            reference,
            rules=rules,
            as_of=as_of,
            trigger=trigger,
            stamp=stamp,
            fresh=not reuse,
        )


def _run_whole(
    engine: Engine,
    reference: Reference,
    *,
    rules: dict[str, Rule],
    as_of: date,
    trigger: str,
    stamp: _RunStamp,
    fresh: bool = False,
) -> RunSummary:
    inputs = tuple(sorted({*_inputs(rules), *overview.INPUTS}))
    snapshot = load_kept_snapshot(engine, reference, as_of, inputs, fresh=fresh).snapshot
    findings = evaluate(snapshot, rules, after_each=memory.give_back)
    # The payroll, the largest frame, is read by no later step once the overview's deposit
    # positions are worked out: its memory goes back before the alerts are written.
    overview.derive_ahead(snapshot)
    snapshot.let_go("payroll")
    with _writing(engine) as conn:
        run_id = _start_run(conn, as_of, trigger, stamp)
        changes = reconcile(conn, findings, rule_ids=sorted(rules), as_of=as_of, run_id=run_id)
        risk.record_run(conn, run_id=run_id, as_of=as_of, reference=reference)
        overview.record_run(conn, run_id=run_id, as_of=as_of, snapshot=snapshot)
        # No later step reads the frames: their memory goes to the e-mails of the new alerts
        # (at L, 62,000 alerts' e-mails took the run's peak over 1 GB with the frames held).
        snapshot.let_go_all()
        memory.give_back(arrow=True)
        _finish_run(conn, run_id, len(findings), changes)
        _notify(conn, changes.news)
        data_version.forget_until(conn, stamp.data_version or 0)
    # A whole-city run may write an alert and move the tier of every employer: the planner
    # would otherwise keep planning the inbox for the tables the import left.
    reclaim_and_refresh(engine, RUN_WRITES)
    summary = RunSummary(run_id, as_of, len(findings), changes)
    log.info(summary.line())
    return summary


def _run_incremental(
    engine: Engine,
    reference: Reference,
    latest: _WholeRun,
    basis: str,
    *,
    rules: dict[str, Rule],
    as_of: date,
    trigger: str,
) -> RunSummary | None:
    """Evaluate only the employers reached by the data changed since `latest` (same basis);
    everyone else's alerts are what `latest` left. None when a whole run is needed: a change
    no list of employers tells apart, or one reaching too much of the city."""
    if latest.data_version is None:
        return None
    with snapshot_connection(engine) as conn:
        version = data_version.current(conn)
        changed = data_version.changed_since(conn, latest.data_version)
        most = _most_reached(conn)
        if changed is None or _too_wide(changed, most):
            return None
        employer_ids = employers_reached(conn, changed)
        if len(employer_ids) > most:
            return None
        snapshot = share_snapshot(conn, employer_ids, reference, as_of, _inputs(rules))
    findings = evaluate(snapshot, rules)
    stamp = _RunStamp(basis, version, run_fingerprint(basis=basis, data_version=version))
    summary = _record_partial_run(
        engine,
        reference,
        findings,
        employer_ids,
        rules=rules,
        as_of=as_of,
        trigger=trigger,
        stamp=stamp,
        whole_city=True,
    )
    log.info(summary.line())
    return summary


def _too_wide(changed: data_version.Changed, most: float) -> bool:
    """More changed ids than the run's statements bind, or more changed employers than it may
    reach: a whole run, without working out the reach."""
    return len(changed) > data_version.MOST_IDS or len(changed.every_employer) > most


def _most_reached(conn) -> float:
    employers = int(conn.execute(text("SELECT count(*) FROM employer")).scalar_one())
    return min(max(MOST_REACHED * employers, FEW_EMPLOYERS), MOST_EMPLOYERS_REACHED)


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
            engine,
            reference,
            findings,
            [employer_id],
            rules=rules,
            as_of=as_of,
            trigger=trigger,
            stamp=_partial_stamp(reference, rules, as_of),
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
        # A county's shard can hold millions of rows: freed memory goes back after each rule,
        # as in a whole-city run (a shard process's memory is bounded by its largest shard).
        findings = evaluate(snapshot, rules, after_each=memory.give_back)
        summary = _record_partial_run(
            engine,
            reference,
            findings,
            employer_ids,
            rules=rules,
            as_of=as_of,
            trigger=trigger,
            stamp=_partial_stamp(reference, rules, as_of, counties),
        )
    log.info("counties %s: %s", ",".join(sorted(counties)), summary.line())
    return summary


def _partial_stamp(
    reference: Reference, rules: dict[str, Rule], as_of: date, counties: list[str] | None = None
) -> _RunStamp:
    """A check or a shard: no fingerprint, so no whole-city run reuses its findings; its basis,
    so that one on another day makes the next whole-city run evaluate everyone."""
    basis = run_basis(reference=reference, rules=rules, as_of=as_of)
    return _RunStamp(basis, counties=tuple(sorted(counties or ())))


def _record_partial_run(
    engine: Engine,
    reference: Reference,
    findings: pd.DataFrame,
    employer_ids: list[int],
    *,
    rules: dict[str, Rule],
    as_of: date,
    trigger: str,
    stamp: _RunStamp,
    whole_city: bool = False,
) -> RunSummary:
    """Reconcile the alerts and score the tiers of these employers only. Findings about other
    employers are dropped: their share was not read whole, and they belong to a run of their
    own (their county's shard). `whole_city`: an incremental run, which brings the whole city
    up to date (the others' alerts already were) and counts the city's findings. The changes
    it saw are not forgotten: the frames the latest whole run kept are brought up to date from
    them by the next (the next day's), which forgets them; forgotten here, it read the whole
    database again."""
    findings = findings[findings["employer_id"].isin(employer_ids)]
    with _writing(engine) as conn:
        run_id = _start_run(conn, as_of, trigger, stamp, evaluated=len(employer_ids))
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
        count = _open_alerts(conn, rules) if whole_city else len(findings)
        _finish_run(conn, run_id, count, changes)
        _notify(conn, changes.news)
    evaluated = len(employer_ids) if whole_city else None
    return RunSummary(run_id, as_of, count, changes, evaluated=evaluated)


def _open_alerts(conn, rules: dict[str, Rule]) -> int:
    """The city's findings after a run: every finding is an open alert, and every open alert
    of the rules a finding."""
    query = text("SELECT count(*) FROM alert WHERE status = 'open' AND rule IN :rules")
    query = query.bindparams(bindparam("rules", expanding=True))
    return int(conn.execute(query, {"rules": sorted(rules)}).scalar_one())


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


def _latest_whole_run(conn, basis: str) -> _WholeRun | None:
    """The latest whole-city run, if its alerts still stand as it left them but for data
    changed since: no check or shard ran since on another basis (another day, say)."""
    row = conn.execute(
        text(
            "SELECT id, fingerprint, basis, data_version FROM monitor_run "
            "WHERE status = 'succeeded' AND fingerprint <> '' ORDER BY id DESC LIMIT 1"
        )
    ).first()
    if row is None or row.basis != basis:
        return None
    other = conn.execute(
        text(
            "SELECT 1 FROM monitor_run WHERE id > :id AND status = 'succeeded' "
            "AND basis <> :basis LIMIT 1"
        ),
        {"id": row.id, "basis": basis},
    ).first()
    return None if other else _WholeRun(row.id, row.fingerprint, row.data_version)


def _record_reused_run(
    engine: Engine,
    reference: Reference,
    as_of: date,
    trigger: str,
    stamp: _RunStamp,
) -> RunSummary:
    """Nothing the findings depend on has changed since the latest run: the alerts already
    say what this run would say. The tiers are scored again all the same (the tier table is
    not part of the fingerprint); an unchanged tier stores nothing."""
    with _writing(engine) as conn:
        run_id = _start_run(conn, as_of, trigger, stamp, reused=True)
        findings = conn.execute(
            text(
                "SELECT findings FROM monitor_run WHERE fingerprint = :f AND id < :id "
                "ORDER BY id DESC LIMIT 1"
            ),
            {"f": stamp.fingerprint, "id": run_id},
        ).scalar_one()
        risk.record_run(conn, run_id=run_id, as_of=as_of, reference=reference)
        _finish_run(conn, run_id, findings, Changes())
    summary = RunSummary(run_id, as_of, findings, Changes(), reused=True)
    log.info(summary.line())
    return summary


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """The run's one write transaction, through a modest SQLite page cache: a run writes its
    alerts, tiers and e-mails once, and a run that opened 62,000 alerts at L filled the
    imports' 256 MB cache with them."""
    with engine.begin() as conn, sqlite_page_cache(conn, RUN_CACHE_KIB):
        yield conn


def _start_run(
    conn,
    as_of: date,
    trigger: str,
    stamp: _RunStamp,
    *,
    reused: bool = False,
    evaluated: int | None = None,
) -> int:
    return conn.execute(
        text(
            "INSERT INTO monitor_run (as_of, trigger, status, started_at, findings, opened, "
            "updated, resolved, reopened, fingerprint, reused_findings, basis, data_version, "
            "employers_evaluated, counties) VALUES (:as_of, :trigger, 'running', "
            "CURRENT_TIMESTAMP, 0, 0, 0, 0, 0, :fingerprint, :reused, :basis, :version, "
            ":evaluated, :counties) RETURNING id"
        ),
        {
            "as_of": as_of,
            "trigger": trigger,
            "fingerprint": stamp.fingerprint,
            "reused": reused,
            "basis": stamp.basis,
            "version": stamp.data_version,
            "evaluated": evaluated,
            "counties": ",".join(stamp.counties),
        },
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
