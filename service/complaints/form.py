"""The complaint form: what the worker typed, checked field by field.

Numbers and codes are read after NFKC normalisation, so full-width digits typed on a Chinese
phone keyboard (８５００) count as digits. Every problem is reported at once, each with its
message in Chinese and English.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from service import money
from service.bounds import CODE_MAX_CHARS, SEARCH_MAX_CHARS, record_id
from service.complaints.messages import Texts, texts
from service.complaints.models import COMPLAINT_KINDS
from service.employers.models import Employer
from service.errors import Invalid
from service.i18n import LANGUAGES
from service.jurisdictions.models import Jurisdiction
from service.jurisdictions.towns import matching_town
from service.projects.models import Project

EMPLOYER_TEXT_MAX_CHARS = 200
TOWN_MAX_CHARS = 60
DESCRIPTION_MAX_CHARS = 2000
WORKER_NAME_MAX_CHARS = 50
WORKERS_MIN, WORKERS_MAX = 1, 10_000
# A count has a few digits: int() of a 5,000-digit text is refused (or slow), never tried.
COUNT_MAX_DIGITS = 9
PERIOD = re.compile(r"(\d{4})-(\d{2})")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Mainland mobile numbers (11 digits from 13x to 19x, optionally +86) and landlines with
# their area code (0577-88888888 in Wenzhou).
MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})")
TRUE_WORDS = ("true", "on", "yes", "1")


@dataclass
class ComplaintForm:
    """The complaint as typed. Text fields hold what the worker entered; `employer_id` and
    `project_id` come from the search results the page offered."""

    description: str = ""
    county_code: str = ""
    employer_id: int | str | None = None
    employer_text: str = ""
    town: str = ""
    project_id: int | str | None = None
    period_from: str = ""
    period_to: str = ""
    amount_owed: str | int | Decimal = ""
    workers_affected: str | int = "1"
    phone: str = ""
    worker_name: str = ""
    disclose_identity: bool | str = False
    # The worker agrees to be told of the handlers' messages by SMS (needs a mobile number).
    sms_consent: bool | str = False
    kind: str = "unpaid_wages"
    language: str = "zh-CN"
    # The worker chose mediation by the employer's own committee (Law Art. 10: the parties
    # choose where to mediate).
    agrees_to_enterprise_mediation: bool | str = False
    # The page's searches, posted back with the form so it can show their results again.
    employer_q: str = ""
    project_q: str = ""


@dataclass(frozen=True)
class CheckedComplaint:
    """The form's values, typed and checked."""

    kind: str
    employer_id: int | None
    employer_text: str | None
    county_code: str
    town: str | None
    project_id: int | None
    period_from: str | None
    period_to: str | None
    amount_owed_fen: int
    workers_affected: int
    description: str
    phone: str | None
    worker_name: str | None
    disclose_identity: bool
    language: str
    agrees_to_enterprise_mediation: bool
    sms_consent: bool = False


def normalised(value: object) -> str:
    """Text as typed, NFKC-normalised (full-width digits → ASCII) and stripped; without NUL
    characters, which nobody types and PostgreSQL refuses in text."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).replace("\x00", "").strip()


def parse_fen(value: object) -> int | None:
    """CNY text ("8500", "12,600", "¥8,500.50 元", "８５００") → fen; None when not an amount ≥ 0
    with ≤ 2 decimals. The one parser of every money field: service/money.py."""
    return money.parse_fen(value)


def parse_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    text = normalised(value)
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def flag(value: object) -> bool:
    """A checkbox: only an explicit yes is yes, so "false" or "off" never discloses anything."""
    if isinstance(value, bool):
        return value
    return normalised(value).lower() in TRUE_WORDS


def parse_int(value: object) -> int | None:
    text = normalised(value)
    if not (text.isdigit() and text.isascii()) or len(text) > COUNT_MAX_DIGITS:
        return None
    return int(text)


def _period(value: object) -> str | bool | None:
    """'YYYY-MM' for a valid month, None when empty, False when malformed."""
    text = normalised(value).replace("/", "-")
    if not text:
        return None
    match = PERIOD.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return False
    return text


def normalised_phone(value: object) -> str | bool | None:
    """The number without spaces, +86 or dashes inside; None when empty, False if invalid."""
    text = re.sub(r"[\s()]", "", normalised(value))
    if not text:
        return None
    if match := MOBILE.fullmatch(text):
        return match.group(1)
    if match := LANDLINE.fullmatch(text):
        return f"{match.group(1)}-{match.group(2)}"
    return False


class _Checker:
    """Collects typed values and field errors for one form."""

    def __init__(self, session: Session, form: ComplaintForm, received_on: date) -> None:
        self.session, self.form, self.received_on = session, form, received_on
        self.errors: dict[str, Texts] = {}
        self.rows_read: list[object] = []  # the employer and county, read once (check_form)

    def error(self, field: str, key: str, **values: object) -> None:
        self.errors.setdefault(field, texts(key, **values))

    def text(self, field: str, limit: int, key: str) -> str | None:
        value = normalised(getattr(self.form, field))
        if len(value) > limit:
            self.error(field, key, limit=limit)
        return value or None

    def kind(self) -> str:
        kind = normalised(self.form.kind) or "unpaid_wages"
        if kind not in COMPLAINT_KINDS:
            self.error("kind", "kind.invalid")
        return kind

    def language(self) -> str:
        language = normalised(self.form.language) or "zh-CN"
        if language not in LANGUAGES:
            self.error("language", "language.invalid")
        return language

    def employer(self) -> tuple[int | None, str | None]:
        """The employer picked from the search, else the name as typed."""
        if raw_id := normalised(self.form.employer_id):
            employer_id = record_id(raw_id)
            employer = self.session.get(Employer, employer_id) if employer_id else None
            if employer is None:
                self.error("employer", "employer.unknown")
                return None, None
            self.rows_read.append(employer)
            return employer_id, None
        text = self.text("employer_text", EMPLOYER_TEXT_MAX_CHARS, "employer.too_long")
        if text is None:
            self.error("employer", "employer.required")
        return None, text

    def county(self) -> str:
        code = normalised(self.form.county_code)
        known = code and len(code) <= CODE_MAX_CHARS
        place = self.session.get(Jurisdiction, code) if known else None
        if place is None or place.level != "county":
            self.error("county_code", "county.invalid")
        else:
            self.rows_read.append(place)
        return code

    def town(self, county_code: str) -> str | None:
        """The town as typed or chosen, read as the county's town it names ("七都" → 七都街道)
        so that routing finds the town's committee; kept as typed when it names none."""
        text = self.text("town", TOWN_MAX_CHARS, "town.too_long")
        if text is None:
            return None
        return matching_town(self.session, county_code, text) or text

    def project(self, county_code: str) -> int | None:
        raw = normalised(self.form.project_id)
        if not raw:
            return None
        project_id = record_id(raw)
        found = project_id and self.session.scalar(
            select(Project.id).where(Project.id == project_id, Project.county_code == county_code)
        )
        if found is None:
            self.error("project_id", "project.invalid")
        return found

    def periods(self, kind: str) -> tuple[str | None, str | None]:
        first, last = _period(self.form.period_from), _period(self.form.period_to)
        for field, value in (("period_from", first), ("period_to", last)):
            if value is False:
                self.error(field, "period.invalid")
        # One month may be typed in either box.
        first = first if first is not None else last
        last = last if last is not None else first
        if first is None and kind == "unpaid_wages":
            self.error("period_from", "period.required")
        if not (isinstance(first, str) and isinstance(last, str)):
            return None, None
        if last < first:
            self.error("period_to", "period.order")
        if last > self.received_on.strftime("%Y-%m"):
            self.error("period_to", "period.future")
        return first, last

    def amount(self, kind: str) -> int:
        if not normalised(self.form.amount_owed):
            if kind == "unpaid_wages":
                self.error("amount_owed", "amount.required")
            return 0
        fen = parse_fen(self.form.amount_owed)
        if fen is None:
            self.error("amount_owed", "amount.invalid")
        return fen or 0

    def workers(self) -> int:
        count = parse_int(self.form.workers_affected)
        if count is None or not WORKERS_MIN <= count <= WORKERS_MAX:
            self.error("workers_affected", "workers.invalid", low=WORKERS_MIN, high=WORKERS_MAX)
            return WORKERS_MIN
        return count

    def description(self) -> str:
        text = self.text("description", DESCRIPTION_MAX_CHARS, "description.too_long")
        if text is None:
            self.error("description", "description.required")
        return text or ""

    def searches(self) -> None:
        """The search texts only come back to the page, but a longer one never reaches LIKE."""
        for field in ("employer_q", "project_q"):
            if len(normalised(getattr(self.form, field))) > SEARCH_MAX_CHARS:
                self.error(field, "search.too_long", limit=SEARCH_MAX_CHARS)

    def phone(self) -> str | None:
        phone = normalised_phone(self.form.phone)
        if phone is False:
            self.error("phone", "phone.invalid")
            return None
        return phone


def check_form(
    session: Session,
    form: ComplaintForm,
    *,
    received_on: date,
    rows_read: list[object] | None = None,
) -> CheckedComplaint:
    """The checked values, or Invalid({field: {"zh-CN": …, "en": …}}) listing every problem.

    The employer and county rows it reads are added to `rows_read`: the session's identity
    map holds rows weakly, so a caller that keeps them (the filing: routing, alerting and the
    e-mails read both) finds them there instead of reading them again."""
    check = _Checker(session, form, received_on)
    if rows_read is not None:
        check.rows_read = rows_read
    kind = check.kind()
    employer_id, employer_text = check.employer()
    county_code = check.county()
    period_from, period_to = check.periods(kind)
    check.searches()
    checked = CheckedComplaint(
        kind=kind,
        employer_id=employer_id,
        employer_text=employer_text,
        county_code=county_code,
        town=check.town(county_code),
        project_id=check.project(county_code),
        period_from=period_from,
        period_to=period_to,
        amount_owed_fen=check.amount(kind),
        workers_affected=check.workers(),
        description=check.description(),
        phone=(phone := check.phone()),
        worker_name=check.text("worker_name", WORKER_NAME_MAX_CHARS, "worker_name.too_long"),
        disclose_identity=flag(form.disclose_identity),
        language=check.language(),
        agrees_to_enterprise_mediation=flag(form.agrees_to_enterprise_mediation),
        sms_consent=flag(form.sms_consent) and bool(phone),
    )
    if check.errors:
        raise Invalid(check.errors)
    return checked
