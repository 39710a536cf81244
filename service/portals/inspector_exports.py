"""Exports of the inspector's lists (alerts inbox, employers, complaints, deposit proofs) and of
the supervision overview's tables as CSV or XLSX, with the page's own filters and scope
(service/portals/exports.py)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from monitors.reference import Reference
from service import clock
from service.alerts import service as alerts
from service.alerts.service import AlertFilters
from service.alerts.severity import word as severity_word
from service.auth.actors import Actor
from service.bounds import CodeText, SearchText
from service.deposits import service as deposits
from service.deps import ActorDep, ReferenceDep, SessionDep
from service.errors import Forbidden, Unauthenticated
from service.flows import employer_overview
from service.flows.employer_overview import EmployerSort, TierFilter
from service.i18n import language_of, translate
from service.jurisdictions.models import Jurisdiction
from service.mediation import service as mediation
from service.overview import service as overview
from service.overview.schemas import Figures, Overview, Place
from service.portals.exports import (
    EXPORT_MAX_ROWS,
    ExportFormat,
    can_export,
    export_response,
    yuan_amount,
)

router = APIRouter(prefix="/inspector/exports", include_in_schema=False)


def export_reader(actor: ActorDep) -> Actor:
    if actor.is_anonymous:
        raise Unauthenticated("sign in first")
    if not can_export(actor):
        raise Forbidden("only for inspectors")
    return actor


ExporterDep = Annotated[Actor, Depends(export_reader)]
FormatQuery = Annotated[ExportFormat, Query(alias="format")]


def _county_names(session: Session, language: str) -> dict[str, str]:
    rows = session.exec(select(Jurisdiction.code, Jurisdiction.name_zh, Jurisdiction.name_en))
    return {code: (en if language == "en" else zh) for code, zh, en in rows}


def _industry_name(reference: Reference, code: str, language: str) -> str:
    found = reference.industry(code)
    if found is None:
        return code
    return str(found["name_en"] if language == "en" else found["name_zh"])


@router.get("/alerts")
def alerts_export(
    request: Request,
    session: SessionDep,
    actor: ExporterDep,
    filters: Annotated[AlertFilters, Query()],
    fmt: FormatQuery = "csv",
) -> Response:
    """The alerts inbox with its filters and sort, every page."""
    language = language_of(request, actor.locale)
    found = alerts.all_alerts(
        session=session, actor=actor, filters=filters, today=clock.today(), limit=EXPORT_MAX_ROWS
    )
    counties = _county_names(session, language)
    rows = [
        [
            a.id,
            a.title_en if language == "en" else a.title_zh,
            severity_word(a.severity, language),
            translate(language, f"inspector.status.{a.status}"),
            translate(language, f"inspector.handling.{a.handling}"),
            a.employer_name,
            a.employer_uscc,
            counties.get(a.county_code, a.county_code),
            a.town or "",
            a.project_name or a.project_code,
            a.period,
            a.subject_count,
            yuan_amount(a.amount_fen),
            a.first_seen,
            a.last_seen,
            a.assigned_to_name or "",
        ]
        for a in found
    ]
    headings = [
        "id", "alert", "severity", "status", "handling", "employer", "uscc", "county", "town",
        "project", "period", "subjects", "amount", "first_seen", "last_seen", "assigned_to",
    ]  # fmt: skip
    return export_response(
        request=request, session=session, actor=actor, what="alerts", language=language,
        fmt=fmt, columns=headings, rows=rows, money_columns=[12],
    )  # fmt: skip


@router.get("/employers")
def employers_export(
    request: Request,
    session: SessionDep,
    actor: ExporterDep,
    reference: ReferenceDep,
    q: Annotated[SearchText | None, Query()] = None,
    tier: Annotated[TierFilter | None, Query()] = None,
    sort: Annotated[EmployerSort, Query()] = "name",
    fmt: FormatQuery = "csv",
) -> Response:
    """The employer list with its search, tier filter and sort, every page."""
    language = language_of(request, actor.locale)
    found = employer_overview.search_all(
        session=session, actor=actor, q=q, tier=tier, sort=sort, limit=EXPORT_MAX_ROWS
    )
    none = translate(language, "risk.tier.none")
    rows = [
        [
            translate(language, f"risk.tier.{e.risk_tier}") if e.risk_tier else none,
            e.name,
            e.uscc,
            (e.county_name_en if language == "en" else e.county_name_zh) or e.county_code,
            e.town or "",
            _industry_name(reference, e.industry_code, language),
            e.open_alerts,
        ]
        for e in found
    ]
    headings = ["tier", "employer", "uscc", "county", "town", "industry", "open_alerts"]
    return export_response(
        request=request, session=session, actor=actor, what="employers", language=language,
        fmt=fmt, columns=headings, rows=rows,
    )  # fmt: skip


@router.get("/complaints")
def complaints_export(
    request: Request,
    session: SessionDep,
    actor: ExporterDep,
    status: Annotated[Literal["received", "accepted", "closed"] | None, Query()] = None,
    fmt: FormatQuery = "csv",
) -> Response:
    """The complaints of the inspector's jurisdiction, in the page's order. Not a
    supervisor's: complaints are case work, read with the worker's identity."""
    if actor.role == "supervisor":
        raise Forbidden("only for inspectors")
    language = language_of(request, actor.locale)
    cases = mediation.readable_cases(session, actor, status=status, limit=EXPORT_MAX_ROWS)
    counties = _county_names(session, language)
    rows = [
        [
            c.reference,
            translate(language, f"complaint.kind.{c.kind}"),
            translate(language, f"exports.complaint_status.{c.status}"),
            c.received_on,
            c.employer_name,
            counties.get(c.county_code, c.county_code),
            c.town or "",
            c.project_code or "",
            yuan_amount(c.amount_owed_fen),
            c.workers_affected,
            c.committee_name or "",
            c.mediation_due_on,
            translate(language, f"exports.outcome.{c.outcome}") if c.outcome else "",
        ]
        for c in cases
    ]
    headings = [
        "id", "complaint_kind", "status", "received_on", "employer", "county", "town",
        "project", "owed", "workers", "committee", "mediation_due_on", "outcome",
    ]  # fmt: skip
    return export_response(
        request=request, session=session, actor=actor, what="complaints", language=language,
        fmt=fmt, columns=headings, rows=rows, money_columns=[8],
    )  # fmt: skip


@router.get("/proofs")
def proofs_export(
    request: Request,
    session: SessionDep,
    actor: ExporterDep,
    status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = "pending",
    fmt: FormatQuery = "csv",
) -> Response:
    """The deposit proofs in scope (by default the review queue: the pending ones)."""
    language = language_of(request, actor.locale)
    proofs = deposits.list_proofs(session=session, actor=actor, status=status)
    rows = [
        [
            p.id,
            p.employer_name,
            p.employer_uscc,
            p.project_code or "",
            translate(language, f"proofs.kind.{p.kind}"),
            yuan_amount(p.amount_fen),
            p.event_date,
            p.reference,
            p.expiry_date,
            translate(language, f"proofs.status.{p.status}"),
            clock.shown(p.submitted_at),
            p.reason or "",
        ]
        for p in proofs[:EXPORT_MAX_ROWS]
    ]
    headings = [
        "id", "employer", "uscc", "project", "proof_kind", "proof_amount", "event_date",
        "reference", "expiry_date", "status", "submitted_at", "reason",
    ]  # fmt: skip
    return export_response(
        request=request, session=session, actor=actor, what="proofs", language=language,
        fmt=fmt, columns=headings, rows=rows, money_columns=[5],
    )  # fmt: skip


OverviewTable = Literal["figures", "map", "places", "months", "top"]
# The overview's figures, in the page's order (Figures fields; those ending in _fen are money,
# headed without the suffix).
FIGURE_COLUMNS = (
    "employers", "tier_red", "tier_orange", "tier_yellow", "tier_green", "active_migrant_workers",
    "active_workers", "open_alerts", "alerts_critical", "alerts_high", "alerts_medium",
    "alerts_low", "at_stake_fen", "arrears_fen", "deposit_shortfall_fen", "double_wage_fen",
    "deposit_required_fen", "deposit_held_fen", "deposit_coverage_pct", "high_risk_workers",
    "high_risk_workers_insured", "injury_coverage_pct", "complaints_received",
    "complaints_mediated_in_time", "mediated_in_time_pct", "complaints_overdue",
    "legal_aid_referrals",
)  # fmt: skip


def _place_row(place: Place) -> list[object]:
    figures: Figures = place.figures
    cells: list[object] = [place.name]
    for field in FIGURE_COLUMNS:
        value = getattr(figures, field)
        cells.append(yuan_amount(value) if field.endswith("_fen") else value)
    return cells


def _overview_table(
    view: Overview, table: OverviewTable, language: str
) -> tuple[list[str], list[list[object]], list[int]]:
    """One of the page's tables as (headings, rows, money columns). The map's and the places'
    rows carry every headline figure, not only the one the page's table shows."""
    if table in ("figures", "map", "places"):
        chosen = {"figures": [view.scope], "map": view.map_places, "places": view.places}
        places = chosen[table] if view.run_id is not None else []
        headings = ["place", *(field.removesuffix("_fen") for field in FIGURE_COLUMNS)]
        money = [i + 1 for i, field in enumerate(FIGURE_COLUMNS) if field.endswith("_fen")]
        return headings, [_place_row(p) for p in places], money
    if table == "months":
        rows = [
            [m.month, m.alerts_opened, m.alerts_resolved, yuan_amount(m.arrears_fen),
             m.complaints_received]
            for m in view.months
        ]  # fmt: skip
        headings = [
            "month", "alerts_opened", "alerts_resolved", "arrears_by_wage_month",
            "complaints_received",
        ]  # fmt: skip
        return headings, rows, [3]
    rows = [
        [
            e.rank,
            translate(language, f"risk.tier.{e.tier}"),
            e.name,
            e.county_name,
            e.town or "",
            yuan_amount(e.at_stake_fen),
            e.open_alerts,
        ]
        for e in view.top_employers
    ]
    headings = ["rank", "tier", "employer", "county", "town", "at_stake", "open_alerts"]
    return headings, rows, [5]


@router.get("/overview")
def overview_export(
    request: Request,
    session: SessionDep,
    actor: ExporterDep,
    table: Annotated[OverviewTable, Query()] = "places",
    county: Annotated[CodeText | None, Query()] = None,
    fmt: FormatQuery = "csv",
) -> Response:
    """One table of the supervision overview (headline figures, the counties of the map, the
    places, the twelve months, the highest-risk employers), of the page's scope and county."""
    language = language_of(request, actor.locale)
    view = overview.overview(session=session, actor=actor, county=county or None, language=language)
    headings, rows, money = _overview_table(view, table, language)
    return export_response(
        request=request, session=session, actor=actor, what=f"overview_{table}",
        language=language, fmt=fmt, columns=headings, rows=rows, money_columns=money,
    )  # fmt: skip
