"""Employers as an inspector sees them: scoping, the sections of one employer's file, and its
audit trail. The employer list with open alerts and the whole file, which join the alerts and
deposits domains, are service/flows/employer_overview.py.

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
from sqlmodel import Session, col

from monitors.base import Snapshot
from monitors.identifiers import mask_id_numbers
from monitors.reference import Reference
from monitors.registry import all_rules
from monitors.rules.institutions import institution_duties
from service import clock
from service.audit.models import AuditEntry
from service.audit.service import actor_names
from service.auth.actors import Actor
from service.contracts.models import Contract
from service.employers.models import Employer
from service.errors import NotFound
from service.insurance.models import InsuranceCoverage
from service.jurisdictions.models import Jurisdiction
from service.monitoring import frames
from service.payroll.models import PayrollEntry
from service.projects.models import Project
from service.stored import stored_id
from service.workers.models import Worker

PER_PAGE = 50
# The employer page lists at most this many rows per section and says how many there are.
SECTION_ROWS = 100
RECENT_AUDIT_ROWS = 10


def readable(actor: Actor) -> ColumnElement[bool]:
    """The employers an actor may see: all for an administrator, the jurisdiction (counties,
    or towns within a county) for an inspector or a supervisor, itself for an employer, none
    otherwise."""
    if actor.role == "admin":
        return true()
    if actor.role == "employer" and actor.employer_id is not None:
        return col(Employer.id) == actor.employer_id
    if actor.role not in ("inspector", "supervisor"):
        return false()
    places: list[ColumnElement[bool]] = []
    if actor.counties:
        places.append(col(Employer.county_code).in_(sorted(actor.counties)))
    places += [
        and_(col(Employer.county_code) == county, col(Employer.town) == town)
        for county, town in sorted(actor.towns)
    ]
    return or_(false(), *places)


def get_readable(*, session: Session, actor: Actor, employer_id: int) -> Employer:
    """The employer, or NotFound — also when it exists outside the actor's scope, so that
    ids do not leak."""
    employer = session.scalars(
        select(Employer).where(col(Employer.id) == employer_id, readable(actor))
    ).first()
    if employer is None:
        raise NotFound(f"no employer {employer_id}", message="onelang.error.no_employer")
    return employer


def own_employer(session: Session, actor: Actor) -> Employer:
    """The signed-in employer user's own employer; NotFound for anyone else."""
    employer = session.get(Employer, actor.employer_id) if actor.employer_id else None
    if employer is None:
        raise NotFound("no employer", message="onelang.error.no_employer")
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
    risk_tier: str | None = None  # red, orange, yellow, green; None before the first run


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
    service_office: str | None = None
    liaison_name: str | None = None


class InstitutionDuty(BaseModel):
    """Seed policy 十八 (data contract v2): more than the threshold of active migrant workers
    → a migrant-population service office and a named liaison; with its basis, marked when
    the figure is unconfirmed."""

    active_migrant_workers: int
    threshold: int
    applies: bool
    service_office: bool
    liaison_name: str | None
    legal_basis_zh: str
    legal_basis_en: str


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


class CoverageRow(BaseModel):
    kind: str  # "personal" or "project"
    worker: str | None  # masked identity number
    worker_name: str | None
    project_code: str | None
    project_name: str | None
    start_date: date
    end_date: date | None


class AuditRow(BaseModel):
    id: int
    at: datetime
    actor_label: str
    actor_name: str | None = None  # the person's display name; None for the system
    people: dict[int, str] = {}  # display names of the users the record refers to (assignees)
    action: str
    entity: str
    entity_key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(Paging):
    employer_id: int
    items: list[AuditRow]


def paging(total: int, page: int, per_page: int = PER_PAGE) -> Paging:
    """The page asked for, clamped to the pages there are (page 1 when there are none)."""
    pages = max(1, -(-total // per_page))
    return Paging(total=total, page=min(max(page, 1), pages), per_page=per_page, pages=pages)


def window(pages: Paging) -> tuple[int, int, bool]:
    """LIMIT, OFFSET and whether to read the page backwards. A page past the middle is read
    from the end (the order reversed, the rows turned round after), so the last page skips
    as few rows as the first: OFFSET still reads every row it skips."""
    offset = (pages.page - 1) * pages.per_page
    limit = max(0, min(pages.per_page, pages.total - offset))
    from_end = pages.total - offset - limit
    if from_end < offset:
        return limit, from_end, True
    return pages.per_page, offset, False


def institution_duty(*, employer: Employer, snapshot: Snapshot) -> InstitutionDuty:
    """The employer's migrant-population service-office duty on the snapshot's day, by the
    monitors' own `institution_duties` on a snapshot of its rows (`employer_snapshot`)."""
    employer_id, reference = stored_id(employer), snapshot.reference
    duty = institution_duties(snapshot).set_index("employer_id").loc[employer_id]
    basis = reference.basis(*all_rules()["institution.missing"].legal_basis)
    return InstitutionDuty(
        active_migrant_workers=int(duty["active_migrant_workers"]),  # type: ignore[arg-type]  # stubs: a cell could be a Series
        threshold=int(duty["threshold"]),  # type: ignore[arg-type]
        applies=bool(duty["applies"]),
        service_office=bool(duty["service_office"]),
        liaison_name=employer.liaison_name,
        legal_basis_zh=basis.zh,
        legal_basis_en=basis.en,
    )


def monitors_as_of(session: Session) -> date:
    """The as-of day of the latest successful monitors run (today if there is none), so the
    employer page agrees with the alerts it links to."""
    latest = session.execute(
        text("SELECT as_of FROM monitor_run WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1")
    ).scalar()
    if latest is None:
        return clock.today()
    return latest if isinstance(latest, date) else date.fromisoformat(str(latest))


# --- one employer's file: the sections of its overview (service/flows/employer_overview.py) ---


def details(session: Session, employer: Employer, reference: Reference) -> EmployerDetails:
    county = session.get(Jurisdiction, employer.county_code)
    industry = reference.industry(employer.industry_code)
    return EmployerDetails(
        **employer.model_dump(exclude={"id"}),
        id=stored_id(employer),
        industry_name_zh=None if industry is None else str(industry["name_zh"]),
        industry_name_en=None if industry is None else str(industry["name_en"]),
        high_risk=bool(industry is not None and industry["high_risk"]),
        deposit_sector=bool(industry is not None and industry["deposit_sector"]),
        county_name_zh=county.name_zh if county else None,
        county_name_en=county.name_en if county else None,
    )


def _masked(id_numbers: list[str]) -> list[str]:
    return mask_id_numbers(pd.Series(id_numbers, dtype="str")).tolist() if id_numbers else []


def contracts(session: Session, employer_id: int) -> tuple[int, list[ContractRow]]:
    where = col(Contract.employer_id) == employer_id
    total = session.scalar(select(func.count()).select_from(Contract).where(where)) or 0
    rows = session.execute(
        select(Contract, col(Worker.id_number), col(Worker.name), col(Project.project_code))
        .join(Worker, col(Worker.id) == col(Contract.worker_id))
        .outerjoin(Project, col(Project.id) == col(Contract.project_id))
        .where(where)
        .order_by(col(Contract.start_date).desc(), col(Contract.id).desc())
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


def payroll(session: Session, employer_id: int) -> list[PayrollPeriod]:
    """Per period: workers paid, total due, total paid, and arrears — the shortfall summed
    per worker, so one worker's overpayment does not hide another's arrears."""
    short = col(PayrollEntry.amount_due_fen) - col(PayrollEntry.amount_paid_fen)
    rows = session.execute(
        select(
            col(PayrollEntry.period),
            func.count(func.distinct(PayrollEntry.worker_id)),
            func.sum(PayrollEntry.amount_due_fen),
            func.sum(PayrollEntry.amount_paid_fen),
            func.sum(case((short > 0, short), else_=0)),
        )
        .where(col(PayrollEntry.employer_id) == employer_id)
        .group_by(PayrollEntry.period)
        .order_by(col(PayrollEntry.period).desc())
    ).all()
    return [
        PayrollPeriod(
            period=period, workers=workers, due_fen=due, paid_fen=paid, arrears_fen=arrears
        )
        for period, workers, due, paid, arrears in rows
    ]


def coverage(session: Session, employer_id: int, as_of: date) -> tuple[int, list[CoverageRow]]:
    """Work-injury coverage in force on `as_of`: project-wide policies first, then personal."""
    where = (
        col(InsuranceCoverage.employer_id) == employer_id,
        col(InsuranceCoverage.start_date) <= as_of,
        or_(col(InsuranceCoverage.end_date).is_(None), col(InsuranceCoverage.end_date) >= as_of),
    )
    total = session.scalar(select(func.count()).select_from(InsuranceCoverage).where(*where)) or 0
    rows = session.execute(
        select(
            InsuranceCoverage,
            col(Worker.id_number),
            col(Worker.name),
            col(Project.project_code),
            col(Project.name),
        )
        .outerjoin(Worker, col(Worker.id) == col(InsuranceCoverage.worker_id))
        .outerjoin(Project, col(Project.id) == col(InsuranceCoverage.project_id))
        .where(*where)
        .order_by(
            col(InsuranceCoverage.worker_id).is_not(None), col(InsuranceCoverage.start_date).desc()
        )
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


# What the deposit arithmetic and the service-office duty read of one employer's share.
DEPOSIT_INPUTS = ("employers", "projects", "contracts", "workers", "payroll", "deposit_events")


def employer_snapshot(
    conn: Connection, employer_id: int, reference: Reference, as_of: date
) -> Snapshot:
    """One employer's share of the monitors' snapshot, for its deposit positions and duties."""
    return frames.employer_snapshot(conn, employer_id, reference, as_of, DEPOSIT_INPUTS)


# --- audit trail --------------------------------------------------------------------------------


def audit_trail(*, session: Session, actor: Actor, employer_id: int, page: int = 1) -> AuditPage:
    """The audit entries about an employer in scope, newest first."""
    get_readable(session=session, actor=actor, employer_id=employer_id)
    total = (
        session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(col(AuditEntry.employer_id) == employer_id)
        )
        or 0
    )
    pages = paging(total, page)
    items = audit_rows(session, employer_id, pages.per_page, (pages.page - 1) * pages.per_page)
    return AuditPage(**pages.model_dump(), employer_id=employer_id, items=items)


def audit_rows(session: Session, employer_id: int, limit: int, offset: int) -> list[AuditRow]:
    entries = session.scalars(
        select(AuditEntry)
        .where(col(AuditEntry.employer_id) == employer_id)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    assignees = [
        change.get(ASSIGNEE)
        for entry in entries
        for change in (entry.before or {}, entry.after or {})
        if isinstance(change.get(ASSIGNEE), int)
    ]
    names = actor_names(session, [entry.actor_id for entry in entries] + assignees)
    return [
        AuditRow.model_validate(entry, from_attributes=True).model_copy(
            update={
                "actor_name": names.get(entry.actor_id or 0),
                "people": {i: names[i] for i in assignees if i in names},
            }
        )
        for entry in entries
    ]


ASSIGNEE = "assigned_to_id"  # an alert's assignee in its handling's audit records
