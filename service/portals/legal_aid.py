"""The legal-aid centre's pages (templates/legal_aid/): the county's online applications and
the centre's decisions on them. A `legal_aid` user reads and decides its county's applications;
an inspector of the county reads them, and records the decisions only where the centre has no
account (service/legal_aid/service.py). Others of those roles get 404 outside their county;
every other role 403. The JSON twin is service/api/legal_aid.py.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlmodel import Session, col

from monitors.identifiers import mask_id_number
from service import clock
from service.auth.actors import Actor
from service.bounds import CodeText, FormText, NameText, RecordId
from service.complaints.models import Complaint
from service.complaints.views import status_labels
from service.csrf import verify_csrf
from service.deps import LegalAidReaderDep, SessionDep
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.flows import legal_aid as applying
from service.jurisdictions.models import Jurisdiction
from service.legal_aid import service as legal_aid
from service.legal_aid.models import NEXT_STATUSES, LegalAidApplication
from service.legal_aid.reference import load_legal_aid
from service.web import page_language, render

router = APIRouter(prefix="/legal-aid", include_in_schema=False)


def _county_names(session: Session, language: str) -> dict[str, str]:
    rows = session.execute(
        select(col(Jurisdiction.code), col(Jurisdiction.name_zh), col(Jurisdiction.name_en)).where(
            col(Jurisdiction.level) == "county"
        )
    ).all()
    return {code: (zh if language == "zh-CN" else en) for code, zh, en in rows}


def _in_language(request: Request, error: NotFound | Forbidden | Conflict) -> Exception:
    detail = error.detail
    if isinstance(detail, dict):
        return type(error)(detail.get(page_language(request), ""))
    return error


@router.get("")
def applications_page(request: Request, session: SessionDep, actor: LegalAidReaderDep) -> Response:
    context = {
        "applications": legal_aid.list_for(session, actor),
        "county_names": _county_names(session, page_language(request)),
    }
    return render(request, "legal_aid/applications.html", context)


def _detail(
    request: Request,
    session: Session,
    actor: Actor,
    application: LegalAidApplication,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    language = page_language(request)
    complaint = (
        session.get(Complaint, application.complaint_id) if application.complaint_id else None
    )
    case: dict[str, Any] | None = None
    case_status = ""
    if complaint is not None:
        case = {
            "reference": complaint.public_reference,
            "arbitration_deadline": complaint.arbitration_deadline,
        }
        zh, en = status_labels(complaint)
        case_status = zh if language == "zh-CN" else en
    recorder = applying.recorded_by(session, application)
    aid = load_legal_aid()
    context = {
        "a": application,
        "id_masked": mask_id_number(application.id_number),
        "centre": aid.centre_for(application.county_code),
        "matter": aid.matter(application.matter),
        "county_names": _county_names(session, language),
        "case": case,
        "case_status": case_status,
        "events": legal_aid.events(session, application.id or 0),
        "may_record": legal_aid.may_record(session, actor, application),
        "next_statuses": NEXT_STATUSES[application.status],
        "recorded_by": recorder.display_name if recorder else None,
        "values": values or {},
        "errors": errors or {},
        "saved": saved,
    }
    return render(request, "legal_aid/application.html", context, status_code=status_code)


@router.get("/{application_id}")
def application_page(
    request: Request,
    application_id: RecordId,
    session: SessionDep,
    actor: LegalAidReaderDep,
    saved: Annotated[CodeText, Query()] = "",
) -> Response:
    application = legal_aid.get_readable(session, actor, application_id)
    return _detail(request, session, actor, application, saved=saved == "1")


@router.post("/{application_id}/status", dependencies=[Depends(verify_csrf)])
def record_status(
    request: Request,
    application_id: RecordId,
    session: SessionDep,
    actor: LegalAidReaderDep,
    status: Annotated[CodeText, Form()] = "",
    refusal_reason: Annotated[FormText, Form()] = "",
    lawyer_name: Annotated[NameText, Form()] = "",
) -> Response:
    """Record the centre's decision: audited, shown to the applicant on the tracking page."""
    language = page_language(request)
    values = {"status": status, "refusal_reason": refusal_reason, "lawyer_name": lawyer_name}
    try:
        legal_aid.record_status(
            session,
            actor,
            application_id,
            status=status,
            refusal_reason=refusal_reason,
            lawyer_name=lawyer_name,
            now=clock.utc_now(),
        )
    except Invalid as invalid:
        session.rollback()
        detail = invalid.detail if isinstance(invalid.detail, dict) else {}
        errors = {name: texts[language] for name, texts in detail.items()}
        application = legal_aid.get_readable(session, actor, application_id)
        return _detail(
            request, session, actor, application, values=values, errors=errors, status_code=422
        )
    except (NotFound, Forbidden, Conflict) as error:
        raise _in_language(request, error) from None
    return RedirectResponse(f"/legal-aid/{application_id}?saved=1", status_code=303)
