"""Who may still receive a queued message, checked again when it is sent.

A message is queued for a recipient entitled to it at that moment; by the time the sender
takes it (minutes later, or the next morning for a digest) the inspector may have moved to
another county, the mediator to another committee, the account may be deactivated or the
address changed. Each message therefore records its audience (`Audience`, stored on the
outbox row) and the sender asks `entitled` just before the SMTP conversation: a message
whose recipient is no longer entitled is withdrawn, with the reason, instead of sent.

- an account (`user_id`): active, still at the address, and
  - about a place (`place`, a jurisdiction code): an inspector (or a legal-aid centre's user)
    whose current scope covers it (the place itself, its county or the city);
  - about a committee's case: a mediator of that committee;
  - about an employer: a user of that employer;
- a contact address (no account): still the committee's or the employer's address.

A digest lists alerts of several places: at send time it keeps the alerts the inspector
still covers (service.refresh_digest rebuilds it), and is withdrawn when none is left.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from service.auth.models import PLACE_ROLES, User, UserScope
from service.committees.models import MediationCommittee
from service.employers.models import Employer
from service.jurisdictions.models import Jurisdiction


@dataclass(frozen=True)
class Audience:
    """Whom a message is for; every field set is checked again at send time."""

    user_id: int | None = None
    place: str | None = None  # jurisdiction code: a town code, or a county's
    committee_id: int | None = None
    employer_id: int | None = None


@dataclass(frozen=True)
class Verdict:
    entitled: bool
    reason: str = ""


SEND = Verdict(True)


def _same_address(a: str | None, b: str) -> bool:
    return a is not None and a.strip().lower() == b.strip().lower()


def ancestors(conn: Connection, code: str) -> set[str]:
    """The place and every jurisdiction above it (town → county → city). A town that has no
    row of its own counts as part of its county (town codes are "<county>/<name>")."""
    found: set[str] = set()
    current: str | None = code
    while current is not None and current not in found:
        found.add(current)
        parent = conn.scalar(select(Jurisdiction.parent_code).where(Jurisdiction.code == current))
        if parent is None and "/" in current:
            parent = current.split("/", 1)[0]
        current = parent
    return found


def covers(conn: Connection, user_id: int, place: str) -> bool:
    """Whether the user's current scope includes the place."""
    scopes = set(
        conn.scalars(select(UserScope.jurisdiction_code).where(UserScope.user_id == user_id))
    )
    return bool(scopes & ancestors(conn, place))


def entitled(conn: Connection, audience: Audience, to_address: str) -> Verdict:
    """Whether the message may still go to `to_address` (read in the caller's connection)."""
    if audience.user_id is not None:
        return _user_entitled(conn, audience, to_address)
    if audience.committee_id is not None:
        contact = conn.scalar(
            select(MediationCommittee.contact_email).where(
                MediationCommittee.id == audience.committee_id
            )
        )
        if not _same_address(contact, to_address):
            return Verdict(False, "no longer the committee's contact address")
    if audience.employer_id is not None:
        contact = conn.scalar(
            select(Employer.contact_email).where(Employer.id == audience.employer_id)
        )
        if not _same_address(contact, to_address):
            return Verdict(False, "no longer the employer's contact address")
    return SEND


def _user_entitled(conn: Connection, audience: Audience, to_address: str) -> Verdict:
    user = conn.execute(
        select(User.role, User.email, User.is_active, User.committee_id, User.employer_id).where(
            User.id == audience.user_id
        )
    ).first()
    if user is None or not user.is_active:
        return Verdict(False, "the recipient's account is gone or inactive")
    if not _same_address(user.email, to_address):
        return Verdict(False, "the recipient's address changed")
    if audience.place is not None and not (
        user.role in PLACE_ROLES and covers(conn, audience.user_id, audience.place)
    ):
        return Verdict(False, f"the recipient no longer covers {audience.place}")
    if audience.committee_id is not None and not (
        user.role == "mediator" and user.committee_id == audience.committee_id
    ):
        return Verdict(False, "the recipient is no longer a mediator of the committee")
    if audience.employer_id is not None and not (
        user.role == "employer" and user.employer_id == audience.employer_id
    ):
        return Verdict(False, "the recipient no longer acts for the employer")
    return SEND
