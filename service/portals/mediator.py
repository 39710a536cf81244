"""The mediator's pages (templates/mediator/): the committee's cases and the work on one case.

Same service functions and permission checks as the API twins in service/api/mediation.py:
a mediator reads and changes only its committee's cases (others are 404), a closed case is 409,
and bad input re-renders the form at 422 with the messages in the page's language.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlmodel import Session

from service.auth.actors import Actor
from service.bounds import FORM_TEXT_MAX_CHARS, CaseRef, FormText, RecordId
from service.casework.messages import MessageRefused, MessagesLimited
from service.complaints.models import Complaint
from service.complaints.schemas import CaseDetail
from service.complaints.views import arbitration_texts, status_labels
from service.csrf import refills, verify_csrf
from service.deposits.proofs import file_response
from service.deps import MediatorDep, ReferenceDep, SessionDep, SettingsDep, get_reference
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.evidence import service as evidence
from service.mediation import service as mediation
from service.portals.case_talk import handler_context, refusal_texts, send_to_worker
from service.web import page_language, render

router = APIRouter(prefix="/mediator", include_in_schema=False)
T = TypeVar("T")


def in_language(request: Request, call: Callable[[], T]) -> T:
    """Run a service call; its refusal ({"zh-CN", "en"} detail) is shown in the page's language."""
    try:
        return call()
    except (NotFound, Forbidden, Conflict) as error:
        if isinstance(error.detail, dict):
            raise type(error)(error.detail.get(page_language(request), "")) from None
        raise


def labels(request: Request) -> dict:
    """Template helpers: the case's status label and a (zh, en) pair in the page's language."""
    english = page_language(request) == "en"

    def pick(zh: str | None, en: str | None) -> str | None:
        return en if english else zh

    return {"pick": pick, "status_label": lambda case: pick(*status_labels(case))}


def identities(session: Session, actor: Actor, ids: list[int]) -> dict[int, tuple]:
    """Name and phone of the listed cases, through the same scope as the cases themselves."""
    if not ids:
        return {}
    rows = session.execute(
        select(Complaint.id, Complaint.worker_name, Complaint.phone).where(
            Complaint.id.in_(ids), mediation.readable(actor)
        )
    ).all()
    return {row.id: (row.worker_name, row.phone) for row in rows}


def case_context(request: Request, case: CaseDetail) -> dict:
    """The case, with the arbitration explanation of a failed mediation."""
    found = arbitration_texts(case, get_reference(request))  # reads only case fields
    arbitration = None
    if found:
        arbitration = found[1] if page_language(request) == "en" else found[0]
    return {"case": case, "arbitration": arbitration, **labels(request)}


@router.get("")
def cases_page(request: Request, session: SessionDep, actor: MediatorDep) -> Response:
    cases = mediation.readable_cases(session, actor)
    people = identities(session, actor, [c.id for c in cases])
    context = {"cases": cases, "people": people, **labels(request)}
    return render(request, "mediator/cases.html", context)


def case_of(request: Request, session: Session, actor: Actor, reference: str) -> int:
    """The id behind a case's reference, for a handler who may read it; 404 otherwise (a
    mediator of another committee cannot tell a case that exists from one that does not)."""
    return in_language(request, lambda: mediation.case_id(session, actor, reference))


def _case_page(
    request: Request,
    session: Session,
    actor: Actor,
    complaint_id: int,
    *,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
) -> Response:
    case, context = handler_case_context(
        request, session, actor, complaint_id, "/mediator/cases", errors, values
    )
    context["message_action"] = f"/mediator/cases/{case.reference}/messages"
    return render(request, "mediator/case.html", context, status_code=status_code)


def handler_case_context(
    request: Request,
    session: Session,
    actor: Actor,
    complaint_id: int,
    cases_path: str,
    errors: dict | None,
    values: dict | None,
) -> tuple[CaseDetail, dict]:
    """The case as its handlers' page shows it (facts, evidence filed under `cases_path`,
    messages with the worker), with the form's errors and values; 404 for others."""
    case = in_language(request, lambda: mediation.get_case(session, actor, complaint_id))
    context = case_context(request, case) | {"errors": errors or {}, "values": values or {}}
    context |= evidence_context(session, actor, complaint_id, f"{cases_path}/{case.reference}")
    context |= handler_context(request, session, actor, complaint_id)
    return case, context


def evidence_context(session: Session, actor: Actor, complaint_id: int, case_path: str) -> dict:
    """The worker's evidence on a handler's case page, each file linked for download."""
    items = evidence.readable_items(session, actor, complaint_id)
    return {"evidence": items, "evidence_base": f"{case_path}/evidence/"}


def evidence_download(
    request: Request, session: Session, actor: Actor, reference: str, number: int, upload_dir: Path
) -> FileResponse:
    """The case's `number`-th evidence file for a handler who may read the case (audited)."""
    complaint_id = case_of(request, session, actor, reference)
    found = evidence.file_for(
        session, actor, complaint_id=complaint_id, number=number, upload_dir=upload_dir
    )
    return file_response(*found)


@router.get("/cases/{reference}/evidence/{number}", response_class=FileResponse)
def evidence_file(
    request: Request,
    reference: CaseRef,
    number: RecordId,
    session: SessionDep,
    actor: MediatorDep,
    settings: SettingsDep,
) -> FileResponse:
    """A file the worker attached (the case's `number`-th), as a download (audited)."""
    return evidence_download(request, session, actor, reference, number, settings.upload_dir)


@router.get("/cases/{reference}")
def case_page(
    request: Request,
    reference: CaseRef,
    session: SessionDep,
    actor: MediatorDep,
    done: str | None = None,
) -> Response:
    complaint_id = case_of(request, session, actor, reference)
    return _case_page(request, session, actor, complaint_id, values={"done": done})


def _after(reference: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/mediator/cases/{reference}?done={done}", status_code=303)


@router.post("/cases/{reference}/accept", dependencies=[Depends(verify_csrf)])
def accept(request: Request, reference: CaseRef, session: SessionDep, actor: MediatorDep):
    complaint_id = case_of(request, session, actor, reference)
    in_language(request, lambda: mediation.accept(session, actor, complaint_id))
    return _after(reference, "accepted")


def _changed(
    request: Request,
    session: Session,
    actor: Actor,
    reference: str,
    complaint_id: int,
    change: Callable[[], object],
    values: dict,
    done: str,
) -> Response:
    """Apply a change; its field errors re-render the case page at 422 (nothing saved)."""
    try:
        in_language(request, change)
    except Invalid as error:  # raised before anything is written
        return _case_page(
            request, session, actor, complaint_id, errors=error.detail, values=values,
            status_code=422,
        )  # fmt: skip
    return _after(reference, done)


def _case_refilled(fields: dict[str, str]) -> Callable[..., Response | None]:
    """The case page again after its page expired, with the session or outcome as typed;
    `fields` maps the page's value names to the names posted."""

    def refill(
        request: Request, session: Session, actor: Actor, values: dict[str, str]
    ) -> Response | None:
        if actor.role != "mediator":
            return None
        try:
            reference = str(request.path_params.get("reference", ""))
            complaint_id = mediation.case_id(session, actor, reference)
        except NotFound:
            return None
        kept = {
            name: values.get(posted, "")[:FORM_TEXT_MAX_CHARS] for name, posted in fields.items()
        }
        return _case_page(request, session, actor, complaint_id, values=kept, status_code=403)

    return refill


refills("/mediator/cases/{reference}/sessions")(
    _case_refilled({"held_on": "held_on", "note": "note"})
)
# The close form posts its note as "note"; the page shows it in "close_note".
refills("/mediator/cases/{reference}/close")(
    _case_refilled(
        {
            "outcome": "outcome",
            "agreement_amount": "agreement_amount",
            "payment_due_on": "payment_due_on",
            "close_note": "note",
        }
    )
)


@router.post("/cases/{reference}/sessions", dependencies=[Depends(verify_csrf)])
def record_session(
    request: Request,
    reference: CaseRef,
    session: SessionDep,
    actor: MediatorDep,
    held_on: Annotated[FormText, Form()] = "",
    note: Annotated[FormText, Form()] = "",
) -> Response:
    complaint_id = case_of(request, session, actor, reference)

    def change() -> object:
        return mediation.record_session(session, actor, complaint_id, held_on, note)

    values = {"held_on": held_on, "note": note}
    return _changed(request, session, actor, reference, complaint_id, change, values, "session")


@router.post("/cases/{reference}/close", dependencies=[Depends(verify_csrf)])
def close(
    request: Request,
    reference: CaseRef,
    session: SessionDep,
    actor: MediatorDep,
    law: ReferenceDep,
    outcome: Annotated[FormText, Form()] = "",
    agreement_amount: Annotated[FormText, Form()] = "",
    payment_due_on: Annotated[FormText, Form()] = "",
    note: Annotated[FormText, Form()] = "",
) -> Response:
    complaint_id = case_of(request, session, actor, reference)

    def change() -> object:
        return mediation.close(
            session,
            actor,
            complaint_id,
            outcome,
            agreement_amount=agreement_amount or None,
            payment_due_on=payment_due_on or None,
            note=note,
            reference=law,
        )

    values = {
        "outcome": outcome,
        "agreement_amount": agreement_amount,
        "payment_due_on": payment_due_on,
        "close_note": note,
    }
    return _changed(request, session, actor, reference, complaint_id, change, values, "closed")


@router.post("/cases/{reference}/messages", dependencies=[Depends(verify_csrf)])
def send_message(
    request: Request,
    reference: CaseRef,
    session: SessionDep,
    actor: MediatorDep,
    body: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """A message to the worker: on the status page, and by SMS if the worker agreed."""
    complaint_id = case_of(request, session, actor, reference)
    return message_answer(
        request, session, actor, complaint_id, body, _case_page, _after(reference, "message")
    )


def message_answer(
    request: Request,
    session: Session,
    actor: Actor,
    complaint_id: int,
    body: str,
    page: Callable[..., Response],
    done: Response,
) -> Response:
    """Send a handler's message; a refusal re-renders the case page (422, or 429 when over
    the case's limit) with the draft kept."""
    try:
        in_language(request, lambda: send_to_worker(request, session, actor, complaint_id, body))
    except (MessageRefused, MessagesLimited) as refused:
        status = 429 if isinstance(refused, MessagesLimited) else 422
        return page(
            request, session, actor, complaint_id, errors={"message": refusal_texts(refused)},
            values={"message": body[:20_000]}, status_code=status,
        )  # fmt: skip
    return done
