"""The employer's complaint notices (templates/employer/complaints.html).

That a complaint exists, its status, the week it arrived, who handles it and how to respond;
what the complaint says and who made it only when the worker agreed
(complaints.disclosure decides). API twin: GET /api/employer/complaints in
service/api/mediation.py.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.complaints import service as complaints
from service.complaints.disclosure import week_of
from service.complaints.schemas import EmployerNotice
from service.deps import EmployerDep, SessionDep
from service.portals.mediator import labels
from service.web import page_language, render

router = APIRouter(prefix="/employer/complaints", include_in_schema=False)


@router.get("")
def notices_page(request: Request, session: SessionDep, actor: EmployerDep) -> Response:
    notices = complaints.notices_for_employer(session, actor)
    language = page_language(request)

    def week_label(notice: EmployerNotice) -> str:
        return week_of(notice.received_week_of).label(language)

    context = {"notices": notices, "week_label": week_label, **labels(request)}
    return render(request, "employer/complaints.html", context)
