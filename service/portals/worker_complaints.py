"""The worker's complaint and tracking pages (templates/worker/), and their JSON twins.

No account: a complaint gives a tracking code and a PIN, shown once, after the complaint is
committed. The PIN never appears in a URL. Pages work without JavaScript on a phone: the
employer and project searches are plain GET forms whose results become radio buttons.
"""

import time
from collections import defaultdict, deque
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel import Session

from service.complaints.form import ComplaintForm
from service.complaints.models import COMPLAINT_KINDS
from service.complaints.schemas import EmployerHit, ProjectHit, WorkerStatus
from service.complaints.service import FiledComplaint, employer_search, project_search
from service.complaints.service import file_complaint as file_complaint_service
from service.complaints.tracking import TrackingLocked, TrackingRefused, status_for
from service.csrf import verify_csrf
from service.deps import SessionDep
from service.errors import Invalid, TooManyRequests
from service.jurisdictions.models import Jurisdiction
from service.web import page_language, render

router = APIRouter(prefix="/worker", include_in_schema=False)
api_router = APIRouter(prefix="/api/complaints", tags=["complaints"])

# Product policy, not law: complaints accepted per address per hour. A whole construction
# crew often shares one site Wi-Fi or one phone's hotspot, so the limit is well above one
# crew's size; it only stops a flood from one place.
COMPLAINTS_PER_HOUR = 30
RATE_WINDOW_SECONDS = 3600
NO_STORE = {"Cache-Control": "no-store"}  # the code and PIN must not sit in a cache
FORM_FIELDS = tuple(f.name for f in fields(ComplaintForm))
CHECKBOXES = ("disclose_identity", "agrees_to_enterprise_mediation")


class ComplaintLimiter:
    """Complaints per address in a sliding window, kept in the app's memory (one process)."""

    def __init__(self) -> None:
        self._filed: dict[str, deque[float]] = defaultdict(deque)

    def check(self, address: str) -> None:
        filed = self._filed[address]
        now = time.monotonic()
        while filed and now - filed[0] > RATE_WINDOW_SECONDS:
            filed.popleft()
        if len(filed) >= COMPLAINTS_PER_HOUR:  # read at call time: tests lower it
            raise TooManyRequests(
                {"zh-CN": "提交次数过多，请稍后再试。", "en": "Too many complaints; try later."}
            )

    def filed(self, address: str) -> None:
        self._filed[address].append(time.monotonic())


def _limiter(request: Request) -> ComplaintLimiter:
    state = request.app.state
    if getattr(state, "complaint_limiter", None) is None:
        state.complaint_limiter = ComplaintLimiter()
    return state.complaint_limiter


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _file(request: Request, session: Session, form: ComplaintForm) -> FiledComplaint:
    """Rate-checked filing, committed before anything is shown: the response is sent before
    the request dependency's own commit, and a code must never outlive a lost complaint."""
    limiter = _limiter(request)
    limiter.check(_address(request))
    filed = file_complaint_service(
        session,
        form=form,
        received_at=datetime.now(UTC),
        reference=getattr(request.app.state, "reference", None),
    )
    session.commit()
    limiter.filed(_address(request))
    return filed


def _status(request: Request, session: Session, code: str, pin: str) -> WorkerStatus:
    return status_for(
        session,
        code,
        pin,
        datetime.now(UTC),
        reference=getattr(request.app.state, "reference", None),
    )


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
        "kinds": COMPLAINT_KINDS,
        "searched": bool(values.get("employer_q") or values.get("project_q")),
        **_searches(session, values),
    }
    return render(request, "worker/complaint.html", context, status_code=status_code)


@router.get("/complaint")
def complaint_form(request: Request, session: SessionDep) -> Response:
    names = ("county_code", "employer_q", "project_q")
    values = {name: request.query_params.get(name, "").strip() for name in names}
    return _form_page(request, session, values)


@router.post("/complaint", dependencies=[Depends(verify_csrf)])
async def complaint_submit(request: Request, session: SessionDep) -> Response:
    posted = await request.form()
    values = {name: str(value) for name, value in posted.items() if isinstance(value, str)}
    language = page_language(request)
    form = _complaint_form(values, language)
    try:
        filed = _file(request, session, form)
    except Invalid as invalid:
        session.rollback()
        errors = {field: texts[language] for field, texts in _field_texts(invalid).items()}
        return _form_page(request, session, values, errors, status_code=422)
    except TooManyRequests:
        return render(request, "worker/complaint_limited.html", status_code=429)
    response = render(request, "worker/complaint_filed.html", {"filed": filed})
    response.headers.update(NO_STORE)
    return response


def _complaint_form(values: dict[str, str], language: str) -> ComplaintForm:
    given = {name: values.get(name, "") for name in FORM_FIELDS if name not in CHECKBOXES}
    given |= {name: values.get(name, "") == "yes" for name in CHECKBOXES}
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


@router.post("/track", dependencies=[Depends(verify_csrf)])
async def track_submit(request: Request, session: SessionDep) -> Response:
    posted = await request.form()
    code, pin = str(posted.get("tracking_code", "")), str(posted.get("pin", ""))
    try:
        status = _status(request, session, code, pin)
    except TrackingLocked:
        return render(request, "worker/track_locked.html", status_code=429)
    except TrackingRefused:
        # Same page, same words for an unknown code and a wrong PIN.
        context = {"code": code, "refused": True}
        return render(request, "worker/track.html", context, status_code=403)
    response = render(request, "worker/track_status.html", {"status": status})
    response.headers.update(NO_STORE)
    return response


# --- API ------------------------------------------------------------------------------------------


class ComplaintIn(BaseModel):
    """The complaint form as JSON; the same checks as the page."""

    description: str = ""
    county_code: str = ""
    employer_id: int | str | None = None
    employer_text: str = ""
    town: str = ""
    project_id: int | str | None = None
    period_from: str = ""
    period_to: str = ""
    amount_owed: str | int = ""
    workers_affected: str | int = "1"
    phone: str = ""
    worker_name: str = ""
    disclose_identity: bool = False
    agrees_to_enterprise_mediation: bool = False
    kind: str = "unpaid_wages"
    language: str = "zh-CN"


class ComplaintFiled(BaseModel):
    tracking_code: str
    pin: str
    committee_name: str | None
    routing_reason_zh: str
    routing_reason_en: str
    mediation_due_on: date | None


class TrackingIn(BaseModel):
    tracking_code: str
    pin: str


@api_router.post("", response_model=ComplaintFiled, status_code=201)
def file_complaint_api(body: ComplaintIn, request: Request, session: SessionDep) -> ComplaintFiled:
    """File a complaint; returns the tracking code and PIN, shown only this once."""
    filed = _file(request, session, ComplaintForm(**body.model_dump()))
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
    """A complaint's status by tracking code and PIN (403 when wrong, 429 when locked)."""
    return _status(request, session, body.tracking_code, body.pin)
