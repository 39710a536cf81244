"""Request dependencies: the database session, the settings and reference data, who is
asking, and what they may do.

Pages authenticate with the session cookie, the JSON API with a bearer token; both end in
the same Actor, so a page and its API twin make the same permission checks.
"""

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from monitors.reference import Reference
from service.auth import service as auth
from service.auth.actors import ANONYMOUS, Actor
from service.config import Settings
from service.db import session_scope
from service.errors import Forbidden, Unauthenticated, is_api

SESSION_COOKIE = "wg_session"


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed on success, rolled back on error."""
    with session_scope(request.app.state.engine) as session:
        yield session


# scope="function": commit before the response is sent, so the next page sees the change.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_reference(request: Request) -> Reference:
    """The reference data the app loaded once at start (service.app's lifespan)."""
    return request.app.state.reference


ReferenceDep = Annotated[Reference, Depends(get_reference)]


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
            raise Forbidden(f"only for {', '.join(roles)}", message="onelang.error.wrong_role")
        return actor

    return check


InspectorDep = Annotated[Actor, Depends(require_role("inspector", "admin"))]
# Read-only supervision pages (the overview): supervisors besides inspectors and administrators.
OverviewReaderDep = Annotated[Actor, Depends(require_role("inspector", "admin", "supervisor"))]
EmployerDep = Annotated[Actor, Depends(require_role("employer"))]
AdminDep = Annotated[Actor, Depends(require_role("admin"))]
MediatorDep = Annotated[Actor, Depends(require_role("mediator"))]
StaffDep = Annotated[Actor, Depends(require_role("inspector", "admin", "employer", "mediator"))]
# A county legal-aid centre's staff, and the county's inspectors (service/legal_aid).
LegalAidReaderDep = Annotated[Actor, Depends(require_role("legal_aid", "inspector"))]
