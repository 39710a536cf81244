"""API sign-in: exchange a username and password for a bearer token."""

from fastapi import APIRouter, Request
from pydantic import BaseModel

from service.auth import service as auth
from service.auth.signin import sign_in
from service.bounds import NameText, SecretText
from service.deps import ActorDep, SessionDep
from service.errors import Unauthenticated

router = APIRouter(prefix="/api", tags=["auth"])


class Credentials(BaseModel):
    username: NameText
    password: SecretText


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"


class MePublic(BaseModel):
    username: str
    role: str
    display_name: str
    counties: list[str]
    employer_id: int | None
    committee_id: int | None


@router.post("/auth/token", response_model=TokenPublic)
def token(credentials: Credentials, request: Request, session: SessionDep) -> TokenPublic:
    """Sign in; use the token as `Authorization: Bearer …` on every API call. 429 when
    too many attempts were made for this username, from this address or overall."""
    user = sign_in(request, session, username=credentials.username, password=credentials.password)
    return TokenPublic(access_token=auth.issue_token(session=session, user=user))


@router.get("/me", response_model=MePublic)
def me(actor: ActorDep) -> MePublic:
    """Who the token belongs to, with role and scope."""
    if actor.is_anonymous:
        raise Unauthenticated("sign in first")
    return MePublic(
        username=actor.username,
        role=actor.role,
        display_name=actor.display_name,
        counties=sorted(actor.counties),
        employer_id=actor.employer_id,
        committee_id=actor.committee_id,
    )
