"""Users, sign-in, sessions and API tokens."""

import hashlib
import secrets
import time
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlmodel import Session

from service.audit.service import record
from service.auth.actors import Actor
from service.auth.models import ROLES, ApiToken, User, UserScope, UserSession
from service.auth.passwords import hash_password, verify_password
from service.errors import Invalid, TooManyRequests, Unauthenticated
from service.jurisdictions.models import Jurisdiction

SESSION_DAYS = 7
MIN_PASSWORD_LENGTH = 10  # product security policy
TOKEN_DAYS = 30
LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_MAX_FAILURES = 5


class LoginLimiter:
    """Failed sign-ins per (address, username) in a sliding window, kept in the app's
    memory: enough to slow guessing from one place; several processes add a proxy limit."""

    def __init__(self) -> None:
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def check(self, address: str, username: str) -> None:
        attempts = self._failures[(address, username)]
        now = time.monotonic()
        while attempts and now - attempts[0] > LOGIN_WINDOW_SECONDS:
            attempts.popleft()
        if len(attempts) >= LOGIN_MAX_FAILURES:
            raise TooManyRequests("too many failed sign-ins; try again later")

    def failed(self, address: str, username: str) -> None:
        self._failures[(address, username)].append(time.monotonic())

    def succeeded(self, address: str, username: str) -> None:
        self._failures.pop((address, username), None)


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
    scopes: list[str] = (),
) -> User:
    if role not in ROLES:
        raise Invalid({"role": f"must be one of {', '.join(ROLES)}"})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid({"password": f"at least {MIN_PASSWORD_LENGTH} characters"})
    if session.scalar(select(User).where(User.username == username)):
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


def authenticate(
    *, session: Session, username: str, password: str, address: str, limiter: LoginLimiter
) -> User:
    """The user for these credentials; too many failures from one place are refused."""
    limiter.check(address, username)
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or not verify_password(password, user.password_hash):
        limiter.failed(address, username)
        raise Unauthenticated("wrong username or password")
    limiter.succeeded(address, username)
    return user


def start_session(*, session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user.id,
            expires_at=datetime.now(UTC) + timedelta(days=SESSION_DAYS),
        )
    )
    session.flush()
    return token


def end_session(*, session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))


def issue_token(*, session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=token_hash(token),
            user_id=user.id,
            expires_at=datetime.now(UTC) + timedelta(days=TOKEN_DAYS),
        )
    )
    session.flush()
    return token


def user_for_session(session: Session, token: str) -> User | None:
    return _user_for(session, UserSession, token)


def user_for_api_token(session: Session, token: str) -> User | None:
    return _user_for(session, ApiToken, token)


def _user_for(
    session: Session, table: type[UserSession] | type[ApiToken], token: str
) -> User | None:
    row = session.scalar(select(table).where(table.token_hash == token_hash(token)))
    if row is None or _aware(row.expires_at) < datetime.now(UTC):
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def actor_for(session: Session, user: User) -> Actor:
    scopes = session.scalars(
        select(Jurisdiction)
        .join(UserScope, UserScope.jurisdiction_code == Jurisdiction.code)
        .where(UserScope.user_id == user.id)
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
        select(Jurisdiction.code).where(
            Jurisdiction.parent_code.in_(codes), Jurisdiction.level == "county"
        )
    ).all()
    return codes | frozenset(children)
