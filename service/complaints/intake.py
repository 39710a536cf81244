"""Anonymous intake: one complaint per submission however often it is retried, and a limit per
address that holds under a burst and across instances.

Idempotency. A worker on a weak phone connection often sends the form again because the first
answer never arrived; before this, every retry filed another case and the first code and PIN
were lost with the answer. Each submission carries a key: the complaint page's hidden
`submission_token` (made when the form is shown) or the API's `Idempotency-Key` header. Its
SHA-256 is stored on the complaint under a unique index, so two concurrent sends of one key
cannot both commit. The key is not looked up before filing: a retry is rare and every filing
would pay for the look-up, so the complaint's INSERT meets the index, and its IntegrityError
(the key already stored, by a twin still running or long ago) sends the caller to `replay`.
A retry with the key returns the same case with a fresh PIN: the PIN is
re-issued on every retry and only the last one issued is valid, since the server cannot know
whether an earlier answer reached the worker, and the answer to the last retry is the one the
worker sees. Only the key's holder can do this: keys are long random strings, a key is
honoured only for the complaint it was first sent with (same fingerprint) and only for
`REPLAY_HOURS`; after that, or with other content, the answer is Conflict.

Rate limit. The count per address is one atomic upsert (service/ratelimit.py) in the
complaint's own transaction, made after the complaint is written, just before the commit: a
burst cannot pass between check and record (they are one statement), a refused or invalid
complaint rolls its count back with it, the counter row is locked only for that last moment,
and every instance shares the database's counter.
"""

import hashlib
import json
import re
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, select
from sqlmodel import Session

from service import ratelimit
from service.committees.models import MediationCommittee
from service.complaints.form import ComplaintForm
from service.complaints.models import Complaint, ComplaintEvent
from service.complaints.pins import new_pin, pin_digest
from service.complaints.service import FiledComplaint
from service.errors import Conflict, Invalid, TooManyRequests

# Product policy, not law: complaints accepted per address per hour. A whole construction
# crew often shares one site Wi-Fi or one phone's hotspot, so the limit is well above one
# crew's size; it only stops a flood from one place.
COMPLAINTS_PER_HOUR = 30
RATE_WINDOW = timedelta(hours=1)
# A retry comes within minutes; a day covers a phone that was off overnight.
REPLAY_HOURS = 24
# At least 96 bits when random (16 base64url characters); a UUID fits.
SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,128}")


def submission_columns(*, submission_key: str | None, form: ComplaintForm) -> dict[str, str]:
    """The key's digest and the form's fingerprint, stored with a new complaint (in its own
    INSERT) so that a retry finds it (`replay`); the unique index refuses a concurrent twin,
    or a retry of a committed one, at that INSERT. {} when no key was sent."""
    digest = _key_digest(submission_key)
    if digest is None:
        return {}
    return {"submission_key": digest, "submission_fingerprint": _fingerprint(form)}


def replay(
    session: Session, *, submission_key: str | None, form: ComplaintForm, now: datetime
) -> FiledComplaint | None:
    """The case filed with this key, with a fresh PIN; None when no case has the key."""
    digest = _key_digest(submission_key)
    if digest is None:
        return None
    complaint = session.scalar(
        select(Complaint).where(Complaint.submission_key == digest).with_for_update()
    )
    if complaint is None:
        return None
    if complaint.submission_fingerprint != _fingerprint(form):
        raise Conflict(_texts("intake.key_reused"))
    if now - _aware(complaint.received_at) > timedelta(hours=REPLAY_HOURS):
        raise Conflict(_texts("intake.key_expired"))
    pin = new_pin()
    complaint.pin_hash = pin_digest(tracking_code=complaint.tracking_code, pin=pin)
    session.flush()
    return _filed(session, complaint, pin)


def check_submission_key(key: str | None) -> str | None:
    """The key as sent, or None when none was sent; Invalid when it is not a usable key."""
    if key is None or key == "":
        return None
    if not SUBMISSION_KEY.fullmatch(key):
        raise Invalid({"submission_key": _texts("intake.key_invalid")})
    return key


def count_for_address(session: Session, address: str) -> None:
    """Count one complaint for the address; TooManyRequests when it is over its limit."""
    allowed = ratelimit.hit(
        session,
        key=f"complaint:address:{address}",
        limit=COMPLAINTS_PER_HOUR,  # read at call time: tests lower it
        window=RATE_WINDOW,
    )
    if not allowed:
        raise TooManyRequests(_texts("intake.too_many"))


def _key_digest(key: str | None) -> str | None:
    return hashlib.sha256(key.encode()).hexdigest() if key else None


def _fingerprint(form: ComplaintForm) -> str:
    """What was submitted, language aside (the same complaint may be re-sent from an English
    page)."""
    values = {name: str(value) for name, value in asdict(form).items() if name != "language"}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _filed(session: Session, complaint: Complaint, pin: str) -> FiledComplaint:
    committee = (
        session.get(MediationCommittee, complaint.committee_id) if complaint.committee_id else None
    )
    alerted = session.scalar(
        select(
            exists().where(
                ComplaintEvent.complaint_id == complaint.id,
                ComplaintEvent.kind == "inspectors_alerted",
            )
        )
    )
    return FiledComplaint(
        complaint_id=complaint.id,
        tracking_code=complaint.tracking_code,
        pin=pin,
        committee_id=complaint.committee_id,
        committee_name=committee.name if committee else None,
        routing_rule=complaint.routing_rule,
        routing_reason_zh=complaint.routing_reason_zh or "",
        routing_reason_en=complaint.routing_reason_en or "",
        mediation_due_on=complaint.mediation_due_on,
        inspectors_alerted=bool(alerted),
    )


def _texts(key: str) -> dict[str, str]:
    from service.i18n import translate

    return {language: translate(language, key) for language in ("zh-CN", "en")}
