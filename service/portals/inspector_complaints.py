"""The inspectors' complaint pages (templates/inspector/complaints*.html), beside the alerts.

An inspector sees the complaints of its jurisdiction (an administrator all) through
mediation.service.readable, with the worker's identity on the case page; others are 404. The
mediation itself is the committee's: inspectors write only messages to the worker and, after a
failed or overdue mediation, take the case over as an inspection case (立案).
The API twins are GET /api/inspector/complaints[/{reference}] in service/api/mediation.py.
Cases are named by their random reference in URLs, never by the sequential id.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlmodel import Session

from monitors.reference import Reference
from service import clock
from service.auth.actors import Actor
from service.bounds import CaseRef, FormText, RecordId
from service.casework import inspection
from service.complaints.schemas import CaseSummary
from service.complaints.service import is_construction
from service.csrf import verify_csrf
from service.deps import InspectorDep, ReferenceDep, SessionDep, SettingsDep
from service.employers.models import Employer
from service.errors import Invalid
from service.flows import case_talk
from service.mediation import service as mediation
from service.portals.mediator import (
    case_of,
    evidence_download,
    handler_case_context,
    in_language,
    labels,
    message_answer,
)
from service.web import render

router = APIRouter(prefix="/inspector/complaints", include_in_schema=False)


def flags(
    session: Session, cases: list[CaseSummary], reference: Reference, today: date
) -> dict[int, dict[str, bool]]:
    """Per case: a group complaint (at least group_complaint_min_workers workers) and a
    construction one (about a project, or an employer in construction), as in
    complaints.service.urgency."""
    minimum = int(reference.value("group_complaint_min_workers", on=today))
    employer_ids = {c.employer_id for c in cases if c.employer_id is not None}
    industries = dict(
        session.execute(
            select(Employer.id, Employer.industry_code).where(Employer.id.in_(employer_ids))
        ).all()
    ) if employer_ids else {}  # fmt: skip
    return {
        c.id: {
            "group": c.workers_affected >= minimum,
            "construction": c.project_code is not None
            or is_construction(industries.get(c.employer_id), reference),
        }
        for c in cases
    }


@router.get("")
def complaints_page(
    request: Request, session: SessionDep, actor: InspectorDep, reference: ReferenceDep
) -> Response:
    cases = mediation.readable_cases(session, actor)
    marks = flags(session, cases, reference, clock.today())
    context = {"cases": cases, "flags": marks, **labels(request)}
    return render(request, "inspector/complaints.html", context)


@router.get("/{reference}")
def complaint_page(
    request: Request,
    reference: CaseRef,
    session: SessionDep,
    actor: InspectorDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    complaint_id = case_of(request, session, actor, reference)
    return _complaint_page(request, session, actor, complaint_id, values={"done": done})


def _complaint_page(
    request: Request,
    session: Session,
    actor: Actor,
    complaint_id: int,
    *,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
) -> Response:
    """The case for the inspectors: facts, evidence, messages with the worker and, for a
    failed or overdue mediation not yet taken over, the take-over form (inspectors only)."""
    case, context = handler_case_context(
        request, session, actor, complaint_id, "/inspector/complaints", errors, values
    )
    case_path = f"/inspector/complaints/{case.reference}"
    is_inspector = actor.role == "inspector"
    context["message_action"] = f"{case_path}/messages" if is_inspector else None
    grounds = inspection.grounds_for(case, clock.today())
    can_take_over = is_inspector and context["inspection"] is None and grounds is not None
    context["takeover_grounds"] = grounds if can_take_over else None
    context["takeover_action"] = f"{case_path}/inspection"
    return render(request, "inspector/complaints_view.html", context, status_code=status_code)


@router.post("/{reference}/messages", dependencies=[Depends(verify_csrf)])
def send_message(
    request: Request,
    reference: CaseRef,
    session: SessionDep,
    actor: InspectorDep,
    body: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """A message to the worker: on the status page, and by SMS if the worker agreed."""
    complaint_id = case_of(request, session, actor, reference)
    done = RedirectResponse(f"/inspector/complaints/{reference}?done=message", 303)
    return message_answer(request, session, actor, complaint_id, body, _complaint_page, done)


@router.post("/{reference}/inspection", dependencies=[Depends(verify_csrf)])
def take_over(
    request: Request,
    reference: CaseRef,
    session: SessionDep,
    actor: InspectorDep,
    reason: Annotated[FormText, Form()] = "",
) -> Response:
    """Open an inspection case (立案) on a failed or overdue mediation; audited."""
    complaint_id = case_of(request, session, actor, reference)
    try:
        in_language(request, lambda: case_talk.take_over(session, actor, complaint_id, reason))
    except Invalid as error:
        return _complaint_page(
            request, session, actor, complaint_id, errors=error.detail,
            values={"reason": reason}, status_code=422,
        )  # fmt: skip
    return RedirectResponse(f"/inspector/complaints/{reference}?done=inspection", 303)


@router.get("/{reference}/evidence/{number}", response_class=FileResponse)
def evidence_file(
    request: Request,
    reference: CaseRef,
    number: RecordId,
    session: SessionDep,
    actor: InspectorDep,
    settings: SettingsDep,
) -> FileResponse:
    """A file the worker attached (the case's `number`-th), as a download (audited)."""
    return evidence_download(request, session, actor, reference, number, settings.upload_dir)
