"""The inspector's employer pages: the employers in scope with their open alerts and risk tier,
and one employer in full — details, risk tier with why and its history, contracts, payroll by
period, deposits against what is required, insurance in force, alerts and the latest audit
entries — joined from the employers, deposits, alerts and risk domains."""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from monitors.reference import Reference
from service.alerts import service as alerts
from service.alerts.service import AlertBrief
from service.auth.actors import Actor
from service.db import id_chunks
from service.deposits import positions as deposits
from service.deposits.schemas import DepositEventRow, DepositPosition
from service.employers import service as employers
from service.employers.models import Employer
from service.employers.service import (
    RECENT_AUDIT_ROWS,
    AuditRow,
    ContractRow,
    CoverageRow,
    EmployerDetails,
    EmployerPage,
    EmployerSummary,
    InstitutionDuty,
    PayrollPeriod,
    paging,
    readable,
    window,
)
from service.jurisdictions.models import Jurisdiction
from service.risk import service as risk
from service.risk.models import TIERS
from service.risk.schemas import TierChange, TierView
from service.stored import stored_id

EmployerSort = Literal["name", "tier"]
EMPLOYER_SORTS = ("name", "tier")
TierFilter = Literal["red", "orange", "yellow", "green"]


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
    institution: InstitutionDuty
    risk: TierView
    risk_history: list[TierChange]


def search(
    *,
    session: Session,
    actor: Actor,
    q: str | None = None,
    page: int = 1,
    tier: TierFilter | None = None,
    sort: EmployerSort = "name",
) -> EmployerPage:
    """Employers in scope whose name contains `q` or whose USCC starts with it, of one risk
    tier if asked, A→Z or by tier (red first, then A→Z)."""
    conditions = _conditions(actor, q, tier)
    total = session.scalar(select(func.count()).select_from(Employer).where(*conditions)) or 0
    pages = paging(total, page)
    limit, offset, backwards = window(pages)
    items = _summaries(session, conditions, sort, limit, offset, backwards=backwards)
    return EmployerPage(**pages.model_dump(), items=items)


def search_all(
    *,
    session: Session,
    actor: Actor,
    q: str | None,
    tier: TierFilter | None,
    sort: EmployerSort,
    limit: int,
) -> list[EmployerSummary]:
    """Every employer `search` finds (no paging, at most `limit`): what an export holds."""
    return _summaries(session, _conditions(actor, q, tier), sort, limit, 0)


def _conditions(actor: Actor, q: str | None, tier: str | None) -> list[Any]:
    conditions: list[Any] = [readable(actor)]
    if tier in TIERS:  # by rank, the index's first column: one tier's rows lie together A→Z
        conditions.append(col(Employer.risk_rank) == TIERS.index(tier))
    if q and q.strip():
        term = q.strip()
        conditions.append(
            or_(
                Employer.name.contains(term, autoescape=True),
                Employer.uscc.startswith(term.upper(), autoescape=True),
            )
        )
    return conditions


def _summaries(
    session: Session,
    conditions: list[Any],
    sort: str,
    limit: int,
    offset: int,
    *,
    backwards: bool = False,
) -> list[EmployerSummary]:
    """The page's employer ids in order first — narrow rows, walked along the (name, id) or
    (risk_rank, name, id) index — then those employers' rows and county names, and their
    open alerts: three statements however long the list."""
    ids = list(
        session.scalars(
            select(col(Employer.id))
            .where(*conditions)
            .order_by(*_order(sort, backwards))
            .limit(limit)
            .offset(offset)
        )
    )
    if backwards:
        ids.reverse()
    found: dict[int, Any] = {}
    for chunk in id_chunks(ids):
        rows = session.execute(
            select(Employer, Jurisdiction.name_zh, Jurisdiction.name_en)
            .outerjoin(Jurisdiction, Jurisdiction.code == Employer.county_code)
            .where(col(Employer.id).in_(chunk))
        ).all()
        found |= {stored_id(row[0]): row for row in rows}
    open_alerts = alerts.open_counts(session, ids)
    return [
        EmployerSummary(
            id=e.id,
            uscc=e.uscc,
            name=e.name,
            industry_code=e.industry_code,
            county_code=e.county_code,
            county_name_zh=zh,
            county_name_en=en,
            town=e.town,
            open_alerts=open_alerts[e.id],
            risk_tier=e.risk_tier,
        )
        for e, zh, en in (found[i] for i in ids)
    ]


def _order(sort: str, backwards: bool = False) -> list[Any]:
    """A→Z (by id among equal names), red first when by tier; reversed for a page read
    from the end."""
    keys = [col(Employer.name), col(Employer.id)]
    if sort == "tier":
        keys.insert(0, col(Employer.risk_rank))
    return [key.desc() for key in keys] if backwards else keys


def overview(
    *,
    session: Session,
    actor: Actor,
    employer_id: int,
    reference: Reference,
    language: str = "zh-CN",
) -> EmployerOverview:
    """Everything about one employer in scope: details, contracts, payroll by period, deposits
    against what is required, insurance in force, alerts, and the latest audit entries."""
    employer = employers.get_readable(session=session, actor=actor, employer_id=employer_id)
    as_of = employers.monitors_as_of(session)
    contracts_total, contracts = employers.contracts(session, employer_id)
    coverage_total, coverage = employers.coverage(session, employer_id, as_of)
    alerts_total, alert_briefs = alerts.of_employer(session, employer_id)
    # Read once: the deposit positions and the service-office duty both come from it.
    deposits_snapshot = employers.employer_snapshot(
        session.connection(), employer_id, reference, as_of
    )
    return EmployerOverview(
        as_of=as_of,
        employer=employers.details(session, employer, reference),
        contracts_total=contracts_total,
        contracts=contracts,
        payroll=employers.payroll(session, employer_id),
        positions=deposits.positions(
            session=session, employer_id=employer_id, snapshot=deposits_snapshot
        ),
        deposit_events=deposits.ledger(session, employer_id),
        coverage_total=coverage_total,
        coverage=coverage,
        alerts_total=alerts_total,
        alerts=alert_briefs,
        recent_audit=employers.audit_rows(session, employer_id, RECENT_AUDIT_ROWS, 0),
        institution=employers.institution_duty(employer=employer, snapshot=deposits_snapshot),
        risk=risk.current(session, employer_id, language),
        risk_history=risk.history(session, employer_id),
    )
