"""Which inspectors follow which places, from which severity up.

An inspector's AlertSubscription rows say it (a county, a town or the city, and a minimum
severity). An inspector without any follows their own jurisdiction (UserScope) from
'high' up. A subscription covers a place when it names the place's county, the city
above it, or its town.

A subscription never reaches beyond the inspector's current scope: `followers` counts only
inspectors whose scope covers the place, a change of scope prunes the subscriptions left
outside it (`prune_outside_scope`), and the sender checks the scope again at send time
(notifications.audience). An inspector moved from 330304 to 330302 hears nothing more of
330304.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlmodel import Session

from service.alerts.severity import RANK, SEVERITIES, at_least
from service.audit.service import record
from service.auth.actors import Actor
from service.auth.models import User, UserScope
from service.bounds import CODE_MAX_CHARS
from service.errors import Invalid
from service.jurisdictions.models import Jurisdiction, town_code
from service.notifications.models import AlertSubscription

DEFAULT_MIN_SEVERITY = "high"


@dataclass(frozen=True)
class Follow:
    jurisdiction_code: str
    min_severity: str


def reaches(severity: str, min_severity: str) -> bool:
    return at_least(severity, min_severity)


def place_codes(session: Session, *, county_code: str, town: str | None) -> set[str]:
    """The jurisdiction codes whose followers see this place."""
    codes = {county_code}
    county = session.get(Jurisdiction, county_code)
    if county is not None and county.parent_code:
        codes.add(county.parent_code)
    if town:
        codes.add(town_code(county_code, town))
    return codes


def followers(session: Session, *, county_code: str, town: str | None) -> list[tuple[User, str]]:
    """Active inspectors following this place, each with their lowest minimum severity
    for it."""
    codes = sorted(place_codes(session, county_code=county_code, town=town))
    explicit = session.execute(
        select(AlertSubscription.user_id, AlertSubscription.min_severity).where(
            AlertSubscription.jurisdiction_code.in_(codes)
        )
    ).all()
    subscribed = select(AlertSubscription.user_id).distinct()
    default = session.scalars(
        select(UserScope.user_id).where(
            UserScope.jurisdiction_code.in_(codes), UserScope.user_id.not_in(subscribed)
        )
    ).all()
    lowest: dict[int, str] = {}
    for user_id, min_severity in [*explicit, *((u, DEFAULT_MIN_SEVERITY) for u in default)]:
        # Rank 0 is critical: the larger rank is the lower minimum, which takes more.
        if user_id not in lowest or RANK[min_severity] > RANK[lowest[user_id]]:
            lowest[user_id] = min_severity
    # A subscription left over from an earlier scope does not count.
    in_scope = set(
        session.scalars(
            select(UserScope.user_id).where(
                UserScope.jurisdiction_code.in_(codes), UserScope.user_id.in_(sorted(lowest))
            )
        )
    )
    lowest = {user_id: severity for user_id, severity in lowest.items() if user_id in in_scope}
    if not lowest:
        return []
    users = session.scalars(
        select(User)
        .where(User.id.in_(sorted(lowest)), User.role == "inspector", User.is_active)
        .order_by(User.id)
    ).all()
    return [(user, lowest[user.id]) for user in users]


def follows_of(session: Session, *, user_id: int) -> list[Follow]:
    """What an inspector follows: their subscriptions, or the default."""
    rows = session.scalars(
        select(AlertSubscription)
        .where(AlertSubscription.user_id == user_id)
        .order_by(AlertSubscription.jurisdiction_code)
    ).all()
    if rows:
        return [Follow(r.jurisdiction_code, r.min_severity) for r in rows]
    scopes = session.scalars(
        select(UserScope.jurisdiction_code)
        .where(UserScope.user_id == user_id)
        .order_by(UserScope.jurisdiction_code)
    ).all()
    return [Follow(code, DEFAULT_MIN_SEVERITY) for code in scopes]


def replace_subscriptions(
    session: Session, *, actor: Actor, user_id: int, follows: list[Follow]
) -> list[Follow]:
    """Set an inspector's subscriptions (an empty list restores the default). Each place
    must lie within the inspector's jurisdiction."""
    user = session.get(User, user_id)
    if user is None or user.role != "inspector":
        raise Invalid({"user": "subscriptions are for inspectors"})
    _check(session, user_id=user_id, follows=follows)
    before = [f.__dict__ for f in follows_of(session, user_id=user_id)]
    session.execute(delete(AlertSubscription).where(AlertSubscription.user_id == user_id))
    for follow in follows:
        session.add(
            AlertSubscription(
                user_id=user_id,
                jurisdiction_code=follow.jurisdiction_code,
                min_severity=follow.min_severity,
            )
        )
    session.flush()
    after = follows_of(session, user_id=user_id)
    record(
        session,
        actor,
        "subscription.replace",
        "user",
        user.username,
        before={"follows": before},
        after={"follows": [f.__dict__ for f in after]},
    )
    return after


def prune_outside_scope(session: Session, *, user_id: int) -> int:
    """Delete the user's subscriptions outside their current scope (after a change of scope
    or role); returns how many. Flush only."""
    scopes = set(
        session.scalars(select(UserScope.jurisdiction_code).where(UserScope.user_id == user_id))
    )
    parents = _parents(session)
    outside = [
        subscription.id
        for subscription in session.scalars(
            select(AlertSubscription).where(AlertSubscription.user_id == user_id)
        )
        if not _within(subscription.jurisdiction_code, scopes, parents)
    ]
    if outside:
        session.execute(delete(AlertSubscription).where(AlertSubscription.id.in_(outside)))
        session.flush()
    return len(outside)


def _check(session: Session, *, user_id: int, follows: list[Follow]) -> None:
    # The page's form is read by hand: no code is longer than CODE_MAX_CHARS or holds a NUL
    # (PostgreSQL refuses it in text), so such a value is refused before any query.
    if any(
        len(f.jurisdiction_code) > CODE_MAX_CHARS or "\x00" in f.jurisdiction_code for f in follows
    ):
        raise Invalid({"jurisdiction": "unknown place"})
    scopes = set(
        session.scalars(select(UserScope.jurisdiction_code).where(UserScope.user_id == user_id))
    )
    places = {
        j.code: j
        for j in session.scalars(
            select(Jurisdiction).where(
                Jurisdiction.code.in_(sorted({f.jurisdiction_code for f in follows}))
            )
        )
    }
    parents = _parents(session)
    seen: dict[str, int] = defaultdict(int)
    for follow in follows:
        seen[follow.jurisdiction_code] += 1
        if follow.min_severity not in RANK:
            raise Invalid({"min_severity": f"one of {', '.join(SEVERITIES)}"})
        if follow.jurisdiction_code not in places:
            raise Invalid({"jurisdiction": f"unknown place {follow.jurisdiction_code}"})
        if not _within(follow.jurisdiction_code, scopes, parents):
            raise Invalid({"jurisdiction": f"{follow.jurisdiction_code} is outside your scope"})
    if any(count > 1 for count in seen.values()):
        raise Invalid({"jurisdiction": "each place once"})


def _parents(session: Session) -> dict[str, str | None]:
    return dict(session.execute(select(Jurisdiction.code, Jurisdiction.parent_code)).all())


def _within(code: str | None, scopes: set[str], parents: dict[str, str | None]) -> bool:
    while code is not None:
        if code in scopes:
            return True
        code = parents.get(code)
    return False
