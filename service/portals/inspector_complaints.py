"""The inspectors' complaint pages (templates/inspector/complaints*.html), beside the alerts.

Read-only: an inspector sees the complaints of its jurisdiction (an administrator all) through
mediation.service.readable, with the worker's identity on the case page; others are 404.
The API twins are GET /api/inspector/complaints[/{id}] in service/mediation/api.py.
"""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlmodel import Session

from monitors.reference import Reference
from service.complaints.schemas import CaseSummary
from service.complaints.service import is_construction
from service.deps import InspectorDep, SessionDep
from service.employers.models import Employer
from service.mediation import service as mediation
from service.portals.mediator import case_context, in_language, labels
from service.web import render

router = APIRouter(prefix="/inspector/complaints", include_in_schema=False)


def flags(
    session: Session, cases: list[CaseSummary], reference: Reference, today: date
) -> dict[int, dict[str, bool]]:
    """Per case: a group complaint (at least group_complaint_min_workers workers) and a
    construction one (about a project, or an employer in construction), as in alert_reasons."""
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
def complaints_page(request: Request, session: SessionDep, actor: InspectorDep) -> Response:
    cases = mediation.readable_cases(session, actor)
    marks = flags(session, cases, request.app.state.reference, date.today())
    context = {"cases": cases, "flags": marks, **labels(request)}
    return render(request, "inspector/complaints.html", context)


@router.get("/{complaint_id}")
def complaint_page(
    request: Request, complaint_id: int, session: SessionDep, actor: InspectorDep
) -> Response:
    case = in_language(request, lambda: mediation.get_case(session, actor, complaint_id))
    return render(request, "inspector/complaints_view.html", case_context(request, case))
