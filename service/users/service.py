"""User administration: accounts, roles and scopes; only an administrator changes them.

Every rule is checked before anything is written, so a refused form leaves no half-made
user behind. Problems are reported per field as catalogue keys: a page shows them in the
visitor's language, the API in English. Every change is written to the audit log with the
fields before and after.
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlmodel import Session, col

from service.audit.models import AuditEntry
from service.audit.service import actor_names, record
from service.auth import service as auth
from service.auth.actors import Actor
from service.auth.models import PLACE_ROLES, ROLES, ApiToken, User, UserScope, UserSession
from service.auth.passwords import hash_password, password_weakness
from service.auth.service import PASSWORD_PROBLEMS, PASSWORD_RULE
from service.committees.models import MediationCommittee
from service.employers.models import Employer
from service.errors import Invalid, NotFound
from service.i18n import LANGUAGES, translate
from service.jurisdictions.models import Jurisdiction
from service.notifications.subscriptions import prune_outside_scope
from service.stored import stored_id
from service.users.models import (
    CommitteeRef,
    EmployerRef,
    JurisdictionRef,
    UserChange,
    UserCreate,
    UserPublic,
    UserUpdate,
)

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,63}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PROBLEM = "admin.users.problem."
Row = TypeVar("Row", Employer, MediationCommittee)
V = TypeVar("V")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: a catalogue key and the values it names."""

    key: str
    values: dict[str, object] = field(default_factory=dict)


class InvalidUser(Invalid):
    """422 with {field: English message}; `problems` keeps the keys for the pages."""

    def __init__(self, problems: dict[str, Problem]) -> None:
        super().__init__({name: translate("en", p.key, **p.values) for name, p in problems.items()})
        self.problems = problems


@dataclass(frozen=True)
class Scope:
    """What a user may see besides their role: places, an employer or a committee."""

    jurisdictions: list[str]
    employer_id: int | None
    committee_id: int | None


@dataclass(frozen=True)
class PlaceChoice:
    """A county (or the city) an inspector can be given, with its towns."""

    place: JurisdictionRef
    towns: list[JurisdictionRef]


# --- reading ------------------------------------------------------------------------------


def list_users(*, session: Session) -> list[UserPublic]:
    users = session.scalars(select(User).order_by(User.role, User.username)).all()
    return _public(session, users)


def get(*, session: Session, user_id: int) -> UserPublic:
    return _public(session, [_user(session, user_id)])[0]


def history(*, session: Session, user_id: int) -> list[UserChange]:
    """The audit entries about one user, newest first."""
    user = _user(session, user_id)
    entries = session.scalars(
        select(AuditEntry)
        .where(col(AuditEntry.entity) == "user", col(AuditEntry.entity_key) == user.username)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    ).all()
    names = actor_names(session, (e.actor_id for e in entries))
    return [
        UserChange(
            at=e.at,
            actor=e.actor_label,
            actor_name=names.get(e.actor_id or 0),
            action=e.action,
            before=e.before,
            after=e.after,
        )
        for e in entries
    ]


def place_choices(*, session: Session) -> list[PlaceChoice]:
    """The city and each county with its towns, for an inspector's jurisdiction."""
    places = session.scalars(select(Jurisdiction).order_by(Jurisdiction.code)).all()
    towns: dict[str, list[JurisdictionRef]] = defaultdict(list)
    for place in places:
        if place.level == "town":
            towns[place.parent_code or ""].append(_place_ref(place))
    return [
        PlaceChoice(place=_place_ref(place), towns=towns[place.code])
        for place in places
        if place.level in ("city", "county")
    ]


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user", message="onelang.error.no_user")
    return user


def _place_ref(place: Jurisdiction) -> JurisdictionRef:
    return JurisdictionRef(
        code=place.code, level=place.level, name_zh=place.name_zh, name_en=place.name_en
    )


def _public(session: Session, users: Sequence[User]) -> list[UserPublic]:
    """Users with their places, employer and committee, in three queries for all of them."""
    places: dict[int, list[JurisdictionRef]] = defaultdict(list)
    rows = session.execute(
        select(col(UserScope.user_id), Jurisdiction)
        .join(Jurisdiction, col(Jurisdiction.code) == col(UserScope.jurisdiction_code))
        .where(col(UserScope.user_id).in_([u.id for u in users]))
        .order_by(Jurisdiction.code)
    ).all()
    for user_id, place in rows:
        places[user_id].append(_place_ref(place))
    employers = _by_id(session, Employer, {u.employer_id for u in users})
    committees = _by_id(session, MediationCommittee, {u.committee_id for u in users})
    return [
        UserPublic(
            id=stored_id(user),
            username=user.username,
            display_name=user.display_name,
            email=user.email,
            role=user.role,
            locale=user.locale,
            is_active=user.is_active,
            created_at=user.created_at,
            jurisdictions=places[stored_id(user)],
            employer=_employer_ref(employers.get(user.employer_id)),
            committee=_committee_ref(committees.get(user.committee_id)),
        )
        for user in users
    ]


def _by_id(session: Session, table: type[Row], ids: set[int | None]) -> dict[int | None, Row]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {row.id: row for row in session.scalars(select(table).where(col(table.id).in_(wanted)))}


def _employer_ref(employer: Employer | None) -> EmployerRef | None:
    if employer is None:
        return None
    return EmployerRef(id=stored_id(employer), uscc=employer.uscc, name=employer.name)


def _committee_ref(committee: MediationCommittee | None) -> CommitteeRef | None:
    if committee is None:
        return None
    return CommitteeRef(id=stored_id(committee), code=committee.code, name=committee.name)


# --- creating -----------------------------------------------------------------------------


def create(*, session: Session, actor: Actor, data: UserCreate) -> UserPublic:
    """A new user with role and scope; refused as a whole, with every problem, if any."""
    username = data.username.strip()
    problems = _account_problems(session, username=username, role=data.role)
    problems |= _password_problems(data.password, (username, data.display_name))
    problems |= _profile_problems(
        display_name=data.display_name, email=data.email, locale=data.locale
    )
    scope, scope_problems = _scope(
        session,
        role=data.role,
        jurisdictions=data.jurisdictions,
        employer_uscc=data.employer_uscc,
        committee_code=data.committee_code,
    )
    problems |= scope_problems
    if problems:
        raise InvalidUser(problems)
    user = auth.create_user(  # writes the audit entry
        session=session,
        actor=actor,
        username=username,
        password=data.password,
        role=data.role,
        display_name=data.display_name.strip(),
        email=_email(data.email),
        locale=data.locale,
        employer_id=scope.employer_id,
        committee_id=scope.committee_id,
        scopes=scope.jurisdictions,
    )
    return get(session=session, user_id=stored_id(user))


def _account_problems(session: Session, *, username: str, role: str) -> dict[str, Problem]:
    problems = {}
    if not USERNAME.fullmatch(username):
        problems["username"] = Problem(PROBLEM + "username_format")
    elif session.scalar(select(col(User.id)).where(col(User.username) == username)) is not None:
        problems["username"] = Problem(PROBLEM + "username_taken")
    if role not in ROLES:
        problems["role"] = Problem(PROBLEM + "role_unknown")
    return problems


def _password_problems(password: str, known_words: Sequence[str]) -> dict[str, Problem]:
    # create_user refuses it too; checking here lets the form say so beside the field.
    if weakness := password_weakness(password, known_words=known_words):
        return {"password": Problem(PASSWORD_PROBLEMS[weakness], PASSWORD_RULE)}
    return {}


def _profile_problems(
    *, display_name: str | None, email: str | None, locale: str | None
) -> dict[str, Problem]:
    """None means "not being changed"; an empty e-mail means "none"."""
    problems = {}
    if display_name is not None and not display_name.strip():
        problems["display_name"] = Problem(PROBLEM + "display_name_required")
    if email and not EMAIL.fullmatch(email.strip()):
        problems["email"] = Problem(PROBLEM + "email_format")
    if locale is not None and locale not in LANGUAGES:
        problems["locale"] = Problem(PROBLEM + "locale_unknown")
    return problems


def _email(email: str | None) -> str | None:
    return (email or "").strip() or None


# --- scope --------------------------------------------------------------------------------


def _scope(
    session: Session,
    *,
    role: str,
    jurisdictions: Sequence[str],
    employer_uscc: str | None,
    committee_code: str | None,
) -> tuple[Scope, dict[str, Problem]]:
    """Each role has exactly its own kind of scope: an inspector places (at least one), an
    employer user its employer, a mediator its committee; anything else is refused."""
    if role not in ROLES:
        return Scope([], None, None), {}
    codes, places_problem = _places(session, role, jurisdictions)
    employer_id, employer_problem = _employer(session, role, employer_uscc)
    committee_id, committee_problem = _committee(session, role, committee_code)
    found = {
        "jurisdictions": places_problem,
        "employer_uscc": employer_problem,
        "committee_code": committee_problem,
    }
    problems = {name: problem for name, problem in found.items() if problem is not None}
    return Scope(codes, employer_id, committee_id), problems


def _places(
    session: Session, role: str, jurisdictions: Sequence[str]
) -> tuple[list[str], Problem | None]:
    codes = list(dict.fromkeys(code.strip() for code in jurisdictions if code.strip()))
    if role not in PLACE_ROLES:
        return [], Problem(PROBLEM + "jurisdictions_only_inspectors") if codes else None
    if not codes:
        return [], Problem(PROBLEM + "jurisdictions_required")
    known = set(
        session.scalars(select(col(Jurisdiction.code)).where(col(Jurisdiction.code).in_(codes)))
    )
    unknown = [code for code in codes if code not in known]
    if unknown:
        return [], Problem(PROBLEM + "jurisdictions_unknown", {"codes": ", ".join(unknown)})
    return codes, None


def _employer(session: Session, role: str, uscc: str | None) -> tuple[int | None, Problem | None]:
    uscc = (uscc or "").strip().upper()
    if role != "employer":
        return None, Problem(PROBLEM + "employer_only_employers") if uscc else None
    if not uscc:
        return None, Problem(PROBLEM + "employer_required")
    found = session.scalar(select(col(Employer.id)).where(col(Employer.uscc) == uscc))
    if found is None:
        return None, Problem(PROBLEM + "employer_unknown", {"uscc": uscc})
    return found, None


def _committee(session: Session, role: str, code: str | None) -> tuple[int | None, Problem | None]:
    code = (code or "").strip()
    if role != "mediator":
        return None, Problem(PROBLEM + "committee_only_mediators") if code else None
    if not code:
        return None, Problem(PROBLEM + "committee_required")
    found = session.scalar(
        select(col(MediationCommittee.id)).where(col(MediationCommittee.code) == code)
    )
    if found is None:
        return None, Problem(PROBLEM + "committee_unknown", {"code": code})
    return found, None


# --- changing -----------------------------------------------------------------------------


def update(*, session: Session, actor: Actor, user_id: int, data: UserUpdate) -> UserPublic:
    """Change a user's profile, scope, password or status; fields left as None keep
    their value. The role is fixed: a different role is a different account."""
    user = _user(session, user_id)
    before = _snapshot(session, user)
    problems = _profile_problems(
        display_name=data.display_name, email=data.email, locale=data.locale
    )
    if data.password:
        problems |= _password_problems(data.password, (user.username, user.display_name))
    if data.is_active is False and user.id == actor.user_id:
        problems["is_active"] = Problem(PROBLEM + "cannot_deactivate_self")
    scope, scope_problems = _scope(
        session,
        role=user.role,
        jurisdictions=_given(data.jurisdictions, before["jurisdictions"]),
        employer_uscc=_given(data.employer_uscc, before["employer_uscc"]),
        committee_code=_given(data.committee_code, before["committee_code"]),
    )
    problems |= scope_problems
    if problems:
        raise InvalidUser(problems)
    _apply(session, user, data, scope)
    _audit(session, actor, user, before, password_changed=bool(data.password))
    return get(session=session, user_id=stored_id(user))


def _given(value: V | None, current: V) -> V:
    return current if value is None else value


def _apply(session: Session, user: User, data: UserUpdate, scope: Scope) -> None:
    if data.display_name is not None:
        user.display_name = data.display_name.strip()
    if data.email is not None:
        user.email = _email(data.email)
    if data.locale is not None:
        user.locale = data.locale
    if data.password:
        user.password_hash = hash_password(data.password)
    if data.is_active is not None:
        user.is_active = data.is_active
    user.employer_id, user.committee_id = scope.employer_id, scope.committee_id
    session.execute(delete(UserScope).where(col(UserScope.user_id) == user.id))
    user_id = stored_id(user)
    session.add_all(UserScope(user_id=user_id, jurisdiction_code=c) for c in scope.jurisdictions)
    session.flush()
    prune_outside_scope(session, user_id=user_id)  # no e-mail about a place no longer theirs
    if data.password or data.is_active is False:
        # A deactivated user, or one whose password was reset, is signed out everywhere:
        # old cookies and tokens must not outlive the decision.
        session.execute(delete(UserSession).where(col(UserSession.user_id) == user.id))
        session.execute(delete(ApiToken).where(col(ApiToken.user_id) == user.id))
    session.flush()


def _snapshot(session: Session, user: User) -> dict[str, Any]:
    """The fields an administrator can change, as the audit log records them."""
    employer = session.get(Employer, user.employer_id) if user.employer_id else None
    committee = session.get(MediationCommittee, user.committee_id) if user.committee_id else None
    return {
        "display_name": user.display_name,
        "email": user.email,
        "locale": user.locale,
        "jurisdictions": sorted(
            session.scalars(
                select(col(UserScope.jurisdiction_code)).where(col(UserScope.user_id) == user.id)
            )
        ),
        "employer_uscc": employer.uscc if employer else None,
        "committee_code": committee.code if committee else None,
        "is_active": user.is_active,
    }


def _audit(
    session: Session, actor: Actor, user: User, before: dict[str, Any], *, password_changed: bool
) -> None:
    after = _snapshot(session, user)
    changed = [name for name in after if after[name] != before[name]]
    if not changed and not password_changed:
        return
    old = {name: before[name] for name in changed}
    new = {name: after[name] for name in changed}
    if password_changed:  # that it changed, never the password or its hash
        old["password"], new["password"] = "(previous)", "(reset)"
    action = "user.update"
    if "is_active" in changed:
        action = "user.reactivate" if user.is_active else "user.deactivate"
    record(session, actor, action, "user", user.username, before=old, after=new)
