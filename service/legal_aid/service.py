"""Legal-aid applications: checked, stored, read by the county's centre, decided.

Who reads an application (`readable`): a `legal_aid` user of its county (the centre's staff)
and the county's inspectors. Who records its status (`may_record`): the centre's own account;
an inspector of the county only where the centre has no active account (the application must
still reach a decision, Legal Aid Law Art. 43). Every status change is written to the audit
log and the application's timeline. An employer reads nothing here, ever.
"""

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, false, select, true
from sqlmodel import Session, col

from monitors.identifiers import is_valid_id_number, mask_id_number
from service.audit import service as audit
from service.auth.actors import Actor
from service.auth.models import User, UserScope
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.i18n import translate
from service.jurisdictions.models import Jurisdiction
from service.legal_aid.models import NEXT_STATUSES, LegalAidApplication, LegalAidEvent
from service.legal_aid.reference import MATTERS, LegalAidReference
from service.money import parse_fen, yuan

ROLE = "legal_aid"
READERS = (ROLE, "inspector")
# Stand-alone applications: "LA" and 10 characters without look-alikes, like a complaint's
# "WG" code, so the tracking form tells the two apart by the prefix alone.
CODE_PREFIX = "LA"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
NAME_MAX_CHARS = 50
EMPLOYER_MAX_CHARS = 200
ACCOUNT_MAX_CHARS = 2000
REASON_MAX_CHARS = 1000
MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})")
TRUE_WORDS = ("true", "on", "yes", "1")

Texts = dict[str, str]


@dataclass
class ApplicationForm:
    """The application as typed (or prefilled from the worker's complaint)."""

    applicant_name: str = ""
    phone: str = ""
    id_number: str = ""
    county_code: str = ""
    matter: str = ""
    amount: str = ""
    employer_text: str = ""
    account: str = ""
    # Asked only when the matter is not exempt from the hardship check (Art. 41, 42).
    hardship_statement: str = ""
    hardship_promise: str | bool = False
    language: str = "zh-CN"


@dataclass(frozen=True)
class CheckedApplication:
    applicant_name: str
    phone: str
    id_number: str
    county_code: str
    matter: str
    amount_fen: int
    employer_text: str
    account: str
    hardship_check_exempt: bool
    hardship_statement: str | None
    language: str


def normalised(text: str) -> str:
    """Full-width digits and letters typed on a Chinese phone keyboard read as ASCII."""
    return unicodedata.normalize("NFKC", text or "").strip()


def plain(text: str) -> str:
    """Free text as typed (full-width punctuation is Chinese, not noise), trimmed."""
    return (text or "").strip()


def _texts(key: str, **values: object) -> Texts:
    return {lang: translate(lang, f"legal_aid.error.{key}", **values) for lang in ("zh-CN", "en")}


def check_form(
    session: Session, form: ApplicationForm, *, reference: LegalAidReference
) -> CheckedApplication:
    """Every field checked at once; Invalid({field: {"zh-CN", "en"}}) naming each problem."""
    problems: dict[str, Texts] = {}
    name = plain(form.applicant_name)
    if not name:
        problems["applicant_name"] = _texts("name_required")
    elif len(name) > NAME_MAX_CHARS:
        problems["applicant_name"] = _texts("too_long", max=NAME_MAX_CHARS)
    phone = _phone(form.phone)
    if phone is None:
        problems["phone"] = _texts("phone")
    id_number = normalised(form.id_number).upper()
    if not is_valid_id_number(id_number):
        problems["id_number"] = _texts("id_number")
    county = normalised(form.county_code)
    known = session.scalar(
        select(col(Jurisdiction.code)).where(
            col(Jurisdiction.code) == county, col(Jurisdiction.level) == "county"
        )
    )
    if known is None:
        problems["county_code"] = _texts("county")
    matter = normalised(form.matter)
    if matter not in MATTERS:
        problems["matter"] = _texts("matter")
    amount_fen = _amount_fen(form.amount)
    if amount_fen is None:
        problems["amount"] = _texts("amount")
    employer = plain(form.employer_text)
    if len(employer) > EMPLOYER_MAX_CHARS:
        problems["employer_text"] = _texts("too_long", max=EMPLOYER_MAX_CHARS)
    account = plain(form.account)
    if not account:
        problems["account"] = _texts("account_required")
    elif len(account) > ACCOUNT_MAX_CHARS:
        problems["account"] = _texts("too_long", max=ACCOUNT_MAX_CHARS)
    exempt = matter in MATTERS and reference.matter(matter).hardship_check_exempt
    statement = plain(form.hardship_statement)
    if matter in MATTERS and not exempt:
        if not statement:
            problems["hardship_statement"] = _texts("hardship_required")
        elif len(statement) > ACCOUNT_MAX_CHARS:
            problems["hardship_statement"] = _texts("too_long", max=ACCOUNT_MAX_CHARS)
        if str(form.hardship_promise).lower() not in TRUE_WORDS:
            problems["hardship_promise"] = _texts("promise_required")
    if problems:
        raise Invalid(problems)
    assert phone is not None and amount_fen is not None  # no problem was found
    return CheckedApplication(
        applicant_name=name,
        phone=phone,
        id_number=id_number,
        county_code=county,
        matter=matter,
        amount_fen=amount_fen,
        employer_text=employer,
        account=account,
        hardship_check_exempt=exempt,
        # Never kept for an exempt matter: the centre must not check what the law exempts.
        hardship_statement=None if exempt else statement,
        language=form.language if form.language in ("zh-CN", "en") else "zh-CN",
    )


def _phone(text: str) -> str | None:
    value = normalised(text).replace(" ", "")
    if mobile := MOBILE.fullmatch(value):
        return mobile.group(1)
    if landline := LANDLINE.fullmatch(value):
        return f"{landline.group(1)}-{landline.group(2)}"
    return None


def _amount_fen(text: str) -> int | None:
    """The amount claimed, by the one money parser; left blank, nothing is claimed."""
    return parse_fen(text) if text.strip() else 0


def amount_text(amount_fen: int) -> str:
    """An amount as the form shows it again: yuan, two decimals only when there are fen."""
    return yuan(amount_fen, symbol=False, grouped=False, drop_zero_cents=True)


def new_tracking_code() -> str:
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def is_application_code(code: str) -> bool:
    """A stand-alone application's code (the caller has normalised it)."""
    return code.startswith(CODE_PREFIX)


def unused_tracking_code(session: Session) -> str:
    """A code no application has; the unique constraint backs this up."""
    while True:
        code = new_tracking_code()
        taken = session.scalar(
            select(col(LegalAidApplication.id)).where(
                col(LegalAidApplication.tracking_code) == code
            )
        )
        if taken is None:
            return code


def store(
    session: Session,
    checked: CheckedApplication,
    *,
    received_at: datetime,
    received_on: date,
    complaint_id: int | None = None,
    tracking_code: str | None = None,
    pin_hash: str | None = None,
) -> LegalAidApplication:
    """Add the application and its first timeline entry (flush only). A complaint has at most
    one application: a second is a Conflict."""
    if complaint_id is not None and for_complaint(session, complaint_id) is not None:
        raise Conflict(_texts("already_applied"))
    application = LegalAidApplication(
        complaint_id=complaint_id,
        tracking_code=tracking_code,
        pin_hash=pin_hash,
        county_code=checked.county_code,
        applicant_name=checked.applicant_name,
        phone=checked.phone,
        id_number=checked.id_number,
        matter=checked.matter,
        amount_fen=checked.amount_fen,
        employer_text=checked.employer_text,
        account=checked.account,
        hardship_check_exempt=checked.hardship_check_exempt,
        hardship_statement=checked.hardship_statement,
        language=checked.language,
        received_at=received_at,
        received_on=received_on,
        updated_at=received_at,
    )
    session.add(application)
    session.flush()
    session.add(LegalAidEvent(application_id=_id(application), status="received", at=received_at))
    session.flush()
    return application


def _id(application: LegalAidApplication) -> int:
    assert application.id is not None  # flushed
    return application.id


def for_complaint(session: Session, complaint_id: int) -> LegalAidApplication | None:
    return session.scalar(
        select(LegalAidApplication).where(col(LegalAidApplication.complaint_id) == complaint_id)
    )


def by_code(session: Session, tracking_code: str) -> LegalAidApplication | None:
    return session.scalar(
        select(LegalAidApplication).where(col(LegalAidApplication.tracking_code) == tracking_code)
    )


# --- the centre's side ----------------------------------------------------------------------


def readable(actor: Actor) -> ColumnElement[bool]:
    """The applications an actor may read: its county's, for a centre user or an inspector of
    the whole county (a town's inspector does not handle legal aid); none for anyone else."""
    if actor.role not in READERS or not actor.counties:
        return false()
    return col(LegalAidApplication.county_code).in_(sorted(actor.counties))


def centre_accounts(session: Session, county_code: str) -> list[User]:
    """The active `legal_aid` users whose scope holds the county (or the whole city)."""
    return county_users(session, county_code, role=ROLE)


def county_users(session: Session, county_code: str, *, role: str) -> list[User]:
    """Active users of a role whose scope holds the whole county (or the city): a town's
    inspector does not handle legal aid."""
    parent = session.scalar(
        select(col(Jurisdiction.parent_code)).where(col(Jurisdiction.code) == county_code)
    )
    places = [county_code, *([parent] if parent else [])]
    return list(
        session.scalars(
            select(User)
            .join(UserScope, col(UserScope.user_id) == col(User.id))
            .where(
                col(User.role) == role,
                col(User.is_active) == true(),
                col(UserScope.jurisdiction_code).in_(places),
            )
            .order_by(col(User.id))
            .distinct()
        )
    )


def list_for(session: Session, actor: Actor) -> list[LegalAidApplication]:
    return list(
        session.scalars(
            select(LegalAidApplication)
            .where(readable(actor))
            .order_by(col(LegalAidApplication.received_at).desc(), col(LegalAidApplication.id))
        )
    )


def get_readable(session: Session, actor: Actor, application_id: int) -> LegalAidApplication:
    """NotFound for an application outside the actor's county, so ids tell nothing."""
    application = session.scalar(
        select(LegalAidApplication).where(
            col(LegalAidApplication.id) == application_id, readable(actor)
        )
    )
    if application is None:
        raise NotFound("no such legal-aid application", message="onelang.error.no_application")
    return application


def may_record(session: Session, actor: Actor, application: LegalAidApplication) -> bool:
    """The centre records its decisions; the county's inspectors only where it has no account."""
    if actor.role == ROLE:
        return True
    return actor.role == "inspector" and not centre_accounts(session, application.county_code)


def record_status(
    session: Session,
    actor: Actor,
    application_id: int,
    *,
    status: str,
    refusal_reason: str = "",
    lawyer_name: str = "",
    now: datetime,
) -> LegalAidApplication:
    """Move an application to its next status, audited. NotFound outside the actor's county,
    Forbidden for an inspector where the centre has an account, Invalid for a bad form,
    Conflict for a status that cannot follow the present one."""
    application = get_readable(session, actor, application_id)
    if not may_record(session, actor, application):
        raise Forbidden(_texts("centre_records"))
    reason, lawyer = plain(refusal_reason), plain(lawyer_name)
    problems: dict[str, Texts] = {}
    if status not in NEXT_STATUSES:
        problems["status"] = _texts("status")
    if status == "refused" and not reason:
        problems["refusal_reason"] = _texts("reason_required")
    if len(reason) > REASON_MAX_CHARS:
        problems["refusal_reason"] = _texts("too_long", max=REASON_MAX_CHARS)
    if status == "lawyer_assigned" and not lawyer:
        problems["lawyer_name"] = _texts("lawyer_required")
    if len(lawyer) > NAME_MAX_CHARS:
        problems["lawyer_name"] = _texts("too_long", max=NAME_MAX_CHARS)
    if problems:
        raise Invalid(problems)
    if status not in NEXT_STATUSES[application.status]:
        raise Conflict(_texts("transition", current=application.status, status=status))
    before = {"status": application.status}
    application.status = status
    if status == "refused":
        application.refusal_reason = reason
    if status == "lawyer_assigned":
        application.lawyer_name = lawyer
    application.decided_by_id = actor.user_id
    application.updated_at = now
    session.add(
        LegalAidEvent(
            application_id=_id(application), status=status, at=now, actor_id=actor.user_id
        )
    )
    after = {"status": status}
    if status == "refused":
        after["refusal_reason"] = reason
    if status == "lawyer_assigned":
        after["lawyer_name"] = lawyer
    audit.record(
        session, actor, "status", "legal_aid_application", str(application.id),
        before=before, after=after,
    )  # fmt: skip
    session.flush()
    return application


def events(session: Session, application_id: int) -> list[LegalAidEvent]:
    return list(
        session.scalars(
            select(LegalAidEvent)
            .where(col(LegalAidEvent.application_id) == application_id)
            .order_by(col(LegalAidEvent.at), col(LegalAidEvent.id))
        )
    )


# --- what the worker sees -----------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerApplicationView:
    """The application as its applicant sees it: status, where it went, the next step."""

    tracking_code: str | None
    status: str
    matter: str
    received_on: date
    centre_name_zh: str
    centre_name_en: str
    centre_phone: str
    justice_bureau_zh: str
    justice_bureau_en: str
    refusal_reason: str | None
    lawyer_name: str | None
    id_number_masked: str
    hardship_check_exempt: bool
    events: tuple[tuple[datetime, str], ...]


def worker_view(
    session: Session, application: LegalAidApplication, *, reference: LegalAidReference
) -> WorkerApplicationView:
    centre = reference.centre_for(application.county_code)
    return WorkerApplicationView(
        tracking_code=application.tracking_code,
        status=application.status,
        matter=application.matter,
        received_on=application.received_on,
        centre_name_zh=centre.name_zh,
        centre_name_en=centre.name_en,
        centre_phone=centre.phone,
        justice_bureau_zh=centre.justice_bureau_zh,
        justice_bureau_en=centre.justice_bureau_en,
        refusal_reason=application.refusal_reason,
        lawyer_name=application.lawyer_name,
        id_number_masked=mask_id_number(application.id_number),
        hardship_check_exempt=application.hardship_check_exempt,
        events=tuple((e.at, e.status) for e in events(session, _id(application))),
    )
