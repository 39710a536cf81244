"""Users, sign-in, sessions and API tokens."""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, select
from sqlmodel import Session, col

from service import clock
from service.audit.service import record
from service.auth.actors import Actor
from service.auth.models import ROLES, ApiToken, User, UserScope, UserSession
from service.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, password_weakness
from service.errors import Invalid
from service.i18n import translate
from service.jurisdictions.models import Jurisdiction

SESSION_DAYS = 7
_Token = TypeVar("_Token", UserSession, ApiToken)
TOKEN_DAYS = 30
# Why a password is refused, as catalogue keys (service/i18n/security.*.json).
PASSWORD_PROBLEMS = {"short": "security.password.short", "guessable": "security.password.guessable"}
PASSWORD_RULE: dict[str, object] = {"min": MIN_PASSWORD_LENGTH}
# Input bounds, checked at the edge: a megabyte "password" must not reach Argon2.


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    *,
    session: Session,
    actor: Actor | None,
    username: str,
    password: str,
    role: str,
    display_name: str,
    email: str | None = None,
    locale: str = "zh-CN",
    employer_id: int | None = None,
    committee_id: int | None = None,
    scopes: Sequence[str] = (),
) -> User:
    if role not in ROLES:
        raise Invalid({"role": f"must be one of {', '.join(ROLES)}"})
    if weakness := password_weakness(password, known_words=(username, display_name)):
        raise Invalid({"password": translate("en", PASSWORD_PROBLEMS[weakness], **PASSWORD_RULE)})
    if session.scalar(select(User).where(col(User.username) == username)):
        raise Invalid({"username": "already taken"})
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
        email=email,
        locale=locale,
        employer_id=employer_id,
        committee_id=committee_id,
    )
    session.add(user)
    session.flush()
    assert user.id is not None  # the flush gave it its id
    for code in scopes:
        if session.get(Jurisdiction, code) is None:
            raise Invalid({"scopes": f"unknown jurisdiction {code}"})
        session.add(UserScope(user_id=user.id, jurisdiction_code=code))
    session.flush()
    record(
        session,
        actor,
        "user.create",
        "user",
        username,
        after={
            "role": role,
            "scopes": list(scopes),
            "employer_id": employer_id,
            "committee_id": committee_id,
        },
    )
    return user


def start_session(*, session: Session, user: User) -> str:
    return _new_token(session, UserSession, user, timedelta(days=SESSION_DAYS))


def end_session(*, session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(col(UserSession.token_hash) == token_hash(token)))


def issue_token(*, session: Session, user: User) -> str:
    return _new_token(session, ApiToken, user, timedelta(days=TOKEN_DAYS))


def _new_token(session: Session, table: type[_Token], user: User, lifetime: timedelta) -> str:
    """A random token for the user; only its hash is stored."""
    assert user.id is not None  # a stored user
    token = secrets.token_urlsafe(32)
    expires_at = clock.utc_now() + lifetime
    session.add(table(token_hash=token_hash(token), user_id=user.id, expires_at=expires_at))
    session.flush()
    return token


def user_for_session(session: Session, token: str) -> User | None:
    return _user_for(session, UserSession, token)


def user_for_api_token(session: Session, token: str) -> User | None:
    return _user_for(session, ApiToken, token)


def _user_for(session: Session, table: type[_Token], token: str) -> User | None:
    row = session.scalar(select(table).where(col(table.token_hash) == token_hash(token)))
    if row is None or _aware(row.expires_at) < clock.utc_now():
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def actor_for(session: Session, user: User) -> Actor:
    scopes = session.scalars(
        select(Jurisdiction)
        .join(UserScope, col(UserScope.jurisdiction_code) == col(Jurisdiction.code))
        .where(col(UserScope.user_id) == user.id)
    ).all()
    counties = frozenset(j.code for j in scopes if j.level in ("county", "city"))
    towns = frozenset((j.parent_code or "", j.name_zh) for j in scopes if j.level == "town")
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        display_name=user.display_name,
        locale=user.locale,
        employer_id=user.employer_id,
        committee_id=user.committee_id,
        counties=_with_city_counties(session, counties),
        towns=towns,
    )


def _with_city_counties(session: Session, codes: frozenset[str]) -> frozenset[str]:
    """A city-wide scope covers every county of the city."""
    children = session.scalars(
        select(col(Jurisdiction.code)).where(
            col(Jurisdiction.parent_code).in_(codes), col(Jurisdiction.level) == "county"
        )
    ).all()
    return codes | frozenset(children)
