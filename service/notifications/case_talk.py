"""The e-mail a worker's message on a case causes: its handlers are told to read it.

As for a new complaint (notifications.service.notify_case_new): the mediators of the committee
the case was routed to, and its contact address; and the inspectors following the case's place
when no committee holds the case or the inspectors took it over. The e-mail names the case by
its public reference and says a message came, never what it says: the text is typed by an
anonymous person and is read in the portal, signed in.
"""

from sqlmodel import Session

from service.config import Settings, get_settings
from service.notifications import contexts as c
from service.notifications.audience import Audience
from service.notifications.service import (
    INSPECTOR_COMPLAINT,
    MEDIATOR_CASE,
    Recipient,
    _case_facts,
    _committee,
    _committee_addressees,
    _complaint,
    _place_inspector_addressees,
    _queue,
    _url,
)

KIND = "case_message"


def dedupe_key(message_id: int, recipient: str) -> str:
    return f"case_message:{message_id}:{recipient}"


def notify_case_message(
    session: Session,
    complaint_id: int,
    message_id: int,
    *,
    inspectors: bool = False,
    settings: Settings | None = None,
) -> int:
    """Queue the notices of the worker's message `message_id`; returns how many. `inspectors`:
    the inspectors handle the case (taken over), so they are told although a committee holds
    it."""
    settings = settings or get_settings()
    complaint = _complaint(session, complaint_id)
    committee = _committee(session, complaint)
    addressees: list[tuple[Recipient, Audience, str]] = []
    if committee is not None:
        mediators = _committee_addressees(session, committee)
        addressees += [(recipient, audience, MEDIATOR_CASE) for recipient, audience in mediators]
    if committee is None or inspectors:
        followers = _place_inspector_addressees(session, complaint)
        addressees += [(user, audience, INSPECTOR_COMPLAINT) for user, audience in followers]
    queued = 0
    for recipient, audience, case_page in addressees:
        context = c.CaseMessageNotice(
            recipient_name=recipient.name,
            case=_case_facts(session, complaint, recipient.language),
            url=_url(settings, case_page, reference=complaint.public_reference),
        )
        key = dedupe_key(message_id, recipient.key)
        queued += _queue(session, KIND, key, recipient, context, audience)
    return queued
