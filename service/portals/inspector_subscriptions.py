"""An inspector's e-mail subscription: which places, from which severity up.

Critical alerts are mailed at once, the rest in the daily digest (service.notifications)."""

from typing import Annotated

from annotated_types import MaxLen
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import select
from starlette.datastructures import FormData

from service.alerts.severity import SEVERITIES
from service.auth.models import UserScope
from service.bounds import LIST_MAX_ITEMS, CodeText
from service.csrf import verify_csrf
from service.deps import InspectorDep, SessionDep
from service.errors import Forbidden, Invalid
from service.jurisdictions.models import Jurisdiction
from service.notifications.subscriptions import Follow, follows_of, replace_subscriptions
from service.web import render

router = APIRouter(prefix="/inspector/subscriptions", include_in_schema=False)
api_router = APIRouter(prefix="/api/subscriptions", tags=["notifications"])


class FollowPublic(BaseModel):
    jurisdiction_code: CodeText
    min_severity: CodeText


def _inspector_only(actor: InspectorDep) -> InspectorDep:
    # Administrators have no jurisdiction of their own to follow.
    if actor.role != "inspector":
        raise Forbidden("subscriptions are for inspectors")
    return actor


InspectorOnlyDep = Annotated[InspectorDep, Depends(_inspector_only)]


def _places(session, user_id: int) -> list[Jurisdiction]:
    """The inspector's scopes and every town under a county scope."""
    scoped = session.scalars(
        select(Jurisdiction)
        .join(UserScope, UserScope.jurisdiction_code == Jurisdiction.code)
        .where(UserScope.user_id == user_id)
        .order_by(Jurisdiction.code)
    ).all()
    towns = session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.parent_code.in_([j.code for j in scoped]))
        .order_by(Jurisdiction.code)
    ).all()
    return [*scoped, *towns]


@router.get("")
def subscriptions_page(request: Request, session: SessionDep, actor: InspectorOnlyDep) -> Response:
    return _page(request, session, actor, errors=None, status_code=200)


def _page(request: Request, session, actor, *, errors, status_code: int) -> Response:
    follows = {
        f.jurisdiction_code: f.min_severity for f in follows_of(session, user_id=actor.user_id)
    }
    return render(
        request,
        "inspector/subscriptions.html",
        {
            "places": _places(session, actor.user_id),
            "follows": follows,
            "severities": SEVERITIES,
            "errors": errors,
            "saved": request.query_params.get("saved"),
        },
        status_code=status_code,
    )


async def _posted_form(request: Request) -> FormData:
    """The form, read on the event loop, so that the route runs on the thread pool."""
    return await request.form()


@router.post("", dependencies=[Depends(verify_csrf)])
def save_subscriptions(
    request: Request,
    session: SessionDep,
    actor: InspectorOnlyDep,
    form: Annotated[FormData, Depends(_posted_form)],
) -> Response:
    follows = [
        Follow(code.removeprefix("follow:"), str(value))
        for code, value in form.multi_items()
        if code.startswith("follow:") and value != "none"
    ]
    try:
        replace_subscriptions(session, actor=actor, user_id=actor.user_id, follows=follows)
    except Invalid as error:
        return _page(request, session, actor, errors=error.detail, status_code=422)
    return RedirectResponse("/inspector/subscriptions?saved=1", status_code=303)


@api_router.get("", response_model=list[FollowPublic])
def my_subscriptions(session: SessionDep, actor: InspectorOnlyDep) -> list[FollowPublic]:
    """The places and minimum severity whose alerts the inspector receives by e-mail."""
    return [FollowPublic(**f.__dict__) for f in follows_of(session, user_id=actor.user_id)]


@api_router.put("", response_model=list[FollowPublic])
def set_subscriptions(
    follows: Annotated[list[FollowPublic], MaxLen(LIST_MAX_ITEMS)],
    session: SessionDep,
    actor: InspectorOnlyDep,
) -> list[FollowPublic]:
    """Replace the subscriptions (an empty list restores the default: the jurisdiction)."""
    saved = replace_subscriptions(
        session,
        actor=actor,
        user_id=actor.user_id,
        follows=[Follow(f.jurisdiction_code, f.min_severity) for f in follows],
    )
    return [FollowPublic(**f.__dict__) for f in saved]
