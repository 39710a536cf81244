"""Queue e-mail in the caller's transaction: the message exists iff the event that causes
it committed. The sender (service.notifications.sender) delivers it later."""

import logging
import uuid
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.auth.models import utc_now
from service.notifications.models import OutboxMessage
from service.notifications.render import render

log = logging.getLogger(__name__)
MESSAGE_ID_DOMAIN = "wageguard.local"


def new_message_id() -> str:
    """Fixed at enqueue and sent on every attempt, so a receiver can recognise a retry."""
    return f"<outbox-{uuid.uuid4()}@{MESSAGE_ID_DOMAIN}>"


def is_deliverable(address: str | None) -> bool:
    """A single plain address: no display name, no header-breaking characters."""
    if not address or any(ch in address for ch in "\r\n,;<>\"'"):
        return False
    name, parsed = parseaddr(address)
    local, _, domain = parsed.rpartition("@")
    return not name and parsed == address.strip() and bool(local) and "." in domain


def enqueue(
    session: Session,
    *,
    kind: str,
    dedupe_key: str,
    to_address: str,
    language: str,
    context: Any,
    not_before: datetime | None = None,
) -> OutboxMessage | None:
    """Render and add a message (flush only); None when `dedupe_key` is already queued."""
    if not is_deliverable(to_address):
        raise ValueError(f"not a deliverable address: {to_address!r}")
    if find(session, dedupe_key=dedupe_key) is not None:
        return None
    rendered = render(kind, language, context)
    now = utc_now()
    message = OutboxMessage(
        kind=kind,
        dedupe_key=dedupe_key,
        message_id=new_message_id(),
        to_address=to_address.strip(),
        language=language,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        created_at=now,
        not_before=not_before or now,
        next_attempt_at=now,
    )
    if session.get_bind().dialect.name == "sqlite":
        # SQLite's driver would commit a savepoint opened before any other write of the
        # transaction (it starts no transaction for it); with its single writer, a
        # concurrent duplicate can only surface here as an error that rolls back the
        # caller, never as a second message.
        session.add(message)
        session.flush()
        return message
    try:
        # The savepoint keeps a duplicate-key error from spoiling the caller's transaction.
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        # Another transaction queued the same key between our check and our insert; the
        # unique constraint kept it to one message.
        log.info("outbox: %s already queued by a concurrent transaction", dedupe_key)
        return None
    return message


def find(session: Session, *, dedupe_key: str) -> OutboxMessage | None:
    return session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))


def rerender_pending(
    session: Session, *, message: OutboxMessage, to_address: str, language: str, context: Any
) -> bool:
    """Replace a still-pending message's rendered text (the digest grows during the day).

    False when the sender claimed it meanwhile: the caller then queues elsewhere. The
    UPDATE is conditional, so a message on its way is never changed under the sender.
    """
    rendered = render(message.kind, language, context)
    table = OutboxMessage.__table__
    result = session.execute(
        update(table)
        .where(table.c.id == message.id, table.c.status == "pending")
        .values(
            to_address=to_address,
            language=language,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
        )
    )
    if result.rowcount != 1:
        return False
    session.refresh(message)
    return True
