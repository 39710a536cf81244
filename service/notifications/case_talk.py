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
    _case_facts,
    _committee,
    _committee_recipients,
    _complaint,
    _queue,
    _url,
    _user_recipient,
    place_code,
)
from service.notifications.subscriptions import followers

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
    queued = 0
    if committee is not None:
        for recipient in _committee_recipients(session, committee):
            context = c.CaseMessageNotice(
                recipient_name=recipient.name,
                case=_case_facts(session, complaint, recipient.language),
                url=_url(settings, MEDIATOR_CASE, reference=complaint.public_reference),
            )
            audience = Audience(user_id=recipient.user_id, committee_id=committee.id)
            key = dedupe_key(message_id, recipient.key)
            queued += _queue(session, KIND, key, recipient, context, audience)
    if committee is None or inspectors:
        place = place_code(complaint.county_code, complaint.town)
        for user, _min_severity in followers(
            session, county_code=complaint.county_code, town=complaint.town
        ):
            inspector = _user_recipient(user)
            if inspector is None:
                continue
            context = c.CaseMessageNotice(
                recipient_name=inspector.name,
                case=_case_facts(session, complaint, inspector.language),
                url=_url(settings, INSPECTOR_COMPLAINT, reference=complaint.public_reference),
            )
            audience = Audience(user_id=inspector.user_id, place=place)
            key = dedupe_key(message_id, inspector.key)
            queued += _queue(session, KIND, key, inspector, context, audience)
    return queued
