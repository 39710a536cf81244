"""The inspector's work on alerts: the inbox, one alert, and the handling actions.

Every query goes through `readable(actor)`. Filtering, sorting and paging happen in SQL, so
the inbox stays fast with many thousands of alerts. The handling actions write only the
handling columns — status and figures belong to the monitors — and each writes an audit
entry with the handling before and after.
"""

from datetime import date, datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import ColumnElement, case, func, or_, select, true
from sqlalchemy.engine import Engine
from sqlmodel import Session

from monitors.identifiers import is_valid_id_number, mask_id_number
from monitors.reference import Reference
from monitors.registry import all_rules
from service.alerts.models import SEVERITIES, Alert, AlertEvent, MonitorRun
from service.audit import service as audit
from service.audit.models import AuditEntry
from service.auth.actors import Actor
from service.auth.models import User, UserScope, utc_now
from service.employers import service as employers
from service.employers.models import Employer
from service.employers.service import Paging, paging
from service.errors import Conflict, Invalid, NotFound
from service.jurisdictions.models import Jurisdiction, town_code
from service.monitoring.jobs import run_monitors
from service.monitoring.lock import RunInProgress
from service.projects.models import Project

NOTE_MAX_LENGTH = 2000
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}  # critical first

Severity = Literal["critical", "high", "medium", "low"]
Handling = Literal["new", "acknowledged", "assigned", "snoozed", "closed"]
StatusFilter = Literal["open", "resolved", "all"]
Sort = Literal["severity", "first_seen", "amount", "employer"]
STATUS_FILTERS: tuple[str, ...] = get_args(StatusFilter)
SORTS: tuple[str, ...] = get_args(Sort)


def readable(actor: Actor) -> ColumnElement[bool]:
    """The alerts an actor may see: those of the employers it may see."""
    if actor.role == "admin":
        return true()
    return Alert.employer_id.in_(select(Employer.id).where(employers.readable(actor)))


class FieldInvalid(Invalid):
    """A form field the service refused; `message` is a catalogue key the view translates."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__([{"field": field, "message": message}])
        self.field = field
        self.message = message


class RunConflict(Conflict):
    """A monitors run is already in progress; `message` is a catalogue key."""

    message = "inspector.run.in_progress"


# --- the inbox ----------------------------------------------------------------------------------


class AlertFilters(BaseModel):
    """The inbox's filters, sort and page; an empty form field means "any"."""

    county: str | None = Field(default=None, max_length=12)
    town: str | None = Field(default=None, max_length=100)
    rule: str | None = Field(default=None, max_length=64)
    severity: Severity | None = None
    status: StatusFilter = "open"
    handling: Handling | None = None
    q: str | None = Field(default=None, max_length=100)
    sort: Sort = "severity"
    page: int = Field(default=1, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _blank_means_any(cls, values: Any) -> Any:
        if isinstance(values, dict):
            return {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip())}
        return values

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, rule: str | None) -> str | None:
        if rule is not None and rule not in all_rules():
            raise ValueError(f"unknown rule {rule!r}")
        return rule

    def query(self, **changes: object) -> dict[str, str]:
        """The filters as query parameters (defaults left out), with `changes` applied."""
        values = self.model_dump() | changes
        defaults = AlertFilters().model_dump()
        return {k: str(v) for k, v in values.items() if v is not None and v != defaults[k]}


class AlertRow(BaseModel):
    id: int
    rule: str
    title_zh: str
    title_en: str
    severity: str
    status: str
    handling: str
    employer_id: int
    employer_name: str
    employer_uscc: str
    county_code: str
    town: str | None
    project_code: str
    project_name: str | None
    period: str
    subject_count: int
    amount_fen: int | None
    first_seen: date
    last_seen: date
    snoozed_until: date | None
    assigned_to_id: int | None
    assigned_to_name: str | None


class AlertPage(Paging):
    items: list[AlertRow]


def _titles(rule: str) -> dict[str, str]:
    found = all_rules().get(rule)
    return {
        "title_zh": found.title_zh if found else rule,
        "title_en": found.title_en if found else rule,
    }


def _conditions(actor: Actor, filters: AlertFilters, today: date) -> list[ColumnElement[bool]]:
    conditions = [readable(actor)]
    equal = {
        Employer.county_code: filters.county,
        Employer.town: filters.town,
        Alert.rule: filters.rule,
        Alert.severity: filters.severity,
        Alert.handling: filters.handling,
    }
    conditions += [column == value for column, value in equal.items() if value is not None]
    if filters.status != "all":
        conditions.append(Alert.status == filters.status)
    if filters.q:
        term = filters.q.strip()
        conditions.append(
            or_(
                Employer.name.contains(term, autoescape=True),
                Employer.uscc.startswith(term.upper(), autoescape=True),
            )
        )
    if filters.handling != "snoozed":
        # A snoozed alert stays out of the inbox through its snoozed_until day.
        conditions.append(
            or_(
                Alert.handling != "snoozed",
                Alert.snoozed_until.is_(None),
                Alert.snoozed_until < today,
            )
        )
    return conditions


def _order(sort: str) -> list[Any]:
    """Each sort ends with the alert id, so that paging is stable."""
    if sort == "first_seen":
        return [Alert.first_seen.desc(), Alert.id.desc()]
    if sort == "amount":
        return [Alert.amount_fen.is_(None), Alert.amount_fen.desc(), Alert.id.desc()]
    if sort == "employer":
        return [Employer.name, Alert.first_seen.desc(), Alert.id.desc()]
    rank = case(SEVERITY_RANK, value=Alert.severity, else_=len(SEVERITY_RANK))
    return [rank, Alert.first_seen.desc(), Alert.id.desc()]


def list_alerts(*, session: Session, actor: Actor, filters: AlertFilters, today: date) -> AlertPage:
    """One page (50) of the alerts in scope that match the filters, with the total count."""
    conditions = _conditions(actor, filters, today)
    total = (
        session.scalar(
            select(func.count())
            .select_from(Alert)
            .join(Employer, Employer.id == Alert.employer_id)
            .where(*conditions)
        )
        or 0
    )
    pages = paging(total, filters.page)
    rows = session.execute(
        select(
            Alert,
            Employer.name,
            Employer.uscc,
            Employer.county_code,
            Employer.town,
            Project.name,
            User.display_name,
        )
        .join(Employer, Employer.id == Alert.employer_id)
        .outerjoin(Project, Project.project_code == Alert.project_code)
        .outerjoin(User, User.id == Alert.assigned_to_id)
        .where(*conditions)
        .order_by(*_order(filters.sort))
        .limit(pages.per_page)
        .offset((pages.page - 1) * pages.per_page)
    ).all()
    items = [
        AlertRow(
            **alert.model_dump(include=set(AlertRow.model_fields)),
            **_titles(alert.rule),
            employer_name=name,
            employer_uscc=uscc,
            county_code=county,
            town=town,
            project_name=project,
            assigned_to_name=assignee,
        )
        for alert, name, uscc, county, town, project, assignee in rows
    ]
    return AlertPage(**pages.model_dump(), items=items)


class Place(BaseModel):
    code: str
    county_code: str
    name_zh: str
    name_en: str


class FilterChoices(BaseModel):
    counties: list[Place]
    towns: list[Place]
    rules: list[tuple[str, str, str]]  # id, title_zh, title_en


def filter_choices(*, session: Session, actor: Actor) -> FilterChoices:
    """The counties and towns of the actor's jurisdiction, and every rule, for the filters."""
    places = session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.level.in_(("county", "town")))
        .order_by(Jurisdiction.code)
    ).all()
    admin = actor.role == "admin"
    counties = [p for p in places if p.level == "county" and (admin or p.code in actor.counties)]
    towns = [
        p
        for p in places
        if p.level == "town"
        and (admin or p.parent_code in actor.counties or (p.parent_code, p.name_zh) in actor.towns)
    ]
    return FilterChoices(
        counties=[_place(p) for p in counties],
        towns=[_place(p) for p in towns],
        rules=[(i, r.title_zh, r.title_en) for i, r in sorted(all_rules().items())],
    )


def _place(place: Jurisdiction) -> Place:
    county = place.code if place.level == "county" else place.parent_code or ""
    return Place(code=place.code, county_code=county, name_zh=place.name_zh, name_en=place.name_en)


# --- one alert ----------------------------------------------------------------------------------


class TimelineEntry(BaseModel):
    at: datetime
    source: Literal["monitors", "handling"]
    kind: str  # opened/updated/resolved/reopened, or the handling action
    as_of: date | None = None
    severity: str | None = None
    subject_count: int | None = None
    amount_fen: int | None = None
    actor_label: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class Colleague(BaseModel):
    id: int
    username: str
    display_name: str


class AlertDetail(AlertRow):
    action_zh: str
    action_en: str
    legal_basis_zh: str
    legal_basis_en: str
    resolved_on: date | None
    handling_note: str | None
    handled_at: datetime | None
    workers: list[str]  # masked identity numbers
    evidence: dict[str, Any]
    timeline: list[TimelineEntry]
    colleagues: list[Colleague]  # who it may be assigned to


def _readable_alert(session: Session, actor: Actor, alert_id: int, *, lock: bool = False) -> Alert:
    statement = select(Alert).where(Alert.id == alert_id, readable(actor))
    alert = session.scalars(statement.with_for_update() if lock else statement).first()
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    return alert


def get_alert(*, session: Session, actor: Actor, alert_id: int) -> AlertDetail:
    """One alert in scope (NotFound otherwise) with its evidence, timeline and colleagues."""
    alert = _readable_alert(session, actor, alert_id)
    employer = session.get(Employer, alert.employer_id)
    project = session.scalars(
        select(Project.name).where(Project.project_code == alert.project_code)
    ).first()
    assignee = session.get(User, alert.assigned_to_id) if alert.assigned_to_id else None
    rule = all_rules().get(alert.rule)
    evidence = _masked(alert.evidence or {})
    return AlertDetail(
        **alert.model_dump(include=set(AlertDetail.model_fields) - {"evidence"}),
        **_titles(alert.rule),
        action_zh=rule.action_zh if rule else "",
        action_en=rule.action_en if rule else "",
        employer_name=employer.name,
        employer_uscc=employer.uscc,
        county_code=employer.county_code,
        town=employer.town,
        project_name=project,
        assigned_to_name=assignee.display_name if assignee else None,
        workers=affected_workers(evidence),
        evidence=evidence,
        timeline=_timeline(session, alert.id),
        colleagues=colleagues(session=session, actor=actor, employer=employer),
    )


def _masked(value: Any) -> Any:
    """The evidence with any full identity number masked. The monitors already mask them;
    this keeps the page safe should a rule ever forget."""
    if isinstance(value, str):
        return mask_id_number(value) if is_valid_id_number(value) else value
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    return value


def affected_workers(evidence: dict[str, Any]) -> list[str]:
    """The masked workers an alert's evidence names: lists of workers, or records with a
    `worker` field (contracts, uncovered workers), each once, in order."""
    found: list[str] = []
    for key, value in evidence.items():
        if not isinstance(value, list):
            continue
        for item in value:
            if isinstance(item, str) and key.endswith("workers"):
                found.append(item)
            elif isinstance(item, dict) and isinstance(item.get("worker"), str):
                found.append(item["worker"])
    return list(dict.fromkeys(found))


def _timeline(session: Session, alert_id: int) -> list[TimelineEntry]:
    """The monitors' events and the handling changes from the audit log, oldest first."""
    events = session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert_id)).all()
    entries = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "alert", AuditEntry.entity_key == str(alert_id)
        )
    ).all()
    timeline = [
        TimelineEntry(
            at=e.at,
            source="monitors",
            kind=e.kind,
            as_of=e.as_of,
            severity=e.severity,
            subject_count=e.subject_count,
            amount_fen=e.amount_fen,
        )
        for e in events
    ] + [
        TimelineEntry(
            at=e.at,
            source="handling",
            kind=e.action,
            actor_label=e.actor_label,
            before=e.before,
            after=e.after,
        )
        for e in entries
    ]
    return sorted(timeline, key=lambda entry: entry.at)


def colleagues(*, session: Session, actor: Actor, employer: Employer) -> list[Colleague]:
    """Active inspectors other than the actor whose jurisdiction covers the employer: its
    county, the city above it, or its town."""
    county = session.get(Jurisdiction, employer.county_code)
    codes = {employer.county_code}
    if county is not None and county.parent_code:
        codes.add(county.parent_code)
    if employer.town:
        codes.add(town_code(employer.county_code, employer.town))
    covering = select(UserScope.user_id).where(UserScope.jurisdiction_code.in_(sorted(codes)))
    users = session.execute(
        select(User.id, User.username, User.display_name)
        .where(
            User.role == "inspector",
            User.is_active,
            User.id != (actor.user_id or 0),
            User.id.in_(covering),
        )
        .order_by(User.display_name, User.id)
    ).all()
    return [Colleague(id=i, username=u, display_name=d) for i, u, d in users]


# --- handling -----------------------------------------------------------------------------------


class AlertHandling(BaseModel):
    id: int
    handling: str
    assigned_to_id: int | None
    snoozed_until: date | None
    handling_note: str | None
    handled_at: datetime | None


def _handling_record(alert: Alert) -> dict[str, Any]:
    """The handling columns as JSON for the audit log."""
    return {
        "handling": alert.handling,
        "assigned_to_id": alert.assigned_to_id,
        "snoozed_until": alert.snoozed_until.isoformat() if alert.snoozed_until else None,
        "handling_note": alert.handling_note,
    }


def _handle(session: Session, actor: Actor, alert: Alert, action: str, **changes: Any):
    """Write only handling columns, and the audit entry with before and after."""
    before = _handling_record(alert)
    for column, value in changes.items():
        setattr(alert, column, value)
    alert.handled_at = utc_now()
    session.add(alert)
    session.flush()
    audit.record(
        session,
        actor,
        f"alert.{action}",
        "alert",
        str(alert.id),
        employer_id=alert.employer_id,
        before=before,
        after=_handling_record(alert),
    )
    return AlertHandling.model_validate(alert, from_attributes=True)


def acknowledge(*, session: Session, actor: Actor, alert_id: int) -> AlertHandling:
    """The inspector has seen the alert and is on it."""
    alert = _readable_alert(session, actor, alert_id, lock=True)
    return _handle(
        session, actor, alert, "acknowledge", handling="acknowledged", snoozed_until=None
    )


def assign(
    *, session: Session, actor: Actor, alert_id: int, assignee_id: int | None
) -> AlertHandling:
    """Hand the alert to a colleague whose jurisdiction covers the employer."""
    alert = _readable_alert(session, actor, alert_id, lock=True)
    employer = session.get(Employer, alert.employer_id)
    allowed = {c.id for c in colleagues(session=session, actor=actor, employer=employer)}
    if assignee_id is None:
        raise FieldInvalid("assignee_id", "inspector.field.assignee_required")
    if assignee_id not in allowed:
        raise FieldInvalid("assignee_id", "inspector.field.assignee_not_covering")
    return _handle(
        session,
        actor,
        alert,
        "assign",
        handling="assigned",
        assigned_to_id=assignee_id,
        snoozed_until=None,
    )


def snooze(
    *, session: Session, actor: Actor, alert_id: int, until: date | None, today: date
) -> AlertHandling:
    """Keep the alert out of the inbox through `until`, a day after today."""
    alert = _readable_alert(session, actor, alert_id, lock=True)
    if until is None:
        raise FieldInvalid("until", "inspector.field.until_required")
    if until <= today:
        raise FieldInvalid("until", "inspector.field.until_not_future")
    return _handle(session, actor, alert, "snooze", handling="snoozed", snoozed_until=until)


def resolve(*, session: Session, actor: Actor, alert_id: int, note: str | None) -> AlertHandling:
    """Close the inspector's work on the alert, with a note saying what was done."""
    alert = _readable_alert(session, actor, alert_id, lock=True)
    note = (note or "").strip()
    if not note:
        raise FieldInvalid("note", "inspector.field.note_required")
    if len(note) > NOTE_MAX_LENGTH:
        raise FieldInvalid("note", "inspector.field.note_too_long")
    return _handle(
        session, actor, alert, "resolve", handling="closed", handling_note=note, snoozed_until=None
    )


# --- run the monitors now -----------------------------------------------------------------------


class RunResult(BaseModel):
    run_id: int
    as_of: date
    trigger: str
    status: str
    findings: int
    opened: int
    updated: int
    resolved: int
    reopened: int
    reused_findings: bool


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


def get_run(*, session: Session, run_id: int | None = None) -> RunResult:
    """A monitors run, or the latest one."""
    statement = select(MonitorRun).order_by(MonitorRun.id.desc())
    if run_id is not None:
        statement = statement.where(MonitorRun.id == run_id)
    run = session.scalars(statement.limit(1)).first()
    if run is None:
        raise NotFound("no monitors run yet")
    return RunResult.model_validate(run.model_dump() | {"run_id": run.id})
