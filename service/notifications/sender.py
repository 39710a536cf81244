"""Deliver the outbox over SMTP: retries with exponential backoff, each message marked sent
exactly once, and nothing lost when the SMTP server is down or this process dies.

A message moves pending → sending → sent (or back to pending, or to failed), each step in
its own short transaction:

- queue: a round first queues the e-mails of complaints filed since the last one
  (service/notifications/filed.py: the worker's request only marks them).
- claim: a batch of due messages (pending, next_attempt_at and not_before passed) becomes
  'sending' with claimed_at = the claim time, in one UPDATE. PostgreSQL picks the rows with
  FOR UPDATE SKIP LOCKED, so concurrent senders take disjoint batches; SQLite has a single
  writer, and the UPDATE re-checks status = 'pending'.
- before each message the claim is renewed (claimed_at moves on), and the delivery of one
  message is cut off at half the lease: a live sender never holds a message past its lease.
- sent: UPDATE … WHERE id = :id AND status = 'sending' AND claimed_at = <our claim>. The
  row goes from sending to sent once; a sender whose claim was taken over changes nothing.
- failure: attempts + 1, next_attempt_at = now + base × 2^(attempts before), capped; back
  to 'pending', or 'failed' after the last attempt or on a permanent (5xx) refusal; the
  error is kept in last_error.
- recovery: a message 'sending' for longer than the lease belongs to a sender that died;
  it goes back to 'pending' (attempts unchanged: the sender, not the message, failed).
- audience: just before the SMTP conversation the recipient's entitlement is checked again
  (notifications.audience: an inspector moved to another county, a deactivated account, a
  changed address); a message no longer theirs becomes 'withdrawn' with the reason, a
  digest keeps only the alerts the inspector still covers, and a critical e-mail only the
  alerts still open (withdrawn when none is).
- wording: the alert e-mails a monitors run queues (by the ten thousand after a mass filing)
  are queued unworded and worded here, from their alerts and recipient as they stand; one
  that cannot be worded counts a failed attempt and waits for its retry like any other.
- complainant shield: a message for an employer is checked once more as it leaves (a
  complaint notice is held until the week of the complaint is over): a notice is rebuilt
  from the case as it stands, and withdrawn when the complaint no longer names this
  employer or when the text would narrow down a complainant who did not agree to be known.

The one window no sender can close (RFC 1047, "Duplicate messages and SMTP"). The SMTP
conversation and the database cannot share a transaction, so there is an interval in which
the server has the message and our row does not yet say so:

- it opens when the server takes responsibility for the message: when it sends its 250
  reply to the end of DATA (a server may commit a moment before sending that reply);
- it closes when our UPDATE to 'sent' commits, right after we read the 250.

If this process is killed, its host fails or its database connection is lost inside that
interval, the row stays 'sending', goes back to 'pending' after the lease, and the message
is sent a second time. The same happens when the 250 comes after we stopped waiting for it
(the per-message cut-off or the SMTP timeout, while the server was still storing the
message): we count a failure, the server kept it. Every attempt carries the Message-ID
fixed at enqueue, so the receiving side (a mail system's duplicate suppression, or a
person) can recognise the second copy. Outside that interval nothing is sent twice: if we
die before the server took the message (while connecting, during DATA, or waiting for a
reply the server then does not give: a transaction whose client is gone is discarded), the
re-send after recovery is its only delivery; if we die after our commit, no sender touches
the row again. Nothing is lost either way: every row ends 'sent' or, after the last
attempt, 'failed' with its error for a person to read.
"""

import argparse
import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from monitors.reference import load_reference
from service.clock import utc_now
from service.config import Settings
from service.db import is_sqlite, make_engine
from service.notifications.audience import Audience, entitled
from service.notifications.models import OutboxMessage
from service.notifications.render import Rendered

log = logging.getLogger(__name__)
OUTBOX = OutboxMessage.__table__
MAX_ERROR_CHARS = 1000
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Claim:
    id: int
    kind: str
    message_id: str
    to_address: str
    subject: str | None  # None: worded as it leaves (checked_for_send)
    body_text: str | None
    body_html: str | None
    created_at: datetime
    not_before: datetime
    attempts: int
    claimed_at: datetime
    dedupe_key: str
    recipient_user_id: int | None
    about_place: str | None
    about_committee_id: int | None
    about_employer_id: int | None
    alert_ids: list[int] | None

    @property
    def texts(self) -> tuple[str, str, str]:
        """Its subject, plain text and HTML; checked_for_send words a claim first."""
        if self.subject is None or self.body_text is None or self.body_html is None:
            raise ValueError(f"outbox #{self.id} is not worded yet")
        return self.subject, self.body_text, self.body_html

    @property
    def audience(self) -> Audience:
        return Audience(
            user_id=self.recipient_user_id,
            place=self.about_place,
            committee_id=self.about_committee_id,
            employer_id=self.about_employer_id,
        )


class ServerUnreachable(Exception):
    """Connecting failed: the rest of the batch waits for the next attempt too."""


# --- the database steps, each its own short transaction ------------------------------------


def recover_expired(engine: Engine, *, now: datetime, lease_seconds: float) -> int:
    """Messages left 'sending' by a sender that died go back to 'pending'."""
    with engine.begin() as conn:
        result = conn.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.status == "sending",
                OUTBOX.c.claimed_at < now - timedelta(seconds=lease_seconds),
            )
            .values(
                status="pending",
                claimed_at=None,
                last_error="the sender stopped while sending (lease expired)",
            )
        )
    if result.rowcount:
        log.warning("outbox: %d message(s) recovered from a stopped sender", result.rowcount)
    return result.rowcount


def claim_batch(engine: Engine, *, now: datetime, size: int) -> list[Claim]:
    due = (
        select(OUTBOX.c.id)
        .where(
            OUTBOX.c.status == "pending",
            OUTBOX.c.next_attempt_at <= now,
            OUTBOX.c.not_before <= now,
        )
        .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id)
        .limit(size)
    )
    if not is_sqlite(engine):
        due = due.with_for_update(skip_locked=True)
    with engine.begin() as conn:
        rows = conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(due), OUTBOX.c.status == "pending")
            .values(status="sending", claimed_at=now)
            .returning(*(OUTBOX.c[name] for name in Claim.__dataclass_fields__))
        ).all()
    return sorted((Claim(**row._mapping) for row in rows), key=lambda claim: claim.id)


def renew_claim(engine: Engine, claim: Claim, *, now: datetime) -> Claim | None:
    """Move the claim on before a send; None when it is no longer ours."""
    with engine.begin() as conn:
        result = conn.execute(_ours(update(OUTBOX), claim).values(claimed_at=now))
    if result.rowcount != 1:
        return None
    return Claim(**{**claim.__dict__, "claimed_at": now})


def mark_sent(engine: Engine, claim: Claim, *, now: datetime) -> bool:
    with engine.begin() as conn:
        result = conn.execute(_ours(update(OUTBOX), claim).values(status="sent", sent_at=now))
    return result.rowcount == 1


def mark_failed(
    engine: Engine,
    claim: Claim,
    *,
    now: datetime,
    error: str,
    permanent: bool,
    settings: Settings,
) -> str:
    """Count the attempt and schedule the next one; returns the new status."""
    attempts = claim.attempts + 1
    gives_up = permanent or attempts >= settings.mail_max_attempts
    status = "failed" if gives_up else "pending"
    delay = min(
        settings.mail_retry_base_seconds * 2**claim.attempts, settings.mail_retry_max_seconds
    )
    with engine.begin() as conn:
        conn.execute(
            _ours(update(OUTBOX), claim).values(
                status=status,
                attempts=attempts,
                next_attempt_at=now + timedelta(seconds=delay),
                claimed_at=None,
                last_error=error[:MAX_ERROR_CHARS],
            )
        )
    return status


def mark_withdrawn(engine: Engine, claim: Claim, *, reason: str) -> bool:
    """The recipient is no longer entitled to the message: it is kept, never sent."""
    with engine.begin() as conn:
        result = conn.execute(
            _ours(update(OUTBOX), claim).values(
                status="withdrawn", claimed_at=None, last_error=reason[:MAX_ERROR_CHARS]
            )
        )
    return result.rowcount == 1


def checked_for_send(
    engine: Engine, claim: Claim, settings: Settings, clock: Clock = utc_now
) -> Claim | None:
    """The claim as it may be sent now, or None when it was withdrawn (see the module's
    docstring: the audience is checked at send time, digests are trimmed)."""
    with engine.begin() as conn:
        verdict = entitled(conn, claim.audience, claim.to_address)
    if not verdict.entitled:
        mark_withdrawn(engine, claim, reason=f"withdrawn at send time: {verdict.reason}")
        log.info("outbox #%d withdrawn: %s", claim.id, verdict.reason)
        return None
    if claim.subject is None:
        worded = _worded(engine, claim, settings, clock)
        if worded is None:
            return None
        claim = worded
    if claim.about_employer_id is not None:
        return _shielded_for_employer(engine, claim, settings)
    if claim.kind not in TRIMMED or claim.recipient_user_id is None or not claim.alert_ids:
        return claim
    return _trimmed(engine, claim, settings)


def _worded(engine: Engine, claim: Claim, settings: Settings, clock: Clock) -> Claim | None:
    """An alert e-mail a monitors run queued unworded, worded now from its alerts and its
    recipient as they stand (the words are kept on the row, as sent)."""
    from service.notifications.service import worded_alert_mail  # as for digests

    try:
        with Session(engine) as session:
            rendered = worded_alert_mail(session, claim, settings)
    except SQLAlchemyError:
        raise  # the database, not the message: the round fails and the claim is recovered
    except Exception as error:  # a message that cannot be worded must not stall the others
        log.exception("outbox #%d could not be worded", claim.id)
        error_text = f"not worded: {_describe(error)}"
        mark_failed(
            engine, claim, now=clock(), error=error_text, permanent=False, settings=settings
        )
        return None
    if rendered is None:
        reason = "withdrawn at send time: its alerts or its recipient are gone"
        mark_withdrawn(engine, claim, reason=reason)
        return None
    return _rewritten(engine, claim, rendered)


def _rewritten(
    engine: Engine, claim: Claim, rendered: Rendered, alert_ids: list[int] | None = None
) -> Claim | None:
    """The claim with its words replaced (and the alerts it lists, when given); None when
    the claim was taken over meanwhile."""
    values: dict[str, object] = {
        "subject": rendered.subject,
        "body_text": rendered.text,
        "body_html": rendered.html,
    }
    if alert_ids is not None:
        values["alert_ids"] = alert_ids
    with engine.begin() as conn:
        result = conn.execute(_ours(update(OUTBOX), claim).values(**values))
    if result.rowcount != 1:
        return None
    return Claim(**{**claim.__dict__, **values})


def _shielded_for_employer(engine: Engine, claim: Claim, settings: Settings) -> Claim | None:
    """A message for an employer, checked against the complainant shield as it leaves: a
    complaint notice rebuilt from the case as it stands (it may have been held for a week),
    and anything that would narrow down a complainant withdrawn (see
    service.employer_mail_at_send)."""
    from service.notifications.service import employer_mail_at_send  # as for digests

    with Session(engine) as session:
        found = employer_mail_at_send(
            session,
            kind=claim.kind,
            dedupe_key=claim.dedupe_key,
            employer_id=claim.about_employer_id or 0,
            texts=list(claim.texts),
            settings=settings,
            reference=load_reference(settings.data_dir),
        )
    if found.withdraw is not None:
        reason = f"withdrawn at send time: {found.withdraw}"
        mark_withdrawn(engine, claim, reason=reason)
        log.info("outbox #%d %s", claim.id, reason)
        return None
    if found.rendered is None:
        return claim
    return _rewritten(engine, claim, found.rendered)


# The inspectors' alert e-mails, checked against the alerts as they stand when they leave:
# the kind, what keeps an alert in it, and why one with none left is withdrawn.
TRIMMED = {
    "alert_digest": "no alert of the digest is in the recipient's scope",
    "alert_critical": "no alert of the e-mail was still open when it left",
}


def _trimmed(engine: Engine, claim: Claim, settings: Settings) -> Claim | None:
    # Late import: the notifications service reads the monitors' registry, which the
    # sender needs only for alert e-mails.
    from service.notifications.service import critical_at_send, digest_at_send

    with Session(engine) as session:
        if claim.kind == "alert_digest":
            found = digest_at_send(
                session,
                user_id=claim.recipient_user_id,
                dedupe_key=claim.dedupe_key,
                alert_ids=claim.alert_ids or [],
                settings=settings,
            )
        else:
            found = critical_at_send(
                session,
                user_id=claim.recipient_user_id,
                alert_ids=claim.alert_ids or [],
                settings=settings,
            )
    if found.empty:
        mark_withdrawn(engine, claim, reason=f"withdrawn at send time: {TRIMMED[claim.kind]}")
        return None
    if found.rendered is None:
        return claim
    return _rewritten(engine, claim, found.rendered, sorted(found.alert_ids))


def _ours(statement, claim: Claim):
    # claimed_at is the claim's token: after a recovery and a new claim by another
    # sender, it differs, and this sender's update matches nothing.
    return statement.where(
        OUTBOX.c.id == claim.id,
        OUTBOX.c.status == "sending",
        OUTBOX.c.claimed_at == claim.claimed_at,
    )


# --- SMTP -----------------------------------------------------------------------------------


def build_email(claim: Claim, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = claim.to_address
    subject, text, html = claim.texts
    message["Subject"] = subject
    # The same on every attempt: Date is the enqueue time, or the time a held message was
    # released (its enqueue time would date the complaint it is about), Message-ID fixed
    # at enqueue.
    message["Date"] = format_datetime(dated(claim))
    message["Message-ID"] = claim.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message["X-WageGuard-Kind"] = claim.kind
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def dated(claim: Claim) -> datetime:
    return max(_aware(claim.created_at), _aware(claim.not_before)).astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite reads a stored UTC time back without its zone.
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)


def smtp_client(settings: Settings) -> aiosmtplib.SMTP:
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=password,
        use_tls=settings.smtp_tls == "tls",
        # "none" means none: no opportunistic STARTTLS either.
        start_tls=settings.smtp_tls == "starttls",
        timeout=settings.smtp_timeout_seconds,
    )


def is_permanent(error: Exception) -> bool:
    """A 5xx refusal will not change on retry; a 4xx or a network problem may."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(refusal.code >= 500 for refusal in error.recipients)
    return isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500


class Connection:
    """One SMTP connection for a batch, opened on first use and after an error."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client: aiosmtplib.SMTP | None = None

    async def send(self, message: EmailMessage) -> None:
        if self.client is None or not self.client.is_connected:
            self.client = smtp_client(self.settings)
            try:
                await self.client.connect()
            except (aiosmtplib.SMTPException, OSError) as error:
                self.client = None
                raise ServerUnreachable(_describe(error)) from error
        try:
            await self.client.send_message(message)
        except BaseException:
            # Whatever state the conversation is in, the next message starts afresh.
            self.drop()
            raise

    def drop(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            client.close()

    async def close(self) -> None:
        if self.client is not None and self.client.is_connected:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.client.quit(), timeout=5)
        self.drop()


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".strip()


# --- the loop -------------------------------------------------------------------------------


def queue_filed(engine: Engine, settings: Settings) -> int:
    """The e-mails of complaints filed since the last round join the outbox first, so they
    leave in this round (service/notifications/filed.py)."""
    from service.notifications.filed import queue_filed_notices  # as for digests

    return queue_filed_notices(engine, settings=settings)


async def deliver_due(engine: Engine, settings: Settings, now: datetime) -> int:
    """Deliver one batch of due messages; returns how many were sent."""
    if await asyncio.to_thread(queue_filed, engine, settings):
        # What this round queued is due in it: the messages carry the instant they were
        # queued, later than a `now` read before the round began.
        now = max(now, utc_now())
    started = time.monotonic()

    def clock() -> datetime:
        # `now` moves on with the batch, so claims and retries stay on the caller's clock.
        return now + timedelta(seconds=time.monotonic() - started)

    await asyncio.to_thread(
        recover_expired, engine, now=now, lease_seconds=settings.mail_lease_seconds
    )
    claims = await asyncio.to_thread(claim_batch, engine, now=now, size=settings.mail_batch_size)
    if not claims:
        return 0
    connection = Connection(settings)
    sent = 0
    try:
        for index, claim in enumerate(claims):
            try:
                sent += await _deliver_one(engine, settings, connection, claim, clock)
            except ServerUnreachable as unreachable:
                # No use trying the others now: they wait for their next attempt too.
                for waiting in claims[index + 1 :]:
                    await asyncio.to_thread(
                        _record_failure, engine, settings, waiting, clock(), unreachable
                    )
                break
    finally:
        await connection.close()
    return sent


async def _deliver_one(
    engine: Engine, settings: Settings, connection: Connection, claim: Claim, clock: Clock
) -> int:
    claim = await asyncio.to_thread(renew_claim, engine, claim, now=clock())
    if claim is None:
        log.warning("outbox: a message's claim was taken over; left to its new sender")
        return 0
    claim = await asyncio.to_thread(checked_for_send, engine, claim, settings, clock)
    if claim is None:
        return 0
    try:
        async with asyncio.timeout(settings.mail_lease_seconds / 2):
            await connection.send(build_email(claim, settings))
    except ServerUnreachable as unreachable:
        await asyncio.to_thread(_record_failure, engine, settings, claim, clock(), unreachable)
        raise
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        await asyncio.to_thread(_record_failure, engine, settings, claim, clock(), error)
        return 0
    if not await asyncio.to_thread(mark_sent, engine, claim, now=clock()):
        log.error("outbox #%d was sent but its claim had been taken over", claim.id)
        return 0
    log.info("outbox #%d sent (%s, %s)", claim.id, claim.kind, claim.message_id)
    return 1


def _record_failure(
    engine: Engine, settings: Settings, claim: Claim, now: datetime, error: Exception
) -> None:
    status = mark_failed(
        engine,
        claim,
        now=now,
        error=_describe(error),
        permanent=is_permanent(error),
        settings=settings,
    )
    log.warning("outbox #%d not sent (now %s): %s", claim.id, status, _describe(error))


async def run_sender(engine: Engine, settings: Settings, stop_event: asyncio.Event) -> None:
    """Deliver due messages every poll interval until `stop_event` is set."""
    while not stop_event.is_set():
        try:
            await deliver_due(engine, settings, utc_now())
        except Exception:  # the loop outlives a database outage; the error is logged in full
            log.exception("outbox: delivery round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), timeout=settings.mail_poll_seconds)


async def _serve(engine: Engine, settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log.info(
        "outbox sender: SMTP %s:%d (tls %s), every %.1f s",
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_tls,
        settings.mail_poll_seconds,
    )
    await run_sender(engine, settings, stop)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m service.notifications.sender",
        description="Deliver the e-mail outbox (settings from WAGEGUARD_* variables).",
    )
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        asyncio.run(_serve(engine, settings))
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
