"""JSON API for mediation cases: the mediator's cases, the inspectors' complaints and the
employer's notices. Same service functions and checks as the pages: 404 outside the actor's
scope, 409 once a case is closed, 422 with {field: {"zh-CN", "en"}} for bad input. A case is
named by its random `reference` in URLs and JSON, never by its sequential id."""

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from service.bounds import CaseRef, CodeText, FormText
from service.complaints import service as complaints
from service.complaints.schemas import CaseDetail, CaseSummary, EmployerNotice
from service.deps import EmployerDep, InspectorDep, MediatorDep, ReferenceDep, SessionDep
from service.mediation import service as mediation

router = APIRouter(prefix="/api", tags=["mediation"])


class SessionIn(BaseModel):
    held_on: date | CodeText
    note: FormText


class CloseIn(BaseModel):
    outcome: CodeText  # agreement, failure or withdrawal
    agreement_amount: CodeText | None = None  # CNY, e.g. "8500.50"; required for an agreement
    payment_due_on: date | CodeText | None = None  # required for an agreement
    note: FormText = ""


@router.get("/cases", response_model=list[CaseSummary])
def list_cases(session: SessionDep, actor: MediatorDep, status: CodeText | None = None):
    """The mediator's committee's cases: open ones first, nearest deadline first."""
    return mediation.readable_cases(session, actor, status=status)


@router.get("/cases/{reference}", response_model=CaseDetail)
def get_case(reference: CaseRef, session: SessionDep, actor: MediatorDep):
    """One case of the committee, with the worker's identity, sessions and timeline."""
    return mediation.get_case(session, actor, mediation.case_id(session, actor, reference))


@router.post("/cases/{reference}/accept", response_model=CaseDetail)
def accept_case(reference: CaseRef, session: SessionDep, actor: MediatorDep):
    """The committee accepts the case (409 when already accepted or closed)."""
    return mediation.accept(session, actor, mediation.case_id(session, actor, reference))


@router.post("/cases/{reference}/sessions", response_model=CaseDetail, status_code=201)
def record_session(reference: CaseRef, body: SessionIn, session: SessionDep, actor: MediatorDep):
    """Record a mediation session held on a day between receipt and today."""
    case = mediation.case_id(session, actor, reference)
    return mediation.record_session(session, actor, case, body.held_on, body.note)


@router.post("/cases/{reference}/close", response_model=CaseDetail)
def close_case(
    reference: CaseRef,
    body: CloseIn,
    session: SessionDep,
    actor: MediatorDep,
    law: ReferenceDep,
):
    """Close the case with its outcome; a failure gives the arbitration deadline."""
    return mediation.close(
        session,
        actor,
        mediation.case_id(session, actor, reference),
        body.outcome,
        agreement_amount=body.agreement_amount,
        payment_due_on=body.payment_due_on,
        note=body.note,
        reference=law,
    )


@router.get("/inspector/complaints", response_model=list[CaseSummary])
def inspector_complaints(session: SessionDep, actor: InspectorDep, status: CodeText | None = None):
    """Complaints in the inspector's jurisdiction (all for an administrator)."""
    return mediation.readable_cases(session, actor, status=status)


@router.get("/inspector/complaints/{reference}", response_model=CaseDetail)
def inspector_complaint(reference: CaseRef, session: SessionDep, actor: InspectorDep):
    """One complaint of the jurisdiction, read-only, with the worker's identity."""
    return mediation.get_case(session, actor, mediation.case_id(session, actor, reference))


@router.get("/employer/complaints", response_model=list[EmployerNotice])
def employer_complaints(session: SessionDep, actor: EmployerDep):
    """Complaints about the employer: reference, week, status and who handles each; what
    they say and who made them only when the worker agreed."""
    return complaints.notices_for_employer(session, actor)
