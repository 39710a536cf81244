"""JSON API for mediation cases: the mediator's cases, the inspectors' complaints and the
employer's notices. Same service functions and checks as the pages: 404 outside the actor's
scope, 409 once a case is closed, 422 with {field: {"zh-CN", "en"}} for bad input."""

from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel

from service.complaints import service as complaints
from service.complaints.schemas import CaseDetail, CaseSummary, EmployerNotice
from service.deps import EmployerDep, InspectorDep, MediatorDep, SessionDep
from service.mediation import service as mediation

router = APIRouter(prefix="/api", tags=["mediation"])


class SessionIn(BaseModel):
    held_on: date | str
    note: str


class CloseIn(BaseModel):
    outcome: str  # agreement, failure or withdrawal
    agreement_amount: str | None = None  # CNY, e.g. "8500.50"; required for an agreement
    payment_due_on: date | str | None = None  # required for an agreement
    note: str = ""


@router.get("/cases", response_model=list[CaseSummary])
def list_cases(session: SessionDep, actor: MediatorDep, status: str | None = None):
    """The mediator's committee's cases: open ones first, nearest deadline first."""
    return mediation.readable_cases(session, actor, status=status)


@router.get("/cases/{complaint_id}", response_model=CaseDetail)
def get_case(complaint_id: int, session: SessionDep, actor: MediatorDep):
    """One case of the committee, with the worker's identity, sessions and timeline."""
    return mediation.get_case(session, actor, complaint_id)


@router.post("/cases/{complaint_id}/accept", response_model=CaseDetail)
def accept_case(complaint_id: int, session: SessionDep, actor: MediatorDep):
    """The committee accepts the case (409 when already accepted or closed)."""
    return mediation.accept(session, actor, complaint_id)


@router.post("/cases/{complaint_id}/sessions", response_model=CaseDetail, status_code=201)
def record_session(complaint_id: int, body: SessionIn, session: SessionDep, actor: MediatorDep):
    """Record a mediation session held on a day between receipt and today."""
    return mediation.record_session(session, actor, complaint_id, body.held_on, body.note)


@router.post("/cases/{complaint_id}/close", response_model=CaseDetail)
def close_case(
    complaint_id: int, body: CloseIn, request: Request, session: SessionDep, actor: MediatorDep
):
    """Close the case with its outcome; a failure gives the arbitration deadline."""
    return mediation.close(
        session,
        actor,
        complaint_id,
        body.outcome,
        agreement_amount=body.agreement_amount,
        payment_due_on=body.payment_due_on,
        note=body.note,
        reference=request.app.state.reference,
    )


@router.get("/inspector/complaints", response_model=list[CaseSummary])
def inspector_complaints(session: SessionDep, actor: InspectorDep, status: str | None = None):
    """Complaints in the inspector's jurisdiction (all for an administrator)."""
    return mediation.readable_cases(session, actor, status=status)


@router.get("/inspector/complaints/{complaint_id}", response_model=CaseDetail)
def inspector_complaint(complaint_id: int, session: SessionDep, actor: InspectorDep):
    """One complaint of the jurisdiction, read-only, with the worker's identity."""
    return mediation.get_case(session, actor, complaint_id)


@router.get("/employer/complaints", response_model=list[EmployerNotice])
def employer_complaints(session: SessionDep, actor: EmployerDep):
    """Complaints about the employer; who made them only when the worker agreed."""
    return complaints.notices_for_employer(session, actor)
