"""JSON API for employers: the twins of the portal pages, with the same permission checks."""

from typing import Annotated

from fastapi import APIRouter, Query

from service.alerts.api import ReferenceDep
from service.deps import InspectorDep, SessionDep
from service.employers import service as employers
from service.employers.service import AuditPage, EmployerOverview, EmployerPage

router = APIRouter(prefix="/api", tags=["employers"])


@router.get("/employers", response_model=EmployerPage)
def search_employers(
    session: SessionDep,
    actor: InspectorDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> EmployerPage:
    """Employers in your jurisdiction by name or USCC, A→Z, 50 a page."""
    return employers.search(session=session, actor=actor, q=q, page=page)


@router.get("/employers/{employer_id}", response_model=EmployerOverview)
def get_employer(
    session: SessionDep, actor: InspectorDep, reference: ReferenceDep, employer_id: int
) -> EmployerOverview:
    """One employer: contracts, payroll, deposits against the required amount, insurance, alerts."""
    return employers.overview(
        session=session, actor=actor, employer_id=employer_id, reference=reference
    )


@router.get("/employers/{employer_id}/audit", response_model=AuditPage)
def employer_audit(
    session: SessionDep,
    actor: InspectorDep,
    employer_id: int,
    page: Annotated[int, Query(ge=1)] = 1,
) -> AuditPage:
    """The employer's audit trail: who changed what, when, before and after; newest first."""
    return employers.audit_trail(session=session, actor=actor, employer_id=employer_id, page=page)
