"""Messages on a case, with what they cause: a worker's message e-mails the handlers (queued
in the caller's transaction); a handler's message goes to the worker's phone by SMS when the
worker left a mobile number and agreed (`complaint.sms_consent`), sent after the message is
committed, its outcome written on the message.

Also the inspectors' take-over of a case (立案), which tells the worker through the status
page and makes the inspectors hear of the worker's later messages.
"""

from datetime import datetime

from sqlmodel import Session

from service.auth.actors import Actor
from service.casework import inspection
from service.casework import messages as talk
from service.casework.models import CaseMessage, InspectionCase
from service.complaints.models import Complaint
from service.config import Settings
from service.i18n import translate
from service.notifications.case_talk import notify_case_message
from service.sms.senders import MAX_TEXT_CHARS, SmsNotSent, SmsSender, sms_sender
from service.stored import stored_id


def limits(settings: Settings) -> talk.Limits:
    return talk.Limits(
        max_chars=settings.case_message_max_chars,
        per_case_per_hour=settings.case_messages_per_case_per_hour,
        per_address_per_hour=settings.case_messages_per_address_per_hour,
    )


def sender_for(settings: Settings) -> SmsSender:
    return sms_sender(settings.sms_provider, sink_dir=settings.sms_sink_dir)


def worker_writes(
    session: Session, *, complaint_id: int, body: str, now: datetime, settings: Settings
) -> CaseMessage:
    """Store the worker's checked message and queue the handlers' e-mails."""
    message = talk.from_worker(session, complaint_id=complaint_id, body=body, now=now)
    taken_over = inspection.get_for_complaint(session, complaint_id) is not None
    notify_case_message(
        session, complaint_id, stored_id(message), inspectors=taken_over, settings=settings
    )
    return message


def handler_writes(
    session: Session, actor: Actor, complaint: Complaint, *, body: str, now: datetime
) -> CaseMessage:
    """Store a handler's checked message; `text_the_worker` sends it after the commit."""
    return talk.to_worker(session, actor, complaint, body=body, now=now)


def sms_text(complaint: Complaint, message: CaseMessage) -> str:
    """The SMS: who wrote (the handler's role), the text, and where to read the rest; cut to
    what one SMS chain may carry (service/sms/senders.py)."""
    language = complaint.language if complaint.language in ("zh-CN", "en") else "zh-CN"
    who = translate(language, f"talk.role.{message.author_role or 'inspector'}")
    head = translate(language, "talk.sms.head", who=who)
    tail = translate(language, "talk.sms.tail")
    room = MAX_TEXT_CHARS - len(head) - len(tail)
    body = message.body if len(message.body) <= room else message.body[: room - 1] + "…"
    return f"{head}{body}{tail}"


def text_the_worker(session: Session, message: CaseMessage, *, sender: SmsSender) -> str:
    """Send a committed handler's message by SMS if the worker agreed; returns and records
    the outcome: "sent", "no_consent", or the sender's reason (service.sms.senders)."""
    complaint = session.get(Complaint, message.complaint_id)
    if complaint is None or not complaint.sms_consent or not complaint.phone:
        status = "no_consent"
    else:
        try:
            sender.send(complaint.phone, sms_text(complaint, message))
            status = "sent"
        except SmsNotSent as refused:
            status = refused.code
    talk.record_sms(session, stored_id(message), status)
    return status


def take_over(
    session: Session, actor: Actor, complaint_id: int, reason: str, *, now: datetime | None = None
) -> InspectionCase:
    """An inspector opens an inspection case on a failed or overdue complaint."""
    return inspection.open_case(session, actor, complaint_id, reason, now=now)
