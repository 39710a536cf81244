"""The worker's view of a case, behind the tracking code and PIN.

A wrong PIN and an unknown code get the same answer (TrackingRefused) and cost the same time,
so a guesser learns nothing. Repeated wrong PINs lock the code for a while; while it is locked
even the right PIN gets only TrackingLocked, which says so and nothing else.

The failure counter is written in its own short transaction: the request that carries a wrong
PIN fails, and its own transaction rolls back, but the failure must still count. Call
`status_for` from a session that has not written anything yet.
"""

from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import case, literal, select, update
from sqlmodel import Session

from monitors.reference import Reference, load_reference
from service.auth.models import User
from service.auth.passwords import hash_password, verify_password
from service.complaints.form import normalised
from service.complaints.messages import Texts, texts
from service.complaints.models import Complaint, ComplaintEvent
from service.complaints.schemas import CaseEvent, Deadline, LegalAid, WorkerStatus
from service.complaints.views import arbitration_texts, event_labels, status_labels
from service.errors import Forbidden, TooManyRequests
from service.i18n import translate
from service.jurisdictions.models import Jurisdiction
from service.mediation.models import MediationCommittee

# Product security policy, not law: after this many wrong PINs in a row the tracking code is
# locked for LOCK_MINUTES. With 10^6 PINs, five tries per half hour make guessing hopeless.
MAX_PIN_FAILURES = 5
LOCK_MINUTES = 30
LEGAL_AID_PHONE = "12348"  # 公共法律服务热线: legal advice and legal aid, nationwide
LEGAL_AID_KINDS = ("unpaid_wages", "work_injury")  # the green channel (Legal Aid Law Art. 42)
# Timeline entries the worker does not see: internal bookkeeping.
HIDDEN_EVENTS = ("reminder",)


class TrackingRefused(Forbidden):
    """The code and PIN do not open a case: unknown code or wrong PIN, indistinguishably."""


class TrackingLocked(TooManyRequests):
    """Too many wrong PINs: the code is locked for now."""


def normalised_code(code: str) -> str:
    """Codes are read from paper and typed on phones: case, spaces and dashes do not matter."""
    return normalised(code).upper().replace(" ", "").replace("-", "")


@cache
def _decoy_hash() -> str:
    """A hash to check an unknown code's PIN against, so it costs as long as a known one."""
    return hash_password("decoy-pin")


def status_for(
    session: Session,
    tracking_code: str,
    pin: str,
    now: datetime,
    *,
    reference: Reference | None = None,
) -> WorkerStatus:
    """The case behind a tracking code and PIN, as its worker sees it; `now` is aware."""
    complaint = session.scalar(
        select(Complaint).where(Complaint.tracking_code == normalised_code(tracking_code))
    )
    if complaint is None:
        verify_password(normalised(pin), _decoy_hash())
        raise TrackingRefused(_refused())
    if complaint.locked_until is not None and complaint.locked_until > now:
        raise TrackingLocked(_locked(complaint.locked_until, now))
    if not verify_password(normalised(pin), complaint.pin_hash):
        _count_failure(session, complaint.id, now)
        raise TrackingRefused(_refused())
    if complaint.pin_failures or complaint.locked_until is not None:
        complaint.pin_failures, complaint.locked_until = 0, None
        session.flush()
    return _worker_view(session, complaint, reference or load_reference())


def _refused() -> Texts:
    return texts("tracking.refused")


def _locked(until: datetime, now: datetime) -> Texts:
    seconds = int((until - now).total_seconds())
    return texts("tracking.locked", minutes=max(1, -(-seconds // 60)))  # rounded up


def _count_failure(session: Session, complaint_id: int, now: datetime) -> None:
    """One more wrong PIN, in its own transaction (see the module docstring); the fifth in a
    row locks the code and starts the count again. One UPDATE, so parallel guesses each
    count."""
    reaches = Complaint.pin_failures + 1 >= MAX_PIN_FAILURES
    until = literal(now + timedelta(minutes=LOCK_MINUTES), Complaint.__table__.c.locked_until.type)
    statement = (
        update(Complaint)
        .where(Complaint.id == complaint_id)
        .values(
            pin_failures=case((reaches, 0), else_=Complaint.pin_failures + 1),
            locked_until=case((reaches, until), else_=Complaint.locked_until),
        )
    )
    with Session(session.get_bind()) as own:
        own.execute(statement)
        own.commit()


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
        phone=LEGAL_AID_PHONE,
        centre_zh=f"{county_zh}法律援助中心",
        centre_en=f"Legal Aid Centre of {county_en}",
        text_zh=translate("zh-CN", "worker.help.green_channel.text"),
        text_en=translate("en", "worker.help.green_channel.text"),
        legal_basis_zh=translate("zh-CN", "worker.basis.legal_aid"),
        legal_basis_en=translate("en", "worker.basis.legal_aid"),
    )
