"""What the handlers' case pages share about messages and inspection cases (no routes here:
the mediator's and the inspectors' routers call these, each with its own role and scope).

A handler's message is checked, counted per case (each may become an SMS), committed, then
sent to the worker's phone if the worker agreed; the SMS outcome is written on the message.
"""

from datetime import datetime

from fastapi import Request
from sqlmodel import Session

from service import clock
from service.auth.actors import Actor
from service.casework import inspection
from service.casework import messages as talk
from service.flows import case_talk
from service.i18n import LANGUAGES, translate


def handler_context(request: Request, session: Session, actor: Actor, complaint_id: int) -> dict:
    """The case's messages and inspection case for a handler's page."""
    return {
        "messages": talk.for_handler(session, actor, complaint_id),
        "inspection": inspection.for_handler(session, actor, complaint_id),
        "message_max": request.app.state.settings.case_message_max_chars,
    }


def refusal_texts(error: talk.MessageRefused | talk.MessagesLimited) -> dict[str, str]:
    """The refusal in both languages, as field errors travel ({language: text})."""
    values = error.values if isinstance(error, talk.MessageRefused) else {}
    return {
        language: translate(language, f"talk.error.{error.code}", **values)
        for language in LANGUAGES
    }


def send_to_worker(
    request: Request, session: Session, actor: Actor, complaint_id: int, body: str
) -> str:
    """Check, count, store and text a handler's message; raises NotFound / Forbidden (scope),
    MessageRefused (422) or MessagesLimited (429, the count committed). Returns the SMS
    outcome."""
    settings = request.app.state.settings
    now: datetime = clock.utc_now()
    complaint = talk.handled_complaint(session, actor, complaint_id)
    limits = case_talk.limits(settings)
    text = talk.checked_body(body, limits)
    try:
        talk.take_handler_slot(session, complaint_id=complaint_id, limits=limits, now=now)
    finally:
        session.commit()  # the count stands, refused or not
    message = case_talk.handler_writes(session, actor, complaint, body=text, now=now)
    session.commit()  # stored before anything leaves the machine
    status = case_talk.text_the_worker(session, message, sender=case_talk.sender_for(settings))
    session.commit()
    return status
