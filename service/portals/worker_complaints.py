"""The worker's complaint and tracking pages (templates/worker/), and their JSON twins.

No account: a complaint gives a tracking code and a PIN, shown once, after the complaint is
committed. The PIN never appears in a URL. Pages work without JavaScript on a phone: the
employer and project searches are plain GET forms whose results become radio buttons.

Every route is a plain `def`: FastAPI runs it on the thread pool, so its database work never
blocks the event loop (tests/service/test_event_loop.py checks every route). The form body is
read, bounded, by async dependencies before the thread is taken, and a request whose client has
already gone is neither started nor committed (no complaint saved that nobody will see).
"""

import io
import secrets
from dataclasses import fields
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from monitors.identifiers import is_valid_uscc
from service import clock, ratelimit
from service.bounds import (
    CODE_MAX_CHARS,
    FORM_TEXT_MAX_CHARS,
    SEARCH_MAX_CHARS,
    AmountYuan,
    CodeText,
    Count,
    FormText,
    NameText,
    RecordId,
    SearchText,
    SecretText,
)
from service.casework import inspection
from service.casework import messages as talk
from service.client_address import client_address
from service.committees.models import MediationCommittee
from service.complaints import case_pass, intake
from service.complaints.form import ComplaintForm
from service.complaints.models import COMPLAINT_KINDS
from service.complaints.schemas import CommitteeContact, EmployerHit, ProjectHit, WorkerStatus
from service.complaints.service import (
    FiledComplaint,
    employer_by_id,
    employer_by_uscc,
    employer_search,
    project_by_code,
    project_search,
)
from service.complaints.tracking import (
    TrackingLimits,
    TrackingRefused,
    complaint_id_of,
    normalised_code,
    status_by_pass,
    status_for,
    take_attempt,
)
from service.csrf import refills, verify_csrf
from service.deposits.proofs import FileRefused
from service.deps import SessionDep, get_reference
from service.errors import Conflict, Invalid, ServiceError, TooManyRequests
from service.evidence import service as evidence
from service.flows import case_talk, filing
from service.i18n import translate
from service.jurisdictions.models import Jurisdiction
from service.jurisdictions.towns import towns_by_county
from service.known_devices import known_device, remember_device
from service.legal_aid.service import is_application_code
from service.portals import worker_legal_aid
from service.shedding import client_gone
from service.web import page_language, render

router = APIRouter(prefix="/worker", include_in_schema=False)
api_router = APIRouter(prefix="/api/complaints", tags=["complaints"])

CASE_DEVICE_COOKIE = "wg_case_device"  # this phone has opened the case (known_devices)
NO_STORE = {"Cache-Control": "no-store"}  # the code and PIN must not sit in a cache
FORM_FIELDS = tuple(f.name for f in fields(ComplaintForm))
CHECKBOXES = ("disclose_identity", "agrees_to_enterprise_mediation", "sms_consent")
SUBMISSION_FIELD = "submission_token"
EVIDENCE_WINDOW = timedelta(hours=1)
# A filing whose random tracking code or public reference is taken already is filed again.
FILING_ATTEMPTS = 2


class ClientGone(ServiceError):
    """The client closed the connection before its work was done: nobody reads the answer."""

    status_code = 499  # as nginx logs it: client closed request


async def posted_form(request: Request) -> dict[str, str]:
    """The form's text fields, read on the event loop (at most 64 KB: service/shedding.py);
    refused when the client has already gone."""
    posted = await request.form()  # parsed once, by verify_csrf before this
    _still_waiting(request)
    return {name: value for name, value in posted.items() if isinstance(value, str)}


def _still_waiting(request: Request) -> None:
    if client_gone(request.scope):
        raise ClientGone("the client closed the connection")


PostedForm = Annotated[dict[str, str], Depends(posted_form)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def _file(
    request: Request, session: Session, form: ComplaintForm, submission_key: str | None
) -> FiledComplaint:
    """File once per submission key (service/flows/filing.py). Committed here, not by the
    request's session: a retry's or twin request's unique-key clash is answered with its
    case, and nothing is committed for a client that has gone."""
    _still_waiting(request)  # it may have waited for a thread
    received_at = clock.utc_now()  # Wenzhou's clock: the received day is its day
    submission_key = intake.check_submission_key(submission_key)
    for attempt in range(FILING_ATTEMPTS):
        try:
            filed = filing.file_once(
                session,
                form=form,
                submission_key=submission_key,
                address=client_address(request),
                received_at=received_at,
                reference=get_reference(request),
            )
            _still_waiting(request)
            session.commit()
            return filed
        except IntegrityError:
            # The key already stored (a retry, or a twin request committed meanwhile):
            # answer with its case. None holds it: a random tracking code or public
            # reference was taken already, so file again with new ones.
            session.rollback()
            replayed = intake.replay(
                session, submission_key=submission_key, form=form, now=received_at
            )
            if replayed is not None:
                session.commit()
                return replayed
            if attempt == FILING_ATTEMPTS - 1:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")


def _case(code: str) -> str:
    return f"case:{normalised_code(code)}"


def _status(request: Request, session: Session, code: str, pin: str) -> WorkerStatus:
    """Count the attempt and commit the count before the PIN is checked: a refusal rolls the
    request back, and the count must stand (service/complaints/tracking.py)."""
    attempt = take_attempt(
        session,
        tracking_code=code,
        address=client_address(request),
        now=clock.utc_now(),
        limits=TrackingLimits.from_settings(request.app.state.settings),
        device=known_device(request, cookie=CASE_DEVICE_COOKIE, subject=_case(code)),
    )
    session.commit()
    return status_for(session, attempt, pin, reference=get_reference(request))


# --- pages --------------------------------------------------------------------------------------


def _counties(session: Session) -> list[Jurisdiction]:
    return list(
        session.scalars(
            select(Jurisdiction).where(Jurisdiction.level == "county").order_by(Jurisdiction.code)
        )
    )


def _searches(session: Session, values: dict[str, str]) -> dict[str, Any]:
    county = values.get("county_code", "")
    employer_q, project_q = values.get("employer_q", ""), values.get("project_q", "")
    employers: list[EmployerHit] = employer_search(session, employer_q, county or None)
    exact = employer_by_uscc(session, employer_q) if is_valid_uscc(employer_q.upper()) else None
    if exact is not None and exact not in employers:
        employers.insert(0, exact)  # registered in another county than the one of work
    chosen = employer_by_id(session, values.get("employer_id"))
    if chosen is not None and chosen not in employers:
        employers.insert(0, chosen)  # chosen before the form came back: still chosen
    projects: list[ProjectHit] = project_search(session, project_q, county)
    return {"employers": employers, "projects": projects}


def _form_page(
    request: Request,
    session: Session,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors or {},
        "counties": _counties(session),
        "towns": towns_by_county(session),
        "kinds": COMPLAINT_KINDS,
        "searched": bool(values.get("employer_q") or values.get("project_q")),
        # One per form shown, kept when the form comes back with errors: a re-send of the same
        # form is the same submission (service/complaints/intake.py).
        "submission_token": values.get(SUBMISSION_FIELD) or secrets.token_urlsafe(24),
        **_searches(session, values),
    }
    return render(request, "worker/complaint.html", context, status_code=status_code)


@router.get("/complaint")
def complaint_form(
    request: Request,
    session: SessionDep,
    # Read below from the query string; declared so a 60 KB search is a 422, not a LIKE.
    county_code: Annotated[CodeText, Query()] = "",
    employer_q: Annotated[SearchText, Query()] = "",
    project_q: Annotated[SearchText, Query()] = "",
) -> Response:
    names = ("county_code", "employer_q", "project_q")
    values = {name: request.query_params.get(name, "").strip() for name in names}
    return _form_page(request, session, values | _preselected(session, values))


def _preselected(session: Session, values: dict[str, str]) -> dict[str, str]:
    """A search for an exact USCC (and project code) chooses that employer (and project):
    the address a rights poster's QR code opens (service/posters/qr.py)."""
    chosen: dict[str, str] = {}
    employer_q = values["employer_q"]
    if is_valid_uscc(employer_q.upper()) and (hit := employer_by_uscc(session, employer_q)):
        chosen["employer_id"] = str(hit.id)
    county, project_q = values["county_code"], values["project_q"]
    if county and project_q and (project := project_by_code(session, project_q, county)):
        chosen["project_id"] = str(project.id)
    return chosen


@refills("/worker/complaint")
def complaint_refilled(
    request: Request, session: Session, _actor: object, values: dict[str, str]
) -> Response:
    """The complaint form again after its page expired: every field as typed."""
    typed = {name: value[:FORM_TEXT_MAX_CHARS] for name, value in values.items()}
    for name in ("employer_q", "project_q"):  # searched again to show their results
        typed[name] = typed.get(name, "")[:SEARCH_MAX_CHARS]
    typed["county_code"] = typed.get("county_code", "")[:CODE_MAX_CHARS]
    return _form_page(request, session, typed, status_code=403)


@router.post("/complaint", dependencies=[Depends(verify_csrf)])
def complaint_submit(request: Request, session: SessionDep, values: PostedForm) -> Response:
    language = page_language(request)
    form = _complaint_form(values, language)
    try:
        filed = _file(request, session, form, values.get(SUBMISSION_FIELD))
    except Invalid as invalid:
        errors = {field: texts[language] for field, texts in _field_texts(invalid).items()}
        return _form_page(request, session, values, errors, status_code=422)
    except Conflict as conflict:
        context = {"status": 409, "detail": conflict.detail[language]}
        return render(request, "errors/error.html", context, status_code=409)
    except TooManyRequests:
        return render(request, "worker/complaint_limited.html", status_code=429)
    committee = session.get(MediationCommittee, filed.committee_id) if filed.committee_id else None
    context = {"filed": filed, "committee_contact": CommitteeContact.of(committee)}
    response = render(request, "worker/complaint_filed.html", context)
    response.headers.update(NO_STORE)
    return response


def _complaint_form(values: dict[str, str], language: str) -> ComplaintForm:
    given = {name: values.get(name, "") for name in FORM_FIELDS if name not in CHECKBOXES}
    given |= {name: values.get(name, "") == "yes" for name in CHECKBOXES}
    # The town from the list, else as typed beside it ("not in the list").
    given["town"] = values.get("town", "").strip() or values.get("town_other", "")
    given["workers_affected"] = values.get("workers_affected", "") or "1"
    given["kind"] = values.get("kind", "") or "unpaid_wages"
    return ComplaintForm(**{**given, "language": language})


def _field_texts(invalid: Invalid) -> dict[str, dict[str, str]]:
    detail = invalid.detail
    return (
        detail if isinstance(detail, dict) else {"form": {"zh-CN": str(detail), "en": str(detail)}}
    )


@router.get("/track")
def track_form(request: Request) -> Response:
    return render(request, "worker/track.html", {"code": "", "refused": False})


@refills("/worker/track")
def track_refilled(
    request: Request, _session: Session, _actor: object, values: dict[str, str]
) -> Response:
    """The tracking form again: the code kept, the PIN typed again (never written back)."""
    code = values.get("tracking_code", "")[:64]
    return render(request, "worker/track.html", {"code": code, "refused": False}, 403)


@router.post("/track", dependencies=[Depends(verify_csrf)])
def track_submit(
    request: Request,
    session: SessionDep,
    tracking_code: Annotated[str, Form(max_length=64)] = "",
    pin: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    # A plain `def`: the database work runs on a worker thread, never on the event loop.
    code = tracking_code
    if is_application_code(normalised_code(code)):  # a stand-alone legal-aid application
        return worker_legal_aid.track_application(request, session, code, pin)
    try:
        status = _status(request, session, code, pin)
    except TrackingRefused:
        # Same page, same words for an unknown code, a wrong PIN and a running delay.
        context = {"code": code, "refused": True}
        return render(request, "worker/track.html", context, status_code=403)
    session.commit()  # the connection goes back to the pool before the page is rendered
    response = _status_page(request, session, status)
    remember_device(
        response,
        request,
        cookie=CASE_DEVICE_COOKIE,
        subject=_case(status.tracking_code),
        path="/worker",
    )
    return response


def _status_page(
    request: Request,
    session: Session,
    status: WorkerStatus,
    *,
    uploaded: str | None = None,
    cleaned: bool = False,
    evidence_error: str | None = None,
    message_sent: bool = False,
    message_error: str | None = None,
    message_draft: str = "",
    status_code: int = 200,
) -> Response:
    """The status page, with the case's evidence, its messages (the handlers' new ones marked,
    and seen from now on) and a fresh case pass for its forms
    (service/complaints/case_pass.py): the PIN is never written into the page."""
    settings = request.app.state.settings
    complaint_id = complaint_id_of(session, status.tracking_code)
    context = {
        "messages": talk.for_worker(session, complaint_id or 0),
        "message_max": settings.case_message_max_chars,
        "message_sent": message_sent,
        "message_error": message_error,
        "message_draft": message_draft,
        "inspection_opened_on": inspection.opened_on_for_worker(session, complaint_id or 0),
        "status": status,
        "evidence_labels": evidence.labels_for_worker(session, complaint_id or 0),
        "evidence_max": settings.evidence_max_files_per_complaint,
        "evidence_uploaded": uploaded,
        "evidence_cleaned": cleaned,
        "evidence_error": evidence_error,
        "case_pass": case_pass.issue(
            tracking_code=status.tracking_code, secret=settings.tracking_secret, now=clock.utc_now()
        ),
        **worker_legal_aid.case_context(request, session, complaint_id),
    }
    response = render(request, "worker/track_status.html", context, status_code=status_code)
    response.headers.update(NO_STORE)
    return response


@router.post("/track/evidence", dependencies=[Depends(verify_csrf)])
def upload_evidence(
    request: Request,
    session: SessionDep,
    pass_token: Annotated[str, Form(alias="case_pass", max_length=200)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Evidence for the case a case pass opens: counted per address, cleaned, stored."""
    settings = request.app.state.settings
    code = case_pass.opened(pass_token, secret=settings.tracking_secret, now=clock.utc_now())
    if code is None:  # expired or forged: back to the code and PIN, as after any refusal
        return render(request, "worker/track.html", {"code": "", "refused": True}, 403)
    reference = get_reference(request)
    status = status_by_pass(session, code, reference=reference)
    language = page_language(request)
    within = ratelimit.hit(
        session,
        key=f"evidence:address:{client_address(request)}",
        limit=settings.evidence_uploads_per_address,
        window=EVIDENCE_WINDOW,
        now=clock.utc_now().timestamp(),
    )
    session.commit()  # the count stands even when the upload is refused
    if not within:
        refused = translate(language, "evidence.error.rate_limited")
        return _status_page(request, session, status, evidence_error=refused, status_code=429)
    try:
        stored = evidence.attach(
            session,
            complaint_id=complaint_id_of(session, code) or 0,
            file_name=file.filename if file else None,
            stream=file.file if file else io.BytesIO(),
            upload_dir=settings.upload_dir,
            max_files=settings.evidence_max_files_per_complaint,
        )
        session.commit()
    except FileRefused as refused:
        session.rollback()
        max_files = settings.evidence_max_files_per_complaint
        text = translate(language, f"evidence.error.{refused.code}", max=max_files)
        return _status_page(request, session, status, evidence_error=text, status_code=422)
    status = status_by_pass(session, code, reference=reference)  # the timeline's new entry
    return _status_page(
        request,
        session,
        status,
        uploaded=stored.original_name,
        cleaned=bool(stored.removed_metadata),
    )


@router.post("/track/messages", dependencies=[Depends(verify_csrf)])
def send_message(
    request: Request,
    session: SessionDep,
    pass_token: Annotated[str, Form(alias="case_pass", max_length=200)] = "",
    body: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """The worker's message to the case's handlers, from the status page (case pass, not PIN):
    counted per address and per case, stored, and the handlers e-mailed."""
    settings = request.app.state.settings
    now = clock.utc_now()
    code = case_pass.opened(pass_token, secret=settings.tracking_secret, now=now)
    if code is None:  # expired or forged: back to the code and PIN, as after any refusal
        return render(request, "worker/track.html", {"code": "", "refused": True}, 403)
    reference = get_reference(request)
    status = status_by_pass(session, code, reference=reference)
    complaint_id = complaint_id_of(session, code) or 0
    language = page_language(request)
    limits = case_talk.limits(settings)
    try:
        text = talk.checked_body(body, limits)
        talk.take_worker_slot(
            session,
            complaint_id=complaint_id,
            address=client_address(request),
            limits=limits,
            now=now,
        )
    except talk.MessageRefused as refused:
        error = translate(language, f"talk.error.{refused.code}", **refused.values)
        return _status_page(
            request, session, status, message_error=error, message_draft=body[:20_000],
            status_code=422,
        )  # fmt: skip
    except talk.MessagesLimited:
        session.commit()  # the count stands although the message is refused
        error = translate(language, "talk.error.rate_limited")
        return _status_page(
            request, session, status, message_error=error, message_draft=body[:20_000],
            status_code=429,
        )  # fmt: skip
    session.commit()  # the count stands whatever happens next
    case_talk.worker_writes(
        session, complaint_id=complaint_id, body=text, now=now, settings=settings
    )
    session.commit()
    status = status_by_pass(session, code, reference=reference)  # the timeline's new entry
    return _status_page(request, session, status, message_sent=True)


# --- API ------------------------------------------------------------------------------------------


class ComplaintIn(BaseModel):
    """The complaint form as JSON; the same checks as the page."""

    description: FormText = ""
    county_code: CodeText = ""
    employer_id: RecordId | CodeText | None = None
    employer_text: FormText = ""
    town: FormText = ""
    project_id: RecordId | CodeText | None = None
    period_from: CodeText = ""
    period_to: CodeText = ""
    amount_owed: CodeText | AmountYuan = ""
    workers_affected: CodeText | Count = "1"
    phone: CodeText = ""
    worker_name: NameText = ""
    disclose_identity: bool = False
    agrees_to_enterprise_mediation: bool = False
    sms_consent: bool = False
    kind: CodeText = "unpaid_wages"
    language: CodeText = "zh-CN"


class ComplaintFiled(BaseModel):
    tracking_code: str
    pin: str
    committee_name: str | None
    routing_reason_zh: str
    routing_reason_en: str
    mediation_due_on: date | None


class TrackingIn(BaseModel):
    tracking_code: SecretText
    pin: SecretText


@api_router.post("", response_model=ComplaintFiled, status_code=201)
def file_complaint_api(
    body: ComplaintIn,
    request: Request,
    session: SessionDep,
    idempotency_key: IdempotencyKey = None,
) -> ComplaintFiled:
    """File a complaint; returns the tracking code and PIN. Send an `Idempotency-Key` (16–128
    characters of A–Z, a–z, 0–9, `-`, `_`; a UUID will do) and a retry with the same key and
    body returns the same case with a fresh PIN, the only one then valid."""
    filed = _file(request, session, ComplaintForm(**body.model_dump()), idempotency_key)
    return ComplaintFiled(
        tracking_code=filed.tracking_code,
        pin=filed.pin,
        committee_name=filed.committee_name,
        routing_reason_zh=filed.routing_reason_zh,
        routing_reason_en=filed.routing_reason_en,
        mediation_due_on=filed.mediation_due_on,
    )


@api_router.post("/status", response_model=WorkerStatus)
def complaint_status_api(body: TrackingIn, request: Request, session: SessionDep) -> WorkerStatus:
    """A complaint's status by tracking code and PIN; 403, always the same, when refused."""
    return _status(request, session, body.tracking_code, body.pin)
