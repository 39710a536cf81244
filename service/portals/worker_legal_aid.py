"""Legal aid for the worker (templates/worker/legal_aid_*.html): the application form, from the
worker front door (its own code and PIN) or from a tracked case (a case pass, prefilled from the
complaint), and the application's status for its applicant.

Stand-alone applications are tracked through the same form as complaints (/worker/track): an
"LA…" code opens the application, with the same limits and the same single refusal. The PIN is
never written into a page or a URL.
"""

from dataclasses import fields
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlmodel import Session

from service import clock, ratelimit
from service.bounds import CodeText
from service.client_address import client_address
from service.complaints import case_pass
from service.complaints.models import Complaint
from service.complaints.tracking import TrackingLimits, TrackingRefused
from service.csrf import verify_csrf
from service.deps import SessionDep
from service.errors import Conflict, Invalid
from service.flows import legal_aid as applying
from service.i18n import translate
from service.jurisdictions.models import Jurisdiction
from service.legal_aid import service as legal_aid
from service.legal_aid.reference import MATTERS, LegalAidReference, load_legal_aid
from service.legal_aid.service import ApplicationForm
from service.web import page_language, render

router = APIRouter(prefix="/worker", include_in_schema=False)
APPLICATION_WINDOW = timedelta(hours=1)
NO_STORE = {"Cache-Control": "no-store"}  # a code, a PIN or an identity number on the page

FORM_FIELDS = tuple(f.name for f in fields(ApplicationForm) if f.name != "language")


async def posted_form(request: Request) -> dict[str, str]:
    """The form's text fields (parsed once, by verify_csrf before this; at most 64 KB)."""
    posted = await request.form()
    return {name: value for name, value in posted.items() if isinstance(value, str)}


PostedForm = Annotated[dict[str, str], Depends(posted_form)]


def reference() -> LegalAidReference:
    return load_legal_aid()


def _counties(session: Session) -> list[Jurisdiction]:
    return list(
        session.scalars(
            select(Jurisdiction).where(Jurisdiction.level == "county").order_by(Jurisdiction.code)
        )
    )


def _form_page(
    request: Request,
    session: Session,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    pass_token: str = "",
    status_code: int = 200,
) -> Response:
    aid = reference()
    matter = values.get("matter", "")
    context: dict[str, Any] = {
        "values": values,
        "errors": errors or {},
        "counties": _counties(session),
        "matters": MATTERS,
        "matter": aid.matter(matter) if matter in MATTERS else None,
        "case_pass": pass_token,
    }
    response = render(request, "worker/legal_aid_form.html", context, status_code=status_code)
    response.headers.update(NO_STORE)
    return response


@router.get("/legal-aid")
def application_form(
    request: Request,
    session: SessionDep,
    matter: Annotated[CodeText, Query()] = "",
) -> Response:
    """The stand-alone form: first the matter, then the fields that matter needs (the hardship
    statement only where the law asks for it)."""
    return _form_page(request, session, {"matter": matter if matter in MATTERS else ""})


@router.post("/track/legal-aid", dependencies=[Depends(verify_csrf)])
def application_form_for_case(
    request: Request,
    session: SessionDep,
    pass_token: Annotated[str, Form(alias="case_pass", max_length=200)] = "",
) -> Response:
    """The form prefilled from the case a case pass opens (service/complaints/case_pass.py)."""
    complaint = _complaint_of(request, session, pass_token)
    if complaint is None:
        return render(request, "worker/track.html", {"code": "", "refused": True}, 403)
    values = _values(applying.prefilled(session, complaint))
    return _form_page(request, session, values, pass_token=pass_token)


def _complaint_of(request: Request, session: Session, pass_token: str) -> Complaint | None:
    settings = request.app.state.settings
    code = case_pass.opened(pass_token, secret=settings.tracking_secret, now=clock.utc_now())
    if code is None:
        return None
    return session.scalar(select(Complaint).where(Complaint.tracking_code == code))


def _values(form: ApplicationForm) -> dict[str, str]:
    return {name: str(getattr(form, name) or "") for name in FORM_FIELDS}


@router.post("/legal-aid", dependencies=[Depends(verify_csrf)])
def application_submit(request: Request, session: SessionDep, values: PostedForm) -> Response:
    """Send an application: with a case pass it belongs to that case, else it gets its own
    code and PIN, shown once after the commit."""
    language = page_language(request)
    pass_token = values.get("case_pass", "")[:200]
    complaint = None
    if pass_token:
        complaint = _complaint_of(request, session, pass_token)
        if complaint is None:  # expired or forged: back to the code and PIN
            return render(request, "worker/track.html", {"code": "", "refused": True}, 403)
    given = {name: values.get(name, "") for name in FORM_FIELDS}
    form = ApplicationForm(**given, language=language)
    within = ratelimit.hit(
        session,
        key=f"legal_aid:address:{client_address(request)}",
        limit=request.app.state.settings.legal_aid_applications_per_address,
        window=APPLICATION_WINDOW,
        now=clock.utc_now().timestamp(),
    )
    session.commit()  # the count stands whatever becomes of the application
    if not within:
        context = {
            "status": 429,
            "detail": translate(
                language,
                "legal_aid.error.rate_limited",
                phone=reference().hotline("legal_aid").phone,
            ),
        }
        return render(request, "errors/error.html", context, status_code=429)
    try:
        applied = applying.apply(
            session,
            form=form,
            received_at=clock.utc_now(),
            reference=reference(),
            settings=request.app.state.settings,
            complaint=complaint,
        )
        session.commit()
    except Invalid as invalid:
        session.rollback()
        detail = invalid.detail if isinstance(invalid.detail, dict) else {}
        errors = {name: texts[language] for name, texts in detail.items()}
        return _form_page(
            request, session, given, errors=errors, pass_token=pass_token, status_code=422
        )
    except Conflict as conflict:
        session.rollback()
        detail = conflict.detail if isinstance(conflict.detail, dict) else {}
        context = {"status": 409, "detail": detail.get(language, "")}
        return render(request, "errors/error.html", context, status_code=409)
    context = {"applied": applied, "from_case": complaint is not None}
    response = render(request, "worker/legal_aid_filed.html", context)
    response.headers.update(NO_STORE)
    return response


# --- the applicant's view -------------------------------------------------------------------------


def case_context(request: Request, session: Session, complaint_id: int | None) -> dict[str, Any]:
    """For a complaint's status page: its application, if any, as its worker sees it."""
    application = legal_aid.for_complaint(session, complaint_id) if complaint_id else None
    view = (
        legal_aid.worker_view(session, application, reference=reference()) if application else None
    )
    return {"legal_aid_application": view}


def track_application(request: Request, session: Session, code: str, pin: str) -> Response:
    """The status page of a stand-alone application, after its code and PIN (/worker/track);
    refused like a complaint's."""
    settings = request.app.state.settings
    application_id = applying.take_attempt(
        session,
        tracking_code=code,
        address=client_address(request),
        now=clock.utc_now(),
        limits=TrackingLimits.from_settings(settings),
    )
    session.commit()  # the count stands even when the PIN is wrong
    try:
        application = applying.opened(session, application_id, pin)
    except TrackingRefused:
        return render(request, "worker/track.html", {"code": code, "refused": True}, 403)
    session.commit()
    view = legal_aid.worker_view(session, application, reference=reference())
    response = render(request, "worker/legal_aid_status.html", {"legal_aid_application": view})
    response.headers.update(NO_STORE)
    return response
