"""The worker's view of a case, behind the tracking code and PIN.

One answer for every refusal: an unknown code, a wrong PIN, a code whose delay is running
and an address over its limit all get TrackingRefused (403, same words), so nobody learns
whether a code exists or is being attacked. Even the right PIN is refused during a delay;
otherwise the delay would tell a guesser when they had found it.

Guessing is bounded before the PIN is looked at (`take_attempt`, committed by the caller at
once, so the count holds although the refused request rolls back, and no row lock is held
while the page is rendered):
- per address: `tracking_attempts_per_address` an hour (service.ratelimit);
- per code: a few free tries, then each attempt opens a delay before the next one, doubling
  from a minute up to `tracking_max_delay_minutes`. An attempt is claimed with one
  conditional UPDATE, so forty parallel guesses cannot all slip in before the first one
  counts. The delay never grows into a lock: it is capped, and the right PIN clears it.
- a browser that has opened the case before (a signed cookie, service.known_devices) counts
  on its own few tries an hour instead, so a stranger who holds the code and keeps the
  delays running still cannot keep the worker's phone out.
With six-digit PINs that is at most about 30 guesses a day against one code: a million PINs
take decades. Why the PIN is stored as a keyed hash is told in pins.py.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlmodel import Session, col

from monitors.reference import Reference
from service import ratelimit
from service.auth.models import User
from service.committees.models import MediationCommittee
from service.complaints.form import normalised
from service.complaints.messages import Texts, texts
from service.complaints.models import Complaint, ComplaintEvent
from service.complaints.pins import is_legacy, pin_digest, pin_matches
from service.complaints.schemas import (
    CaseEvent,
    CommitteeContact,
    Deadline,
    LegalAid,
    WorkerStatus,
)
from service.complaints.views import arbitration_texts, event_labels, status_labels
from service.config import Settings
from service.errors import Forbidden
from service.i18n import translate
from service.jurisdictions.models import Jurisdiction
from service.legal_aid.models import LegalAidApplication
from service.legal_aid.reference import hotline_phone, load_legal_aid

FIRST_DELAY = timedelta(minutes=1)
ADDRESS_WINDOW = timedelta(hours=1)
MAX_CODE_LENGTH = 32  # codes are 12 characters; anything longer is cut before it is used
LEGAL_AID_KINDS = ("unpaid_wages", "work_injury")  # the green channel (Legal Aid Law Art. 42)
# Timeline entries the worker does not see: internal bookkeeping.
HIDDEN_EVENTS = ("reminder",)
# Checked when no case is open to the attempt, so every refusal costs the same.
DECOY_DIGEST = pin_digest(tracking_code="", pin="", secret="decoy")


class TrackingRefused(Forbidden):
    """The code and PIN do not open a case now: unknown code, wrong PIN or a running delay,
    indistinguishably."""


@dataclass(frozen=True)
class TrackingLimits:
    free_failures: int
    max_delay: timedelta
    attempts_per_address: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "TrackingLimits":
        return cls(
            free_failures=settings.tracking_free_failures,
            max_delay=timedelta(minutes=settings.tracking_max_delay_minutes),
            attempts_per_address=settings.tracking_attempts_per_address,
        )


@dataclass(frozen=True)
class Attempt:
    """One counted attempt; `complaint_id` is None when the PIN will not be looked at."""

    tracking_code: str
    complaint_id: int | None
    by_known_device: bool = False


def normalised_code(code: str) -> str:
    """Codes are read from paper and typed on phones: case, spaces and dashes do not matter."""
    return (
        normalised(code[: MAX_CODE_LENGTH * 2])
        .upper()
        .replace(" ", "")
        .replace("-", "")[:MAX_CODE_LENGTH]
    )


def take_attempt(
    session: Session,
    *,
    tracking_code: str,
    address: str,
    now: datetime,
    limits: TrackingLimits,
    device: str | None = None,
) -> Attempt:
    """Count an attempt before its PIN is checked; the caller commits right after, so the
    count stands even when the attempt is refused. `now` is aware. `device` identifies a
    browser that has opened this case before (service.known_devices)."""
    code = normalised_code(tracking_code)
    if device is not None:
        return _known_device_attempt(session, code, device, now, limits)
    if not within_address_limit(session, address=address, now=now, limits=limits):
        return Attempt(code, None)
    return Attempt(code, claim_attempt(session, Complaint, code=code, now=now, limits=limits))


def within_address_limit(
    session: Session, *, address: str, now: datetime, limits: TrackingLimits
) -> bool:
    """Count the attempt against the address's hourly limit, one count for complaints' and
    legal-aid applications' codes alike; False beyond it."""
    return ratelimit.hit(
        session,
        key=f"track:address:{address}",
        limit=limits.attempts_per_address,
        window=ADDRESS_WINDOW,
        now=now.timestamp(),
    )


def claim_attempt(
    session: Session,
    table: type[Complaint] | type[LegalAidApplication],
    *,
    code: str,
    now: datetime,
    limits: TrackingLimits,
) -> int | None:
    """Count a failure on the row holding the tracking code, unless its delay is running, and
    start a doubling delay beyond the free failures. The row's id, or None when the code is
    unknown or delayed (its PIN will not be looked at)."""
    claimed = session.execute(
        update(table)
        .where(
            col(table.tracking_code) == code,
            or_(col(table.locked_until).is_(None), col(table.locked_until) <= now),
        )
        .values(pin_failures=col(table.pin_failures) + 1)
        .returning(col(table.id), col(table.pin_failures))
    ).first()
    if claimed is None:
        return None
    row_id, attempts = claimed
    if attempts > limits.free_failures:
        wait = delay_after(attempts - limits.free_failures, limits.max_delay)
        session.execute(
            update(table).where(col(table.id) == row_id).values(locked_until=now + wait)
        )
    return int(row_id)


def _known_device_attempt(
    session: Session, code: str, device: str, now: datetime, limits: TrackingLimits
) -> Attempt:
    """The worker's own phone: its own few tries an hour, untouched by a stranger's delays or
    by the address's count, so nobody holding the code can keep the worker out."""
    within = ratelimit.hit(
        session,
        key=f"track:device:{device}",
        limit=limits.free_failures,
        window=ADDRESS_WINDOW,
        now=now.timestamp(),
    )
    if not within:
        return Attempt(code, None)
    found = session.scalar(select(Complaint.id).where(Complaint.tracking_code == code))
    return Attempt(code, found, by_known_device=True)


def delay_after(extra_attempts: int, max_delay: timedelta) -> timedelta:
    """1, 2, 4 … minutes after each attempt beyond the free ones, up to `max_delay`."""
    if extra_attempts > 32:
        return max_delay
    return min(max_delay, FIRST_DELAY * 2 ** (extra_attempts - 1))


def status_for(
    session: Session,
    attempt: Attempt,
    pin: str,
    *,
    reference: Reference,
) -> WorkerStatus:
    """The case behind a counted attempt, as its worker sees it; TrackingRefused otherwise.
    A correct PIN clears the code's count (a write the request's own commit keeps), except
    from a known device, which never used it: a stranger's tries do not start afresh."""
    pin = normalised(pin[:64])
    complaint = session.get(Complaint, attempt.complaint_id) if attempt.complaint_id else None
    if complaint is None:
        pin_matches(tracking_code=attempt.tracking_code, pin=pin, stored=DECOY_DIGEST)
        raise TrackingRefused(_refused())
    code = complaint.tracking_code
    if not pin_matches(tracking_code=code, pin=pin, stored=complaint.pin_hash):
        raise TrackingRefused(_refused())
    if not attempt.by_known_device:
        complaint.pin_failures, complaint.locked_until = 0, None
    if is_legacy(complaint.pin_hash):
        complaint.pin_hash = pin_digest(tracking_code=code, pin=pin)
    session.flush()
    return _worker_view(session, complaint, reference)


def status_by_pass(session: Session, tracking_code: str, *, reference: Reference) -> WorkerStatus:
    """The case a valid case pass opens (service/complaints/case_pass.py): no PIN, no count."""
    complaint = session.scalar(select(Complaint).where(Complaint.tracking_code == tracking_code))
    if complaint is None:
        raise TrackingRefused(_refused())
    return _worker_view(session, complaint, reference)


def complaint_id_of(session: Session, tracking_code: str) -> int | None:
    return session.scalar(select(Complaint.id).where(Complaint.tracking_code == tracking_code))


def _refused() -> Texts:
    return texts("tracking.refused")


# --- the view model ---------------------------------------------------------------------------


def _worker_view(session: Session, complaint: Complaint, reference: Reference) -> WorkerStatus:
    committee = (
        session.get(MediationCommittee, complaint.committee_id) if complaint.committee_id else None
    )
    handler = session.get(User, complaint.accepted_by_id) if complaint.accepted_by_id else None
    status_zh, status_en = status_labels(complaint)
    arbitration = arbitration_texts(complaint, reference)
    return WorkerStatus(
        tracking_code=complaint.tracking_code,
        kind=complaint.kind,
        status=complaint.status,
        status_zh=status_zh,
        status_en=status_en,
        received_on=complaint.received_on,
        committee_name=committee.name if committee else None,
        committee_kind=committee.kind if committee else None,
        committee_contact=CommitteeContact.of(committee),
        handled_by=handler.display_name if handler else None,
        routing_reason_zh=complaint.routing_reason_zh,
        routing_reason_en=complaint.routing_reason_en,
        next_deadline=next_deadline(complaint),
        outcome=complaint.outcome,
        outcome_amount_fen=complaint.outcome_amount_fen,
        payment_due_on=complaint.payment_due_on,
        arbitration_deadline=complaint.arbitration_deadline,
        arbitration_zh=arbitration[0] if arbitration else None,
        arbitration_en=arbitration[1] if arbitration else None,
        outcome_note=complaint.outcome_note,
        events=_worker_events(session, complaint.id),
        legal_aid=_legal_aid(session, complaint),
    )


def next_deadline(complaint: Complaint) -> Deadline | None:
    """What the worker should watch: the end of mediation while it runs; after it, the agreed
    payment day or the last day to apply for arbitration."""
    labels = {
        "mediation_period": ("调解期限届满", "End of the mediation period"),
        "payment": ("协议约定的支付日期", "Payment date agreed"),
        "arbitration": ("申请劳动仲裁的最后日期", "Last day to apply for arbitration"),
    }
    if complaint.status != "closed":
        kind, on = "mediation_period", complaint.mediation_due_on
    elif complaint.outcome == "agreement":
        kind, on = "payment", complaint.payment_due_on
    elif complaint.outcome == "failure":
        kind, on = "arbitration", complaint.arbitration_deadline
    else:
        return None
    if on is None:
        return None
    return Deadline(kind=kind, on=on, label_zh=labels[kind][0], label_en=labels[kind][1])


def _worker_events(session: Session, complaint_id: int) -> list[CaseEvent]:
    """The timeline without notes: notes are the handlers' working text."""
    events = session.scalars(
        select(ComplaintEvent)
        .where(
            ComplaintEvent.complaint_id == complaint_id,
            ComplaintEvent.kind.not_in(HIDDEN_EVENTS),
        )
        .order_by(ComplaintEvent.at, ComplaintEvent.id)
    ).all()
    return [
        CaseEvent(kind=e.kind, at=e.at, label_zh=zh, label_en=en)
        for e in events
        for zh, en in [event_labels(e.kind)]
    ]


def _legal_aid(session: Session, complaint: Complaint) -> LegalAid | None:
    """The green channel for unpaid wages and work injuries: the hotline and the legal-aid
    centre of the county where the work was."""
    if complaint.kind not in LEGAL_AID_KINDS:
        return None
    county = session.get(Jurisdiction, complaint.county_code)
    county_zh = county.name_zh if county else complaint.county_code
    county_en = county.name_en if county else complaint.county_code
    return LegalAid(
        phone=hotline_phone("legal_aid"),
        address_zh=load_legal_aid().centre_for(complaint.county_code).address_zh,
        centre_zh=f"{county_zh}法律援助中心",
        centre_en=f"Legal Aid Centre of {county_en}",
        text_zh=translate("zh-CN", "worker.help.green_channel.text"),
        text_en=translate("en", "worker.help.green_channel.text"),
        legal_basis_zh=translate("zh-CN", "worker.basis.legal_aid"),
        legal_basis_en=translate("en", "worker.basis.legal_aid"),
    )
