""" "Check again" (重新检查): an employer that fixed its records, or an inspector on an
employer's file, has that one employer's alerts and risk tier brought up to date now
(monitor_runs.check_employer) instead of at the nightly run.

Each check is audited with its summary (the page's confirmation reads it back from there, so
a crafted address cannot make the page claim a result). An employer's own presses are limited
to one a minute per employer (a moving window kept in the database, service/ratelimit.py), so
the button cannot be used to load the service; an inspector's are not limited.
"""

from datetime import date, timedelta

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from monitors.base import Rule
from monitors.reference import Reference
from monitors.registry import all_rules
from service import ratelimit
from service.audit import service as audit
from service.audit.models import AuditEntry
from service.auth.actors import Actor
from service.employers import service as employers
from service.errors import Conflict, NotFound, TooManyRequests
from service.flows import monitor_runs
from service.monitoring.lock import RunInProgress

CHECKS_PER_WINDOW = 1
CHECK_WINDOW = timedelta(minutes=1)
TRIGGER = "check_again"  # monitor_run.trigger
AUDIT_ACTION = "monitors.check_employer"
AUDIT_ENTITY = "monitor_run"


class CheckLimited(TooManyRequests):
    """The employer checked itself again less than CHECK_WINDOW ago; `message` is a
    catalogue key."""

    message = "check_again.too_soon"


class CheckBusy(Conflict):
    """Another monitors run holds the lock; `message` is a catalogue key."""

    message = "check_again.busy"


class CheckResult(BaseModel):
    """What a check changed for the employer: `raised` alerts opened or reopened, `cleared`
    resolved."""

    run_id: int
    employer_id: int
    as_of: date
    findings: int
    opened: int
    updated: int
    resolved: int
    reopened: int

    @property
    def raised(self) -> int:
        return self.opened + self.reopened

    @property
    def cleared(self) -> int:
        return self.resolved


def check_again(
    *,
    session: Session,
    actor: Actor,
    engine: Engine,
    reference: Reference,
    employer_id: int,
    as_of: date,
) -> CheckResult:
    """Check one employer now, as of `as_of`, and record who asked.

    NotFound outside the actor's scope (an employer reaches only itself), CheckLimited when
    the employer checked itself within the last minute, CheckBusy while another run holds
    the monitors lock (then the press is given back).

    Commits the session: the press is counted before the run, refused or not, and the run
    writes in its own transaction, which on SQLite must not wait behind this session's."""
    employers.get_readable(session=session, actor=actor, employer_id=employer_id)
    slot = None
    if actor.role == "employer":
        limit = ratelimit.Moving(
            f"check_again:employer:{employer_id}", CHECKS_PER_WINDOW, CHECK_WINDOW
        )
        slot = ratelimit.take(session, limit)
        session.commit()
        if slot is None:
            raise CheckLimited(CheckLimited.message)
    try:
        summary = monitor_runs.check_employer(
            engine,
            reference,
            employer_id=employer_id,
            as_of=as_of,
            trigger=TRIGGER,
            rules=rules_for(actor),
        )
    except RunInProgress as error:
        if slot is not None:
            ratelimit.release(session, slot)
            session.commit()
        raise CheckBusy(CheckBusy.message) from error
    result = CheckResult(
        run_id=summary.run_id,
        employer_id=employer_id,
        as_of=summary.as_of,
        findings=summary.findings,
        **summary.changes.counts(),
    )
    audit.record(
        session,
        actor,
        AUDIT_ACTION,
        AUDIT_ENTITY,
        str(summary.run_id),
        employer_id=employer_id,
        after=result.model_dump(mode="json"),
    )
    return result


def rules_for(actor: Actor) -> dict[str, Rule]:
    """Every rule for an inspector; for the employer, not those raised by workers'
    complaints: their alerts reach an employer only when released (the complainant shield),
    and a count of what its own press opened would tell it a complaint's alert just fired."""
    rules = all_rules()
    if actor.role != "employer":
        return rules
    return {rule_id: rule for rule_id, rule in rules.items() if "complaints" not in rule.inputs}


def own_employer_id(session: Session, actor: Actor) -> int:
    """The signed-in employer user's employer; NotFound for anyone else."""
    employer_id = employers.own_employer(session, actor).id
    if employer_id is None:
        raise NotFound("no employer")
    return employer_id


def checked(*, session: Session, employer_id: int, run_id: int) -> CheckResult | None:
    """The check `run_id` of this employer, as its audit entry recorded it; None for any
    other run (another employer's check, a whole-city run, an unknown id)."""
    entry = session.scalars(
        select(AuditEntry).where(
            col(AuditEntry.action) == AUDIT_ACTION,
            col(AuditEntry.entity) == AUDIT_ENTITY,
            col(AuditEntry.entity_key) == str(run_id),
            col(AuditEntry.employer_id) == employer_id,
        )
    ).first()
    if entry is None or not entry.after:
        return None
    return CheckResult.model_validate(entry.after)
