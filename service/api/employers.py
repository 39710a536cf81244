"""JSON API for employers: the twins of the portal pages, with the same permission checks."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from service.bounds import PageNumber, RecordId, SearchText
from service.deps import InspectorDep, ReferenceDep, SessionDep
from service.employers import service as employers
from service.employers.service import AuditPage, EmployerPage
from service.flows import employer_overview
from service.flows.employer_overview import EmployerOverview, EmployerSort, TierFilter
from service.i18n import language_of

router = APIRouter(prefix="/api", tags=["employers"])


@router.get("/employers", response_model=EmployerPage)
def search_employers(
    session: SessionDep,
    actor: InspectorDep,
    q: Annotated[SearchText | None, Query()] = None,
    page: Annotated[PageNumber, Query()] = 1,
    tier: Annotated[TierFilter | None, Query()] = None,
    sort: Annotated[EmployerSort, Query()] = "name",
) -> EmployerPage:
    """Employers in your jurisdiction by name or USCC, of one risk tier if asked, A→Z or by
    risk tier (red first), 50 a page."""
    return employer_overview.search(
        session=session, actor=actor, q=q, page=page, tier=tier, sort=sort
    )


@router.get("/employers/{employer_id}", response_model=EmployerOverview)
def get_employer(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    reference: ReferenceDep,
    employer_id: RecordId,
) -> EmployerOverview:
    """One employer: risk tier and why, contracts, payroll, deposits against the required
    amount, insurance, alerts."""
    return employer_overview.overview(
        session=session,
        actor=actor,
        employer_id=employer_id,
        reference=reference,
        language=language_of(request, actor.locale),
    )


@router.get("/employers/{employer_id}/audit", response_model=AuditPage)
def employer_audit(
    session: SessionDep,
    actor: InspectorDep,
    employer_id: RecordId,
    page: Annotated[PageNumber, Query()] = 1,
) -> AuditPage:
    """The employer's audit trail: who changed what, when, before and after; newest first."""
    return employers.audit_trail(session=session, actor=actor, employer_id=employer_id, page=page)
