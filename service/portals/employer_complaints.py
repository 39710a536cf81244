"""The employer's complaint notices (templates/employer/complaints.html).

That a complaint exists, its status and deadline, and how to respond; the worker's name,
phone and description only when the worker agreed (complaints.service.notices_for_employer
decides). API twin: GET /api/employer/complaints in service/mediation/api.py.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.complaints import service as complaints
from service.deps import EmployerDep, SessionDep
from service.portals.mediator import labels
from service.web import render

router = APIRouter(prefix="/employer/complaints", include_in_schema=False)


@router.get("")
def notices_page(request: Request, session: SessionDep, actor: EmployerDep) -> Response:
    notices = complaints.notices_for_employer(session, actor)
    return render(request, "employer/complaints.html", {"notices": notices, **labels(request)})
