"""Employers as an inspector sees them: search, one employer's file, and its audit trail.

Every query goes through `readable(actor)`, so no view writes its own scoping filter. The
employer's file is read with a handful of set-based queries filtered by the employer, so the
page stays fast however large the rest of the database is.
"""

from datetime import date, datetime
from typing import Any

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, text, true
from sqlalchemy.engine import Connection
from sqlmodel import Session

from monitors.base import SNAPSHOT_COLUMNS, Snapshot, typed_frame
from monitors.calendar import default_calendar
from monitors.identifiers import mask_id_numbers
from monitors.reference import Reference
from monitors.registry import all_rules
from monitors.rules.deposits import deposit_positions
from service.alerts.models import Alert
from service.audit.models import AuditEntry
from service.auth.actors import Actor
from service.contracts.models import Contract
from service.deposits.models import DepositEvent
from service.employers.models import Employer
from service.errors import NotFound
from service.insurance.models import InsuranceCoverage
from service.jurisdictions.models import Jurisdiction
from service.monitoring.frames import QUERIES
from service.payroll.models import PayrollEntry
from service.projects.models import Project
from service.workers.models import Worker

PER_PAGE = 50
# The employer page lists at most this many rows per section and says how many there are.
SECTION_ROWS = 100
RECENT_AUDIT_ROWS = 10


def readable(actor: Actor) -> ColumnElement[bool]:
    """The employers an actor may see: all for an administrator, the jurisdiction (counties,
    or towns within a county) for an inspector, itself for an employer, none otherwise."""
    if actor.role == "admin":
        return true()
    if actor.role == "employer" and actor.employer_id is not None:
        return Employer.id == actor.employer_id
    if actor.role != "inspector":
        return false()
    places: list[ColumnElement[bool]] = []
    if actor.counties:
        places.append(Employer.county_code.in_(sorted(actor.counties)))
    places += [
        and_(Employer.county_code == county, Employer.town == town)
        for county, town in sorted(actor.towns)
    ]
    return or_(false(), *places)


def get_readable(*, session: Session, actor: Actor, employer_id: int) -> Employer:
    """The employer, or NotFound — also when it exists outside the actor's scope, so that
    ids do not leak."""
    employer = session.scalars(
        select(Employer).where(Employer.id == employer_id, readable(actor))
    ).first()
    if employer is None:
        raise NotFound(f"no employer {employer_id}")
    return employer


# --- schemas ------------------------------------------------------------------------------------


class Paging(BaseModel):
    total: int
    page: int
    per_page: int
    pages: int


class EmployerSummary(BaseModel):
    id: int
    uscc: str
    name: str
    industry_code: str
    county_code: str
    county_name_zh: str | None
    county_name_en: str | None
    town: str | None
    open_alerts: int


class EmployerPage(Paging):
    items: list[EmployerSummary]


class EmployerDetails(BaseModel):
    id: int
    uscc: str
    name: str
    industry_code: str
    industry_name_zh: str | None
    industry_name_en: str | None
    high_risk: bool
    deposit_sector: bool
    county_code: str
    county_name_zh: str | None
    county_name_en: str | None
    town: str | None
    leased_premises: bool
    contact_email: str | None
    dishonesty_listed: bool
    real_name_management: bool
    dedicated_wage_account: bool


class ContractRow(BaseModel):
    contract_id: int
    worker: str  # masked identity number
    worker_name: str
    start_date: date
    signed_date: date | None
    signed: bool
    term_type: str
    end_date: date | None
    left_date: date | None
    employment_type: str
    monthly_wage_fen: int
    project_code: str | None


class PayrollPeriod(BaseModel):
    period: str
    workers: int
    due_fen: int
    paid_fen: int
    arrears_fen: int


class DepositPosition(BaseModel):
    project_id: int | None
    project_code: str | None
    project_name: str | None
    obligation: str  # "project" or "leased_premises"
    in_force: bool
    active_workers: int
    required_fen: int | None
    balance_fen: int
    shortfall_fen: int
    due_date: date | None
    exempt: bool
    exemption_reason: str | None
    # ok, short, missing, not_yet_due, exempt, not_in_force, none_required
    state: str


class DepositEventRow(BaseModel):
    event_date: date
    event: str
    amount_fen: int
    reference: str
    expiry_date: date | None
    project_code: str | None


class CoverageRow(BaseModel):
    kind: str  # "personal" or "project"
    worker: str | None  # masked identity number
    worker_name: str | None
    project_code: str | None
    project_name: str | None
    start_date: date
    end_date: date | None


class AlertBrief(BaseModel):
    id: int
    rule: str
    title_zh: str
    title_en: str
    severity: str
    status: str
    handling: str
    project_code: str
    period: str
    subject_count: int
    amount_fen: int | None
    first_seen: date
    last_seen: date


class AuditRow(BaseModel):
    id: int
    at: datetime
    actor_label: str
    action: str
    entity: str
    entity_key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(Paging):
    employer_id: int
    items: list[AuditRow]


class EmployerOverview(BaseModel):
    as_of: date  # the day deposits and coverage are computed for
    employer: EmployerDetails
    contracts_total: int
    contracts: list[ContractRow]
    payroll: list[PayrollPeriod]
    positions: list[DepositPosition]
    deposit_events: list[DepositEventRow]
    coverage_total: int
    coverage: list[CoverageRow]
    alerts_total: int
    alerts: list[AlertBrief]
    recent_audit: list[AuditRow]


def paging(total: int, page: int, per_page: int = PER_PAGE) -> Paging:
    """The page asked for, clamped to the pages there are (page 1 when there are none)."""
    pages = max(1, -(-total // per_page))
    return Paging(total=total, page=min(max(page, 1), pages), per_page=per_page, pages=pages)


# --- search -------------------------------------------------------------------------------------


def search(*, session: Session, actor: Actor, q: str | None = None, page: int = 1) -> EmployerPage:
    """Employers in scope whose name contains `q` or whose USCC starts with it, A→Z."""
    conditions = [readable(actor)]
    if q and q.strip():
        term = q.strip()
        conditions.append(
            or_(
                Employer.name.contains(term, autoescape=True),
                Employer.uscc.startswith(term.upper(), autoescape=True),
            )
        )
    total = session.scalar(select(func.count()).select_from(Employer).where(*conditions)) or 0
    pages = paging(total, page)
    open_alerts = (
        select(func.count())
        .where(Alert.employer_id == Employer.id, Alert.status == "open")
        .correlate(Employer)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Employer, Jurisdiction.name_zh, Jurisdiction.name_en, open_alerts)
        .outerjoin(Jurisdiction, Jurisdiction.code == Employer.county_code)
        .where(*conditions)
        .order_by(Employer.name, Employer.id)
        .limit(pages.per_page)
        .offset((pages.page - 1) * pages.per_page)
    ).all()
    items = [
        EmployerSummary(
            id=e.id,
            uscc=e.uscc,
            name=e.name,
            industry_code=e.industry_code,
            county_code=e.county_code,
            county_name_zh=zh,
            county_name_en=en,
            town=e.town,
            open_alerts=count,
        )
        for e, zh, en, count in rows
    ]
    return EmployerPage(**pages.model_dump(), items=items)


# --- one employer -------------------------------------------------------------------------------


def overview(
    *, session: Session, actor: Actor, employer_id: int, reference: Reference
) -> EmployerOverview:
    """Everything about one employer in scope: details, contracts, payroll by period, deposits
    against what is required, insurance in force, alerts, and the latest audit entries."""
    employer = get_readable(session=session, actor=actor, employer_id=employer_id)
    as_of = monitors_as_of(session)
    contracts_total, contracts = _contracts(session, employer_id)
    coverage_total, coverage = _coverage(session, employer_id, as_of)
    alerts_total, alerts = _alerts(session, employer_id)
    return EmployerOverview(
        as_of=as_of,
        employer=_details(session, employer, reference),
        contracts_total=contracts_total,
        contracts=contracts,
        payroll=_payroll(session, employer_id),
        positions=positions(
            session=session, employer_id=employer_id, reference=reference, as_of=as_of
        ),
        deposit_events=_deposit_events(session, employer_id),
        coverage_total=coverage_total,
        coverage=coverage,
        alerts_total=alerts_total,
        alerts=alerts,
        recent_audit=_audit_rows(session, employer_id, RECENT_AUDIT_ROWS, 0),
    )


def monitors_as_of(session: Session) -> date:
    """The as-of day of the latest successful monitors run (today if there is none), so the
    employer page agrees with the alerts it links to."""
    latest = session.execute(
        text("SELECT as_of FROM monitor_run WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1")
    ).scalar()
    if latest is None:
        return date.today()
    return latest if isinstance(latest, date) else date.fromisoformat(str(latest))


def _details(session: Session, employer: Employer, reference: Reference) -> EmployerDetails:
    county = session.get(Jurisdiction, employer.county_code)
    industry = reference.industry(employer.industry_code)
    return EmployerDetails(
        **employer.model_dump(exclude={"id"}),
        id=employer.id,
        industry_name_zh=None if industry is None else str(industry["name_zh"]),
        industry_name_en=None if industry is None else str(industry["name_en"]),
        high_risk=bool(industry is not None and industry["high_risk"]),
        deposit_sector=bool(industry is not None and industry["deposit_sector"]),
        county_name_zh=county.name_zh if county else None,
        county_name_en=county.name_en if county else None,
    )


def _masked(id_numbers: list[str]) -> list[str]:
    return mask_id_numbers(pd.Series(id_numbers, dtype="str")).tolist() if id_numbers else []


def _contracts(session: Session, employer_id: int) -> tuple[int, list[ContractRow]]:
    where = Contract.employer_id == employer_id
    total = session.scalar(select(func.count()).select_from(Contract).where(where)) or 0
    rows = session.execute(
        select(Contract, Worker.id_number, Worker.name, Project.project_code)
        .join(Worker, Worker.id == Contract.worker_id)
        .outerjoin(Project, Project.id == Contract.project_id)
        .where(where)
        .order_by(Contract.start_date.desc(), Contract.id.desc())
        .limit(SECTION_ROWS)
    ).all()
    masked = _masked([id_number for _, id_number, _, _ in rows])
    return total, [
        ContractRow(
            contract_id=c.id,
            worker=shown,
            worker_name=name,
            start_date=c.start_date,
            signed_date=c.signed_date,
            signed=c.signed_date is not None,
            term_type=c.term_type,
            end_date=c.end_date,
            left_date=c.left_date,
            employment_type=c.employment_type,
            monthly_wage_fen=c.monthly_wage_fen,
            project_code=code,
        )
        for (c, _, name, code), shown in zip(rows, masked, strict=True)
    ]


def _payroll(session: Session, employer_id: int) -> list[PayrollPeriod]:
    """Per period: workers paid, total due, total paid, and arrears — the shortfall summed
    per worker, so one worker's overpayment does not hide another's arrears."""
    short = PayrollEntry.amount_due_fen - PayrollEntry.amount_paid_fen
    rows = session.execute(
        select(
            PayrollEntry.period,
            func.count(func.distinct(PayrollEntry.worker_id)),
            func.sum(PayrollEntry.amount_due_fen),
            func.sum(PayrollEntry.amount_paid_fen),
            func.sum(case((short > 0, short), else_=0)),
        )
        .where(PayrollEntry.employer_id == employer_id)
        .group_by(PayrollEntry.period)
        .order_by(PayrollEntry.period.desc())
    ).all()
    return [
        PayrollPeriod(
            period=period, workers=workers, due_fen=due, paid_fen=paid, arrears_fen=arrears
        )
        for period, workers, due, paid, arrears in rows
    ]


def _deposit_events(session: Session, employer_id: int) -> list[DepositEventRow]:
    rows = session.execute(
        select(DepositEvent, Project.project_code)
        .outerjoin(Project, Project.id == DepositEvent.project_id)
        .where(DepositEvent.employer_id == employer_id)
        .order_by(DepositEvent.event_date.desc(), DepositEvent.id.desc())
        .limit(SECTION_ROWS)
    ).all()
    return [
        DepositEventRow(
            event_date=e.event_date,
            event=e.event,
            amount_fen=e.amount_fen,
            reference=e.reference,
            expiry_date=e.expiry_date,
            project_code=code,
        )
        for e, code in rows
    ]


def _coverage(session: Session, employer_id: int, as_of: date) -> tuple[int, list[CoverageRow]]:
    """Work-injury coverage in force on `as_of`: project-wide policies first, then personal."""
    where = (
        InsuranceCoverage.employer_id == employer_id,
        InsuranceCoverage.start_date <= as_of,
        or_(InsuranceCoverage.end_date.is_(None), InsuranceCoverage.end_date >= as_of),
    )
    total = session.scalar(select(func.count()).select_from(InsuranceCoverage).where(*where)) or 0
    rows = session.execute(
        select(InsuranceCoverage, Worker.id_number, Worker.name, Project.project_code, Project.name)
        .outerjoin(Worker, Worker.id == InsuranceCoverage.worker_id)
        .outerjoin(Project, Project.id == InsuranceCoverage.project_id)
        .where(*where)
        .order_by(InsuranceCoverage.worker_id.is_not(None), InsuranceCoverage.start_date.desc())
        .limit(SECTION_ROWS)
    ).all()
    masked = iter(_masked([id_number for _, id_number, *_ in rows if id_number]))
    return total, [
        CoverageRow(
            kind="personal" if cover.worker_id is not None else "project",
            worker=next(masked) if id_number else None,
            worker_name=worker_name,
            project_code=code,
            project_name=project_name,
            start_date=cover.start_date,
            end_date=cover.end_date,
        )
        for cover, id_number, worker_name, code, project_name in rows
    ]


def _alerts(session: Session, employer_id: int) -> tuple[int, list[AlertBrief]]:
    """The employer's alerts, open ones first, then the most recently seen."""
    where = Alert.employer_id == employer_id
    total = session.scalar(select(func.count()).select_from(Alert).where(where)) or 0
    rows = session.scalars(
        select(Alert)
        .where(where)
        .order_by((Alert.status == "open").desc(), Alert.last_seen.desc(), Alert.id.desc())
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


# --- deposits: the monitors' own arithmetic on this employer's rows ------------------------------


def positions(
    *, session: Session, employer_id: int, reference: Reference, as_of: date
) -> list[DepositPosition]:
    """Each project the employer contracts (and its leased-premises obligation): the required
    deposit, the balance on `as_of`, and where it stands — computed by the monitors' own
    `deposit_positions` on a snapshot of just this employer's rows."""
    snapshot = employer_snapshot(session.connection(), employer_id, reference, as_of)
    if snapshot.projects.empty and not snapshot.employers["leased_premises"].any():
        return []  # no obligation: spare the arithmetic
    found = deposit_positions(snapshot)
    found = found[found["employer_id"] == employer_id]
    projects = snapshot.projects.set_index("project_id")
    names = _project_names(session, employer_id)
    return [_position(row, projects, names, as_of) for row in found.to_dict("records")]


def _position(
    row: dict[str, Any], projects: pd.DataFrame, names: dict[int, str], as_of: date
) -> DepositPosition:
    project_id = None if pd.isna(row["project_id"]) else int(row["project_id"])
    required = None if pd.isna(row["required_fen"]) else int(row["required_fen"])
    balance = 0 if pd.isna(row["balance_fen"]) else int(row["balance_fen"])
    due = None if pd.isna(row["due_date"]) else row["due_date"].date()
    reason = row["exemption_reason"]
    position = DepositPosition(
        project_id=project_id,
        project_code=None if project_id is None else str(projects.at[project_id, "project_code"]),
        project_name=names.get(project_id) if project_id is not None else None,
        obligation=row["obligation"],
        in_force=bool(row["in_force"]),
        active_workers=int(row["active_workers"]),
        required_fen=required,
        balance_fen=balance,
        shortfall_fen=max((required or 0) - balance, 0),
        due_date=due,
        exempt=bool(row["exempt"]),
        exemption_reason=None if pd.isna(reason) or reason in ("", "None") else str(reason),
        state="",
    )
    position.state = _position_state(position, as_of)
    return position


def _position_state(position: DepositPosition, as_of: date) -> str:
    """Where a position stands, in the monitors' terms: it is late only after the due day."""
    if position.exempt:
        return "exempt"
    if not position.in_force:
        return "not_in_force"
    if not position.required_fen:
        return "none_required"
    if position.shortfall_fen == 0:
        return "ok"
    if position.due_date is None or position.due_date >= as_of:
        return "not_yet_due"
    return "missing" if position.balance_fen <= 0 else "short"


def _project_names(session: Session, employer_id: int) -> dict[int, str]:
    rows = session.execute(
        select(Project.id, Project.name).where(Project.contractor_id == employer_id)
    ).all()
    return dict(rows)


# What the deposit arithmetic needs of one employer: its own row, the projects it contracts,
# every contract on those projects (subcontractors' workers count too) and its own, the
# workers of those contracts, its payroll (its wage record sets the rate) and its ledger.
_PROJECTS_OF = "SELECT id FROM project WHERE contractor_id = :employer_id"
_CONTRACTS_OF = f"employer_id = :employer_id OR project_id IN ({_PROJECTS_OF})"
EMPLOYER_FILTERS: dict[str, str] = {
    "employers": "employer_id = :employer_id",
    "projects": "contractor_id = :employer_id",
    "contracts": _CONTRACTS_OF,
    "workers": f"worker_id IN (SELECT worker_id FROM employment_contract WHERE {_CONTRACTS_OF})",
    "payroll": "employer_id = :employer_id",
    "deposit_events": "employer_id = :employer_id",
}


def employer_snapshot(
    conn: Connection, employer_id: int, reference: Reference, as_of: date
) -> Snapshot:
    """A Snapshot holding only the rows one employer's deposit positions depend on, read with
    the monitors' own column lists (service.monitoring.frames.QUERIES) and typed the same way."""
    frames = {}
    for name, condition in EMPLOYER_FILTERS.items():
        columns = list(SNAPSHOT_COLUMNS[name])
        query = f"SELECT * FROM ({QUERIES[name]}) AS src WHERE {condition}"
        rows = conn.execute(text(query), {"employer_id": employer_id}).all()
        frames[name] = typed_frame(name, pd.DataFrame(rows, columns=columns))
    return Snapshot(as_of=as_of, reference=reference, calendar=default_calendar(), frames=frames)


# --- audit trail --------------------------------------------------------------------------------


def audit_trail(*, session: Session, actor: Actor, employer_id: int, page: int = 1) -> AuditPage:
    """The audit entries about an employer in scope, newest first."""
    get_readable(session=session, actor=actor, employer_id=employer_id)
    total = (
        session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.employer_id == employer_id)
        )
        or 0
    )
    pages = paging(total, page)
    items = _audit_rows(session, employer_id, pages.per_page, (pages.page - 1) * pages.per_page)
    return AuditPage(**pages.model_dump(), employer_id=employer_id, items=items)


def _audit_rows(session: Session, employer_id: int, limit: int, offset: int) -> list[AuditRow]:
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.employer_id == employer_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [AuditRow.model_validate(entry, from_attributes=True) for entry in entries]
