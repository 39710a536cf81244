"""Request dependencies: the database session, who is asking, and what they may do.

Pages authenticate with the session cookie, the JSON API with a bearer token; both end in
the same Actor, so a page and its API twin make the same permission checks.
"""

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from service.auth import service as auth
from service.auth.actors import ANONYMOUS, Actor
from service.config import Settings
from service.errors import Forbidden, Unauthenticated, is_api

SESSION_COOKIE = "wg_session"


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed on success, rolled back on error."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# scope="function": commit before the response is sent, so the next page sees the change.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_actor(request: Request, session: SessionDep) -> Actor:
    user = None
    if is_api(request):
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            user = auth.user_for_api_token(session, header[7:].strip())
    elif token := request.cookies.get(SESSION_COOKIE):
        user = auth.user_for_session(session, token)
    actor = auth.actor_for(session, user) if user else ANONYMOUS
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


def require_role(*roles: str) -> Callable[[Actor], Actor]:
    """A dependency that lets only these roles through (401 anonymous, 403 others)."""

    def check(actor: ActorDep) -> Actor:
        if actor.is_anonymous:
            raise Unauthenticated("sign in first")
        if actor.role not in roles:
            raise Forbidden(f"only for {', '.join(roles)}")
        return actor

    return check


InspectorDep = Annotated[Actor, Depends(require_role("inspector", "admin"))]
EmployerDep = Annotated[Actor, Depends(require_role("employer"))]
AdminDep = Annotated[Actor, Depends(require_role("admin"))]
MediatorDep = Annotated[Actor, Depends(require_role("mediator"))]
StaffDep = Annotated[Actor, Depends(require_role("inspector", "admin", "employer", "mediator"))]
