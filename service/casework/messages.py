"""Anonymous messages on a case: the worker (with the case's code and PIN, or its case pass)
and the case's handlers write to each other in plain text.

Handlers are the mediators of the committee the case was routed to and the inspectors whose
jurisdiction holds it (mediation.service.readable, as for the case itself); a caller outside
that scope gets NotFound, so ids do not leak. An administrator reads but does not write.
Employers have no path here at all: `readable` gives them no complaint.

Every message is kept as written (plain text, rendered escaped), in the case's timeline (an
event without the text) and in the audit log: a handler's under the handler's account, the
worker's under a label that says only "the worker" (no address, device or code). Limits:
`case_message_max_chars` per message, `case_messages_per_case_per_hour` per case and
direction, and `case_messages_per_address_per_hour` for the worker's address, counted with
service.ratelimit before the message is stored, the count committed even when refused.
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session, col

from service import clock, ratelimit
from service.audit import service as audit
from service.auth.actors import Actor
from service.auth.models import User
from service.casework.models import CaseMessage
from service.complaints.messages import texts
from service.complaints.models import Complaint, ComplaintEvent
from service.errors import Forbidden, Invalid, NotFound, TooManyRequests
from service.mediation.service import readable
from service.stored import stored_id

WINDOW = timedelta(hours=1)
HANDLER_ROLES = ("mediator", "inspector")
# The worker in the audit log: who wrote, never which person.
WORKER = Actor(user_id=None, username="case", role="worker")
EVENT_FROM_WORKER = "message_from_worker"
EVENT_TO_WORKER = "message_to_worker"


class MessageRefused(Invalid):
    """The message is empty or too long; `code` names the catalogue text (talk.error.*)."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code, self.values = code, values


class MessagesLimited(TooManyRequests):
    """Too many messages for now (per case, or from the worker's address)."""

    code = "rate_limited"


@dataclass(frozen=True)
class Limits:
    max_chars: int
    per_case_per_hour: int
    per_address_per_hour: int


@dataclass(frozen=True)
class MessageView:
    """One message as a page shows it. `by_worker` tells its side; `author` is the handler's
    role for the worker (never a name of the worker for anyone: there is none)."""

    id: int
    by_worker: bool
    author_role: str | None
    author_name: str | None
    body: str
    sent_at: datetime
    is_new: bool = False
    sms_status: str | None = None  # handlers only


def plain(text: str) -> str:
    """The text as typed (Chinese punctuation kept: no NFKC here), with Windows line ends made
    plain, control characters other than line breaks and tabs dropped (NUL included, which
    PostgreSQL refuses), and the ends stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


def checked_body(body: str, limits: Limits) -> str:
    """Plain text (`plain`); MessageRefused when empty or too long."""
    text = plain(body[: limits.max_chars * 4 + 16])
    if not text:
        raise MessageRefused("empty")
    if len(text) > limits.max_chars:
        raise MessageRefused("too_long", max=limits.max_chars)
    return text


def _count(session: Session, key: str, limit: int, now: datetime) -> None:
    if not ratelimit.hit(session, key=key, limit=limit, window=WINDOW, now=now.timestamp()):
        raise MessagesLimited()


def take_worker_slot(
    session: Session, *, complaint_id: int, address: str, limits: Limits, now: datetime
) -> None:
    """Count the worker's message per address and per case; the caller commits the counts at
    once (a refusal rolls the rest back). MessagesLimited when over either limit."""
    _count(session, f"case_message:address:{address}", limits.per_address_per_hour, now)
    _count(session, f"case_message:worker:{complaint_id}", limits.per_case_per_hour, now)


def take_handler_slot(
    session: Session, *, complaint_id: int, limits: Limits, now: datetime
) -> None:
    """Count a handler's message to the worker per case (each may become an SMS)."""
    _count(session, f"case_message:handler:{complaint_id}", limits.per_case_per_hour, now)


def handled_complaint(session: Session, actor: Actor, complaint_id: int) -> Complaint:
    """The case, if the actor handles it: NotFound outside its scope, Forbidden for a reader
    who is not a handler (an administrator)."""
    complaint = session.scalar(
        select(Complaint).where(col(Complaint.id) == complaint_id, readable(actor))
    )
    if complaint is None:
        raise NotFound(texts("case.not_found"))
    if actor.role not in HANDLER_ROLES:
        raise Forbidden(texts("case.not_handler"))
    return complaint


def from_worker(session: Session, *, complaint_id: int, body: str, now: datetime) -> CaseMessage:
    """Store the worker's message (already checked), its timeline event and its audit entry."""
    message = CaseMessage(
        complaint_id=complaint_id, direction="from_worker", body=body, sent_at=now
    )
    session.add(message)
    session.add(ComplaintEvent(complaint_id=complaint_id, kind=EVENT_FROM_WORKER, at=now))
    session.flush()
    audit.record(
        session, WORKER, "case_message.from_worker", "complaint", str(complaint_id),
        after={"message_id": message.id, "chars": len(body)},
    )  # fmt: skip
    session.flush()
    return message


def to_worker(
    session: Session, actor: Actor, complaint: Complaint, *, body: str, now: datetime
) -> CaseMessage:
    """Store a handler's message (already checked, the actor a handler), its timeline event
    (with who wrote it) and its audit entry."""
    complaint_id = stored_id(complaint)
    message = CaseMessage(
        complaint_id=complaint_id,
        direction="to_worker",
        author_id=actor.user_id,
        author_role=actor.role,
        body=body,
        sent_at=now,
    )
    session.add(message)
    session.add(
        ComplaintEvent(
            complaint_id=complaint_id, kind=EVENT_TO_WORKER, at=now, actor_id=actor.user_id
        )
    )
    session.flush()
    audit.record(
        session, actor, "case_message.to_worker", "complaint", str(complaint_id),
        after={"message_id": message.id, "chars": len(body), "body": body},
    )  # fmt: skip
    session.flush()
    return message


def record_sms(session: Session, message_id: int, status: str) -> None:
    session.execute(
        update(CaseMessage).where(col(CaseMessage.id) == message_id).values(sms_status=status)
    )


def for_worker(
    session: Session, complaint_id: int, *, now: datetime | None = None
) -> list[MessageView]:
    """The case's messages for its worker, oldest first; the handlers' messages not shown
    before are marked new, and from now on seen (the caller's commit keeps that)."""
    rows = _rows(session, complaint_id)
    unseen = [
        stored_id(row)
        for row, _ in rows
        if row.direction == "to_worker" and row.seen_by_worker_at is None
    ]
    views = [_view(row, names, is_new=row.id in unseen) for row, names in rows]
    if unseen:
        session.execute(
            update(CaseMessage)
            .where(col(CaseMessage.id).in_(unseen))
            .values(seen_by_worker_at=now or clock.utc_now())
        )
    # The worker learns the handler's role, not the person's name.
    return [
        MessageView(v.id, v.by_worker, v.author_role, None, v.body, v.sent_at, v.is_new, None)
        for v in views
    ]


def for_handler(session: Session, actor: Actor, complaint_id: int) -> list[MessageView]:
    """The case's messages for a reader of the case (handlers, administrators); empty for
    anyone outside its scope."""
    visible = session.scalar(
        select(col(Complaint.id)).where(col(Complaint.id) == complaint_id, readable(actor))
    )
    if visible is None:
        return []
    return [_view(row, names) for row, names in _rows(session, complaint_id)]


def _rows(session: Session, complaint_id: int) -> list[tuple[CaseMessage, str | None]]:
    found = session.execute(
        select(CaseMessage, col(User.display_name))
        .outerjoin(User, col(User.id) == col(CaseMessage.author_id))
        .where(col(CaseMessage.complaint_id) == complaint_id)
        .order_by(col(CaseMessage.sent_at), col(CaseMessage.id))
    ).all()
    return [(row, name) for row, name in found]


def _view(row: CaseMessage, name: str | None, *, is_new: bool = False) -> MessageView:
    return MessageView(
        id=stored_id(row),
        by_worker=row.direction == "from_worker",
        author_role=row.author_role,
        author_name=name,
        body=row.body,
        sent_at=row.sent_at,
        is_new=is_new,
        sms_status=row.sms_status,
    )
