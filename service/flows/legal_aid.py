"""A worker applies for legal aid online: from a tracked complaint (prefilled from it, opened
by the complaint's code and PIN) or on its own (its own code and PIN, like a complaint). The
application goes to the legal-aid centre of the county where the matter arose (Legal Aid Law
Art. 38), whose staff are e-mailed; where the centre has no account yet, the county's
inspectors are, and they record the centre's decisions.

The e-mails are queued in the caller's transaction and say nothing about who applied.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from service.auth.models import User
from service.complaints.deadlines import local_date
from service.complaints.form import normalised
from service.complaints.messages import texts
from service.complaints.models import Complaint
from service.complaints.pins import new_pin, pin_digest, pin_matches
from service.complaints.tracking import (
    DECOY_DIGEST,
    TrackingLimits,
    TrackingRefused,
    claim_attempt,
    normalised_code,
    within_address_limit,
)
from service.config import Settings
from service.employers.models import Employer
from service.jurisdictions.models import Jurisdiction
from service.legal_aid import service as legal_aid
from service.legal_aid.models import LegalAidApplication
from service.legal_aid.reference import LegalAidReference
from service.legal_aid.service import ApplicationForm, amount_text
from service.notifications import contexts as c
from service.notifications import keys
from service.notifications.audience import Audience
from service.notifications.outbox import enqueue, is_deliverable

STAFF_APPLICATION = "/legal-aid/{id}"
# A complaint's kind as a legal-aid matter: the two Art. 42(3) names, anything else "other".
MATTER_OF_KIND = {"unpaid_wages": "unpaid_wages", "work_injury": "work_injury"}


@dataclass(frozen=True)
class Applied:
    """What the applicant is shown once, after the commit: a stand-alone application's code
    and PIN in clear (None for one made from a complaint, which keeps the complaint's)."""

    application_id: int
    centre_name_zh: str
    centre_name_en: str
    centre_phone: str
    tracking_code: str | None = None
    pin: str | None = field(default=None, repr=False)
    notified: int = 0


def prefilled(session: Session, complaint: Complaint) -> ApplicationForm:
    """The application as the complaint already tells it: the worker checks and completes it."""
    employer = session.get(Employer, complaint.employer_id) if complaint.employer_id else None
    return ApplicationForm(
        applicant_name=complaint.worker_name or "",
        phone=complaint.phone or "",
        county_code=complaint.county_code,
        matter=MATTER_OF_KIND.get(complaint.kind, "other"),
        amount=amount_text(complaint.amount_owed_fen) if complaint.amount_owed_fen else "",
        employer_text=employer.name if employer else (complaint.employer_text or ""),
        account=complaint.description,
        language=complaint.language,
    )


def apply(
    session: Session,
    *,
    form: ApplicationForm,
    received_at: datetime,
    reference: LegalAidReference,
    settings: Settings,
    complaint: Complaint | None = None,
) -> Applied:
    """Check, store and route an application, and queue the centre's e-mails. Invalid on a
    bad form; Conflict when the complaint already has an application."""
    checked = legal_aid.check_form(session, form, reference=reference)
    code = pin = None
    if complaint is None:
        code, pin = legal_aid.unused_tracking_code(session), new_pin()
    application = legal_aid.store(
        session,
        checked,
        received_at=received_at,
        received_on=local_date(received_at),
        complaint_id=complaint.id if complaint else None,
        tracking_code=code,
        pin_hash=pin_digest(tracking_code=code, pin=pin) if code and pin else None,
    )
    centre = reference.centre_for(application.county_code)
    return Applied(
        application_id=_id(application),
        centre_name_zh=centre.name_zh,
        centre_name_en=centre.name_en,
        centre_phone=centre.phone,
        tracking_code=code,
        pin=pin,
        notified=notify_centre(session, application, reference=reference, settings=settings),
    )


def _id(application: LegalAidApplication) -> int:
    assert application.id is not None  # flushed by store
    return application.id


def notify_centre(
    session: Session,
    application: LegalAidApplication,
    *,
    reference: LegalAidReference,
    settings: Settings,
) -> int:
    """E-mail the centre's accounts of the county, else its inspectors, and the centre's own
    address when data/legal_aid_centres.csv knows one."""
    county = application.county_code
    accounts = legal_aid.centre_accounts(session, county)
    users = accounts or legal_aid.county_users(session, county, role="inspector")
    centre = reference.centre_for(county)
    recipients: list[tuple[str, str, str, int | None]] = [
        (u.email, u.locale if u.locale in ("zh-CN", "en") else "zh-CN", u.display_name, u.id)
        for u in users
        if is_deliverable(u.email)
    ]
    if is_deliverable(centre.email) and centre.email.lower() not in {
        r[0].lower() for r in recipients
    }:
        recipients.append((centre.email, "zh-CN", centre.name_zh, None))
    place = session.get(Jurisdiction, county)
    matter = reference.matter(application.matter)
    queued = 0
    for address, language, name, user_id in recipients:
        zh = language == "zh-CN"
        context = c.LegalAidApplicationNew(
            recipient_name=name,
            centre_name=centre.name_zh if zh else centre.name_en,
            application_id=_id(application),
            matter=matter.name_zh if zh else matter.name_en,
            place=(place.name_zh if zh else place.name_en) if place else county,
            received_on=application.received_on,
            hardship_check_exempt=application.hardship_check_exempt,
            legal_basis=matter.legal_basis_zh if zh else matter.legal_basis_en,
            from_case=application.complaint_id is not None,
            centre_has_account=bool(accounts),
            url=settings.mail_base_url.rstrip("/") + STAFF_APPLICATION.format(id=application.id),
        )
        recipient_key = keys.user(user_id) if user_id else f"centre:{county}"
        message = enqueue(
            session,
            kind="legal_aid_application",
            dedupe_key=keys.legal_aid_application(_id(application), recipient_key),
            to_address=address,
            language=language,
            context=context,
            # Re-checked at send time: the account still active, at the address, covering
            # the county (a legal-aid user or an inspector).
            audience=Audience(user_id=user_id, place=county),
        )
        queued += int(message is not None)
    return queued


def recorded_by(session: Session, application: LegalAidApplication) -> User | None:
    return session.get(User, application.decided_by_id) if application.decided_by_id else None


# --- tracking a stand-alone application ---------------------------------------------------------


def take_attempt(
    session: Session,
    *,
    tracking_code: str,
    address: str,
    now: datetime,
    limits: TrackingLimits,
) -> int | None:
    """Count an attempt on a stand-alone application's code before its PIN is checked, with the
    same limits as a complaint's (service/complaints/tracking.py: the address's hourly count,
    shared with complaints, then a doubling delay per code). The caller commits at once.
    Returns the application's id, or None when the PIN will not be looked at."""
    code = normalised_code(tracking_code)
    if not within_address_limit(session, address=address, now=now, limits=limits):
        return None
    return claim_attempt(session, LegalAidApplication, code=code, now=now, limits=limits)


def opened(session: Session, application_id: int | None, pin: str) -> LegalAidApplication:
    """The application the counted attempt and PIN open; TrackingRefused otherwise, the same
    refusal as a complaint's. The right PIN clears the code's count."""
    application = session.get(LegalAidApplication, application_id) if application_id else None
    if application is None or application.tracking_code is None or not application.pin_hash:
        pin_matches(tracking_code="", pin=pin, stored=DECOY_DIGEST)
        raise TrackingRefused(texts("tracking.refused"))
    if not pin_matches(
        tracking_code=application.tracking_code,
        pin=normalised(pin[:64]),
        stored=application.pin_hash,
    ):
        raise TrackingRefused(texts("tracking.refused"))
    application.pin_failures, application.locked_until = 0, None
    session.flush()
    return application
