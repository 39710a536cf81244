"""Queue e-mail in the caller's transaction: the message exists iff the event that causes
it committed. The sender (service.notifications.sender) delivers it later."""

import logging
import re
import uuid
from collections.abc import Iterable
from datetime import datetime
from email.utils import parseaddr
from functools import cache, lru_cache
from typing import Any, NotRequired, TypedDict, TypeGuard, Unpack

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session

from service.clock import utc_now
from service.notifications.audience import Audience
from service.notifications.models import OutboxMessage
from service.notifications.render import render

log = logging.getLogger(__name__)
MESSAGE_ID_DOMAIN = "wageguard.local"
MESSAGES_PER_STATEMENT = 1_000
# The alert e-mails a monitors run queues by the thousand: worded by the sender as each
# leaves (service.worded_alert_mail), from the alerts and recipient as they stand.
WORDED_AS_THEY_LEAVE = frozenset({"alert_critical", "alert_digest", "employer_alert_notice"})


def new_message_id() -> str:
    """Fixed at enqueue and sent on every attempt, so a receiver can recognise a retry."""
    return f"<outbox-{uuid.uuid4()}@{MESSAGE_ID_DOMAIN}>"


def is_deliverable(address: str | None) -> TypeGuard[str]:
    """A single plain address: no display name, no header-breaking characters."""
    if not address:
        return False
    return _deliverable(address)


# A city's employers and users: a run that opens alerts for most employers checks each
# address twice (a cache of 4,096 missed every time at L: 2.7 s of parsing).
ADDRESSES_CACHED = 1 << 17


# Most addresses are plain: letters, digits and . _ + - around one @, the domain in dotted
# labels. Such an address is what parsing would accept (tests/…/test_outbox.py checks it), and
# recognised without parsing, which a run telling 28,000 employers spent 0.6 s on.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@lru_cache(maxsize=ADDRESSES_CACHED)
def _deliverable(address: str) -> bool:
    if PLAIN_ADDRESS.fullmatch(address):
        return True
    if any(ch in address for ch in "\r\n,;<>\"'"):
        return False
    name, parsed = parseaddr(address)
    local, _, domain = parsed.rpartition("@")
    return not name and parsed == address.strip() and bool(local) and "." in domain


class NewMessage(TypedDict):
    """A message to queue, as `enqueue` takes it: `audience` says who may receive it (the
    sender checks it again before sending); `not_before` holds it back until then. A
    `context` of None queues it unworded, for the sender to word as it leaves (the kinds of
    WORDED_AS_THEY_LEAVE, which name what they are about by `alert_ids`)."""

    kind: str
    dedupe_key: str
    to_address: str
    language: str
    context: Any
    audience: Audience
    not_before: NotRequired[datetime | None]
    alert_ids: NotRequired[Iterable[int] | None]


def enqueue(
    session: Session, *, now: datetime | None = None, **message: Unpack[NewMessage]
) -> OutboxMessage | None:
    """Render and add a message (flush only); None when its `dedupe_key` is already queued.
    `now`: the instant it is queued at (default: the clock's)."""
    row = _row(message, now)
    # One statement, no look-up and no savepoint: a key already queued, by this transaction
    # or a concurrent one, is skipped by the unique constraint instead of failing the
    # caller's transaction. The statement is built once and the row passed as parameters:
    # every complaint filed queues a few messages, and building it with the row's values
    # cost more than running it.
    queued_id = session.execute(_insert_statement(session), row).scalar()
    if queued_id is None:
        log.info("outbox: %s already queued", row["dedupe_key"])
        return None
    # Saved as it stands: the session holds it as if just loaded, with no second statement.
    queued = OutboxMessage(id=queued_id, **row)
    make_transient_to_detached(queued)
    session.add(queued)
    return queued


def enqueue_all(
    session: Session, messages: list[NewMessage], *, now: datetime | None = None
) -> int:
    """`enqueue` for many messages, a statement per `MESSAGES_PER_STATEMENT`; returns how many
    were new. A run that opens critical alerts at hundreds of employers queues an e-mail for
    each employer and inspector: a statement each was most of the run's time on PostgreSQL.
    Rendered a statement's worth at a time: a run that opened alerts for 28,000 employers
    held 770 MB of rendered e-mail when it rendered them all first. `now`: the instant they
    are queued at (default: the clock's), one for the whole batch."""
    now = now or utc_now()
    statement = _insert_statement(session)
    queued = 0
    for start in range(0, len(messages), MESSAGES_PER_STATEMENT):
        batch = messages[start : start + MESSAGES_PER_STATEMENT]
        rows = [_row(message, now) for message in batch]
        queued += len(session.execute(statement, rows).all())
    return queued


def _row(message: NewMessage, now: datetime | None = None) -> dict[str, Any]:
    """The outbox row of a message: rendered (unless left to be worded as it leaves) and
    addressed, due now (or not before), with the model's defaults for the rest. A plain dict,
    not a model: a run queues tens of thousands, and building an OutboxMessage for each cost
    more than rendering it."""
    to_address, audience = message["to_address"], message["audience"]
    if not is_deliverable(to_address):
        raise ValueError(f"not a deliverable address: {to_address!r}")
    now = now or utc_now()
    return (
        _defaults()
        | _words(message)
        | {
            "kind": message["kind"],
            "dedupe_key": message["dedupe_key"],
            "message_id": new_message_id(),
            "to_address": to_address.strip(),
            "language": message["language"],
            "created_at": now,
            "not_before": message.get("not_before") or now,
            "next_attempt_at": now,
            "recipient_user_id": audience.user_id,
            "about_place": audience.place,
            "about_committee_id": audience.committee_id,
            "about_employer_id": audience.employer_id,
            "alert_ids": _ascending(message.get("alert_ids")),
        }
    )


def _words(message: NewMessage) -> dict[str, str | None]:
    kind, context = message["kind"], message["context"]
    if context is None:
        if kind not in WORDED_AS_THEY_LEAVE or not message.get("alert_ids"):
            raise ValueError(f"{kind} cannot be worded as it leaves: give its context")
        return {"subject": None, "body_text": None, "body_html": None}
    rendered = render(kind, message["language"], context)
    return {"subject": rendered.subject, "body_text": rendered.text, "body_html": rendered.html}


@cache
def _defaults() -> dict[str, Any]:
    """A new message's plain defaults (status pending, no attempts …), from the model."""
    fields = OutboxMessage.model_fields.items()
    return {
        name: field.default
        for name, field in fields
        if name != "id" and not field.is_required() and field.default_factory is None
    }


def _ascending(alert_ids: Iterable[int] | None) -> list[int] | None:
    return None if alert_ids is None else sorted(set(alert_ids))


@cache
def _insert_on(dialect: str) -> Any:
    table = OutboxMessage.__table__
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    return insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)


def _insert_statement(session: Session) -> Any:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, for the session's dialect."""
    return _insert_on(session.get_bind().dialect.name)


def find(session: Session, *, dedupe_key: str) -> OutboxMessage | None:
    return session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))


def extend_pending(
    session: Session,
    *,
    message: OutboxMessage,
    to_address: str,
    language: str,
    alert_ids: Iterable[int],
) -> bool:
    """A still-pending digest grown by more alerts, to be worded anew as it leaves.

    False when the sender claimed it meanwhile: the caller then queues elsewhere. The
    UPDATE is conditional, so a message on its way is never changed under the sender.
    """
    table = OutboxMessage.__table__
    result = session.execute(
        update(table)
        .where(table.c.id == message.id, table.c.status == "pending")
        .values(
            to_address=to_address,
            language=language,
            alert_ids=_ascending(alert_ids),
            **dict.fromkeys(("subject", "body_text", "body_html")),
        )
    )
    if result.rowcount != 1:
        return False
    session.refresh(message)
    return True
