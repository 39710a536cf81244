"""The mediator's pages (templates/mediator/): the committee's cases and the work on one case.

Same service functions and permission checks as the API twins in service/mediation/api.py:
a mediator reads and changes only its committee's cases (others are 404), a closed case is 409,
and bad input re-renders the form at 422 with the messages in the page's language.
"""

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlmodel import Session

from service.auth.actors import Actor
from service.complaints.models import Complaint
from service.complaints.schemas import CaseDetail
from service.complaints.views import arbitration_texts, status_labels
from service.csrf import verify_csrf
from service.deps import MediatorDep, SessionDep
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.mediation import service as mediation
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
    found = arbitration_texts(case, request.app.state.reference)  # reads only case fields
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
    case = in_language(request, lambda: mediation.get_case(session, actor, complaint_id))
    context = case_context(request, case) | {"errors": errors or {}, "values": values or {}}
    return render(request, "mediator/case.html", context, status_code=status_code)


@router.get("/cases/{complaint_id}")
def case_page(
    request: Request,
    complaint_id: int,
    session: SessionDep,
    actor: MediatorDep,
    done: str | None = None,
) -> Response:
    return _case_page(request, session, actor, complaint_id, values={"done": done})


def _after(complaint_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/mediator/cases/{complaint_id}?done={done}", status_code=303)


@router.post("/cases/{complaint_id}/accept", dependencies=[Depends(verify_csrf)])
def accept(request: Request, complaint_id: int, session: SessionDep, actor: MediatorDep):
    in_language(request, lambda: mediation.accept(session, actor, complaint_id))
    return _after(complaint_id, "accepted")


def _changed(
    request: Request,
    session: Session,
    actor: Actor,
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
    return _after(complaint_id, done)


@router.post("/cases/{complaint_id}/sessions", dependencies=[Depends(verify_csrf)])
def record_session(
    request: Request,
    complaint_id: int,
    session: SessionDep,
    actor: MediatorDep,
    held_on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    def change() -> object:
        return mediation.record_session(session, actor, complaint_id, held_on, note)

    values = {"held_on": held_on, "note": note}
    return _changed(request, session, actor, complaint_id, change, values, "session")


@router.post("/cases/{complaint_id}/close", dependencies=[Depends(verify_csrf)])
def close(
    request: Request,
    complaint_id: int,
    session: SessionDep,
    actor: MediatorDep,
    outcome: Annotated[str, Form()] = "",
    agreement_amount: Annotated[str, Form()] = "",
    payment_due_on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    def change() -> object:
        return mediation.close(
            session,
            actor,
            complaint_id,
            outcome,
            agreement_amount=agreement_amount or None,
            payment_due_on=payment_due_on or None,
            note=note,
            reference=request.app.state.reference,
        )

    values = {
        "outcome": outcome,
        "agreement_amount": agreement_amount,
        "payment_due_on": payment_due_on,
        "close_note": note,
    }
    return _changed(request, session, actor, complaint_id, change, values, "closed")
