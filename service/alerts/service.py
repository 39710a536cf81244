"""The inspector's work on alerts: the inbox, one alert, and the handling actions.

Every query goes through `readable(actor)`. Filtering, sorting and paging happen in SQL, so
the inbox stays fast with many thousands of alerts. The handling actions write only the
handling columns — status and figures belong to the monitors — and each writes an audit
entry with the handling before and after.
"""

import functools
from datetime import date, datetime
from typing import Any, Literal, TypedDict, get_args

from pydantic import BaseModel, field_validator, model_validator
from sqlalchemy import ColumnElement, case, func, or_, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from monitors.base import Severity
from monitors.calendar import default_calendar
from monitors.identifiers import is_valid_id_number, mask_id_number
from monitors.reference import Reference, ReferenceDataError
from monitors.registry import all_rules
from service.alerts.models import Alert, AlertEvent, MonitorRun
from service.alerts.severity import RANK as SEVERITY_RANK
from service.audit import service as audit
from service.audit.models import AuditEntry
from service.auth.actors import Actor
from service.auth.models import User, UserScope
from service.bounds import CodeText, PageNumber, SearchText
from service.clock import utc_now
from service.db import id_chunks
from service.employers import service as employers
from service.employers.models import Employer
from service.employers.service import SECTION_ROWS, Paging, paging
from service.errors import Conflict, Invalid, NotFound
from service.jurisdictions.models import Jurisdiction, town_code
from service.projects.models import Project

NOTE_MAX_LENGTH = 2000
Handling = Literal["new", "acknowledged", "assigned", "snoozed", "closed"]
# needs_action: the monitors still see the problem and no inspector has closed it (snoozed
# alerts stay out through their day, as in every view but handling=snoozed).
StatusFilter = Literal["needs_action", "open", "resolved", "closed", "all"]
Sort = Literal["severity", "first_seen", "amount", "employer"]
STATUS_FILTERS: tuple[str, ...] = get_args(StatusFilter)
SORTS: tuple[str, ...] = get_args(Sort)


def readable(actor: Actor) -> ColumnElement[bool]:
    """The alerts an actor may see: those of the employers it may see."""
    if actor.role == "admin":
        return true()
    return col(Alert.employer_id).in_(select(col(Employer.id)).where(employers.readable(actor)))


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

    county: CodeText | None = None
    town: SearchText | None = None
    rule: CodeText | None = None
    severity: Severity | None = None
    status: StatusFilter = "needs_action"
    handling: Handling | None = None
    q: SearchText | None = None
    sort: Sort = "severity"
    page: PageNumber = 1

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


class AlertHeading(BaseModel):
    """What every list of alerts shows of one: which rule, how grave, where it stands."""

    id: int
    rule: str
    title_zh: str
    title_en: str
    severity: str
    status: str
    handling: str


class AlertRow(AlertHeading):
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
    county_name_zh: str | None = None
    county_name_en: str | None = None
    # One plain word for where the alert stands (see `plain_state`), the day the
    # investigation is due and how many days ago the alert first opened.
    state: str = ""
    deadline: date | None = None
    age_days: int = 0
    overdue: bool = False


class AlertBrief(AlertHeading):
    """One of an employer's alerts on its page."""

    project_code: str
    period: str
    subject_count: int
    amount_fen: int | None
    first_seen: date
    last_seen: date


class AlertPage(Paging):
    items: list[AlertRow]


class _Titles(TypedDict):
    title_zh: str
    title_en: str


def _titles(rule: str) -> _Titles:
    found = all_rules().get(rule)
    return {
        "title_zh": found.title_zh if found else rule,
        "title_en": found.title_en if found else rule,
    }


def _conditions(actor: Actor, filters: AlertFilters, today: date) -> list[ColumnElement[bool]]:
    """For a query that joins each alert's employer: the scope is tested on that row (no
    subquery of every employer in scope, 50,000 for the city, run for each statement)."""
    conditions = [employers.readable(actor)]
    equal = {
        col(Employer.county_code): filters.county,
        col(Employer.town): filters.town,
        col(Alert.rule): filters.rule,
        col(Alert.severity): filters.severity,
        col(Alert.handling): filters.handling,
    }
    conditions += [column == value for column, value in equal.items() if value is not None]
    if filters.status == "needs_action":
        conditions += [col(Alert.status) == "open", col(Alert.handling) != "closed"]
    elif filters.status == "closed":
        conditions.append(col(Alert.handling) == "closed")
    elif filters.status != "all":
        conditions.append(col(Alert.status) == filters.status)
    if filters.q:
        term = filters.q.strip()
        conditions.append(
            or_(
                col(Employer.name).contains(term, autoescape=True),
                col(Employer.uscc).startswith(term.upper(), autoescape=True),
            )
        )
    if filters.handling != "snoozed":
        # A snoozed alert stays out of the inbox through its snoozed_until day.
        conditions.append(
            or_(
                col(Alert.handling) != "snoozed",
                col(Alert.snoozed_until).is_(None),
                col(Alert.snoozed_until) < today,
            )
        )
    return conditions


def _order(sort: str) -> list[Any]:
    """Each sort ends with the alert id, so that paging is stable."""
    if sort == "first_seen":
        return [col(Alert.first_seen).desc(), col(Alert.id).desc()]
    if sort == "amount":
        return [col(Alert.amount_fen).is_(None), col(Alert.amount_fen).desc(), col(Alert.id).desc()]
    if sort == "employer":
        return [col(Employer.name), col(Alert.first_seen).desc(), col(Alert.id).desc()]
    rank = case(SEVERITY_RANK, value=Alert.severity, else_=len(SEVERITY_RANK))
    return [rank, col(Alert.first_seen).desc(), col(Alert.id).desc()]


def plain_state(alert: Alert, today: date) -> str:
    """One word for where an alert stands, the inspector's handling first: closed (办结),
    cleared (the monitors no longer see it), snoozed (through its day), assigned,
    acknowledged (in hand), or new (needs action)."""
    if alert.handling == "closed":
        return "closed"
    if alert.status == "resolved":
        return "cleared"
    if alert.handling == "snoozed" and alert.snoozed_until and alert.snoozed_until >= today:
        return "snoozed"
    if alert.handling in ("assigned", "acknowledged"):
        return alert.handling
    return "new"


@functools.lru_cache(maxsize=4096)
def _working_days_after(day: date, days: int) -> date:
    """Counting working days walks the calendar day by day (~25 ms for 60): an inbox page of
    50 alerts took over a second before their few distinct first days were remembered."""
    return default_calendar().add_working_days(day, days)


def investigation_due(first_seen: date, reference: Reference) -> date | None:
    """The day an investigation opened on the alert's first day must be done: the legal
    number of working days after it (劳动保障监察条例 第十七条; 浙江省劳动保障监察条例 第三十条)."""
    try:
        days = int(reference.value("inspection_investigation_working_days", first_seen))
        return _working_days_after(first_seen, days)
    except (ReferenceDataError, ValueError):
        return None  # a day outside the reference's or the calendar's range


def timing(alert: Alert, today: date, reference: Reference | None) -> dict[str, Any]:
    """The plain state, the deadline, the age, and whether the deadline has passed while the
    alert still needs action."""
    state = plain_state(alert, today)
    deadline = investigation_due(alert.first_seen, reference) if reference else None
    return {
        "state": state,
        "deadline": deadline,
        "age_days": max((today - alert.first_seen).days, 0),
        "overdue": bool(deadline and deadline < today and state not in ("closed", "cleared")),
    }


def list_alerts(
    *,
    session: Session,
    actor: Actor,
    filters: AlertFilters,
    today: date,
    reference: Reference | None = None,
) -> AlertPage:
    """One page (50) of the alerts in scope that match the filters, with the total count;
    with `reference`, each with its investigation deadline."""
    conditions = _conditions(actor, filters, today)
    total = (
        session.scalar(
            select(func.count())
            .select_from(Alert)
            .join(Employer, col(Employer.id) == col(Alert.employer_id))
            .where(*conditions)
        )
        or 0
    )
    pages = paging(total, filters.page)
    items = _rows(
        session,
        conditions,
        filters.sort,
        pages.per_page,
        (pages.page - 1) * pages.per_page,
        today=today,
        reference=reference,
    )
    return AlertPage(**pages.model_dump(), items=items)


def all_alerts(
    *,
    session: Session,
    actor: Actor,
    filters: AlertFilters,
    today: date,
    limit: int,
    reference: Reference | None = None,
) -> list[AlertRow]:
    """Every alert in scope that matches the filters (no paging, at most `limit`), in the
    inbox's order: what an export holds."""
    conditions = _conditions(actor, filters, today)
    return _rows(session, conditions, filters.sort, limit, 0, today=today, reference=reference)


def _rows(
    session: Session,
    conditions: list[ColumnElement[bool]],
    sort: str,
    limit: int,
    offset: int,
    *,
    today: date,
    reference: Reference | None,
) -> list[AlertRow]:
    county = aliased(Jurisdiction)
    rows = session.execute(
        select(
            Alert,
            col(Employer.name),
            col(Employer.uscc),
            col(Employer.county_code),
            col(Employer.town),
            col(Project.name),
            col(User.display_name),
            col(county.name_zh),
            col(county.name_en),
        )
        .join(Employer, col(Employer.id) == Alert.employer_id)
        .outerjoin(county, col(county.code) == col(Employer.county_code))
        .outerjoin(Project, col(Project.project_code) == Alert.project_code)
        .outerjoin(User, col(User.id) == Alert.assigned_to_id)
        .where(*conditions)
        .order_by(*_order(sort))
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        AlertRow(
            **alert.model_dump(include=set(AlertRow.model_fields)),
            **_titles(alert.rule),
            employer_name=name,
            employer_uscc=uscc,
            county_code=county,
            town=town,
            project_name=project,
            assigned_to_name=assignee,
            county_name_zh=county_zh,
            county_name_en=county_en,
            **timing(alert, today, reference),
        )
        for alert, name, uscc, county, town, project, assignee, county_zh, county_en in rows
    ]


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
        .where(col(Jurisdiction.level).in_(("county", "town")))
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
    actor_name: str | None = None  # the person's display name
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
    statement = select(Alert).where(col(Alert.id) == alert_id, readable(actor))
    alert = session.scalars(statement.with_for_update() if lock else statement).first()
    if alert is None:
        raise NotFound(f"no alert {alert_id}", message="onelang.error.no_alert")
    return alert


def get_alert(
    *,
    session: Session,
    actor: Actor,
    alert_id: int,
    today: date | None = None,
    reference: Reference | None = None,
) -> AlertDetail:
    """One alert in scope (NotFound otherwise) with its evidence, timeline and colleagues;
    with `today`, its plain state and age (and, with `reference`, its deadline)."""
    alert = _readable_alert(session, actor, alert_id)
    employer = session.get_one(Employer, alert.employer_id)
    county = session.get(Jurisdiction, employer.county_code)
    project = session.scalars(
        select(col(Project.name)).where(col(Project.project_code) == alert.project_code)
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
        county_name_zh=county.name_zh if county else None,
        county_name_en=county.name_en if county else None,
        **(timing(alert, today, reference) if today else {}),
        workers=affected_workers(evidence),
        evidence=evidence,
        timeline=_timeline(session, alert_id),
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
    events = session.scalars(select(AlertEvent).where(col(AlertEvent.alert_id) == alert_id)).all()
    entries = session.scalars(
        select(AuditEntry).where(
            col(AuditEntry.entity) == "alert", col(AuditEntry.entity_key) == str(alert_id)
        )
    ).all()
    names = audit.actor_names(session, (e.actor_id for e in entries))
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
            actor_name=names.get(e.actor_id or 0),
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
    covering = select(col(UserScope.user_id)).where(
        col(UserScope.jurisdiction_code).in_(sorted(codes))
    )
    users = session.execute(
        select(col(User.id), col(User.username), col(User.display_name))
        .where(
            col(User.role) == "inspector",
            col(User.is_active),
            col(User.id) != (actor.user_id or 0),
            col(User.id).in_(covering),
        )
        .order_by(col(User.display_name), col(User.id))
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


def _handle(
    session: Session, actor: Actor, alert: Alert, action: str, **changes: Any
) -> AlertHandling:
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
    employer = session.get_one(Employer, alert.employer_id)
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
    # How many employers it evaluated: an incremental run those the data changed since the
    # latest run reached, a check one, a shard its counties'; None: every employer.
    employers_evaluated: int | None = None
    incremental: bool = False  # a whole-city run that evaluated only the employers reached
    counties: list[str] = []  # a shard's


def get_run(*, session: Session, run_id: int | None = None) -> RunResult:
    """A monitors run, or the latest one."""
    statement = select(MonitorRun).order_by(col(MonitorRun.id).desc())
    if run_id is not None:
        statement = statement.where(col(MonitorRun.id) == run_id)
    run = session.scalars(statement.limit(1)).first()
    if run is None:
        raise NotFound("no monitors run yet")
    incremental = run.employers_evaluated is not None and run.data_version is not None
    counties = [code for code in run.counties.split(",") if code]
    return RunResult.model_validate(
        run.model_dump() | {"run_id": run.id, "incremental": incremental, "counties": counties}
    )


# --- one employer's alerts, for its overview (service/flows/employer_overview.py) --------------


def open_counts(session: Session, employer_ids: list[int]) -> dict[int, int]:
    """How many open alerts each of `employer_ids` has (a page of employers: one grouped
    query, where a subquery per row ran for every row OFFSET skipped too)."""
    counts: dict[int, int] = {}
    for chunk in id_chunks(employer_ids):
        rows = session.execute(
            select(col(Alert.employer_id), func.count())
            .where(col(Alert.employer_id).in_(chunk), col(Alert.status) == "open")
            .group_by(col(Alert.employer_id))
        ).all()
        counts |= {employer_id: count for employer_id, count in rows}
    return {employer_id: counts.get(employer_id, 0) for employer_id in employer_ids}


def of_employer(session: Session, employer_id: int) -> tuple[int, list[AlertBrief]]:
    """An employer's latest alerts (SECTION_ROWS at most), open ones first, then the most
    recently seen; with how many there are."""
    where = col(Alert.employer_id) == employer_id
    total = session.scalar(select(func.count()).select_from(Alert).where(where)) or 0
    rows = session.scalars(
        select(Alert)
        .where(where)
        .order_by(
            (col(Alert.status) == "open").desc(),
            col(Alert.last_seen).desc(),
            col(Alert.id).desc(),
        )
        .limit(SECTION_ROWS)
    ).all()
    rules = all_rules()
    return total, [
        AlertBrief(
            **alert.model_dump(include=set(AlertBrief.model_fields)),
            title_zh=rules[alert.rule].title_zh if alert.rule in rules else alert.rule,
            title_en=rules[alert.rule].title_en if alert.rule in rules else alert.rule,
        )
        for alert in rows
    ]
