"""What an employer may learn about the complaints against it: the complainant shield.

With its own payroll an employer can match a complaint's months, amount or headcount to one
worker (an anonymous claim of ¥3,192.77 for 2026-08 matched exactly one payroll row), and a
description or an exact date often tells who wrote it. So, unless the worker agreed
(`disclose_identity`), the employer learns only:

- that a complaint about it exists, its status (received, in mediation, closed and how);
- who handles it (the mediation body, or the labour inspectors) and what to do;
- the ISO week it arrived, never the day (a day narrows it to who was off work or on a
  phone that day);
- a random reference (`Complaint.public_reference`), never the tracking code (the worker's
  key to the case) nor the sequential id (which counts the city's complaints).

With consent the worker agreed to be known, and the employer also reads what the complaint
says, as the form tells the worker (templates/worker/complaint.html): the name and phone,
the kind of complaint, the project, the months, the amount, the number of workers, the
description and the exact dates.

Alerts derived from complaints (the monitors' rules with a "complaints" input, e.g.
mediation.overdue, complaints.cluster) reach the employer through the same shield: the
finding, its title and legal basis; no amount, period, date, count or alert number. The
inspectors keep the full evidence. Every place an employer reads alerts — the obligations
page, its API twin and the employer's alert e-mail — goes through `alert_for_employer`.

Timing is identifying too: a notice that appears the hour a complaint is filed, or an
overdue alert the day after its deadline (receipt + 15 days), tells the day the worker
complained. So, unless the worker agreed, the employer is told at week granularity only: a
notice and a complaint-derived alert reach it (page, API, e-mail) from the Monday after the
week, in Wenzhou, in which the complaint arrived or the alert was first seen (`released_on`).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from monitors.registry import all_rules
from service import clock
from service.alerts.models import Alert
from service.complaints.models import Complaint
from service.complaints.schemas import CommitteeContact, EmployerNotice
from service.money import yuan

COMPLAINTS_INPUT = "complaints"


# --- weeks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    """An ISO week: the finest date an employer is told about a complaint."""

    year: int
    number: int
    monday: date

    @property
    def iso(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def label(self, language: str) -> str:
        if language == "en":
            return f"week of {self.monday.isoformat()}"
        return f"{self.year}年第{self.number}周"


def week_of(day: date) -> Week:
    year, number, weekday = day.isocalendar()
    return Week(year, number, day - timedelta(days=weekday - 1))


def released_on(day: date) -> date:
    """The Monday after the week of `day`: the first day the employer may learn of it."""
    return week_of(day).monday + timedelta(days=7)


def release_instant(day: date) -> datetime:
    """Midnight in Wenzhou starting `released_on(day)`, in UTC: when an e-mail may leave."""
    midnight = datetime.combine(released_on(day), time.min, tzinfo=clock.local_zone())
    return midnight.astimezone(UTC)


def notice_released(complaint: Complaint, *, today: date) -> bool:
    """Whether the employer may learn of the complaint on `today` (at once with consent)."""
    return complaint.disclose_identity or today >= released_on(complaint.received_on)


def alert_released(alert: Alert, *, today: date) -> bool:
    """Whether the employer may see the alert on `today`: complaint-derived ones from the
    Monday after the week they were first seen."""
    return not is_complaint_derived(alert.rule) or today >= released_on(alert.first_seen)


# --- complaint notices ----------------------------------------------------------------------


def employer_notice(
    complaint: Complaint,
    *,
    committee_name: str | None,
    project_code: str | None,
    committee_contact: CommitteeContact | None = None,
) -> EmployerNotice:
    """The notice of one complaint as its employer may read it."""
    week = week_of(complaint.received_on)
    shielded = EmployerNotice(
        reference=complaint.public_reference,
        received_week=week.iso,
        received_week_of=week.monday,
        status=complaint.status,
        outcome=complaint.outcome,
        committee_name=committee_name,
        committee_contact=committee_contact,
        identity_disclosed=complaint.disclose_identity,
    )
    if not complaint.disclose_identity:
        return shielded
    return shielded.model_copy(
        update={
            "kind": complaint.kind,
            "received_on": complaint.received_on,
            "mediation_due_on": complaint.mediation_due_on,
            "project_code": project_code,
            "period_from": complaint.period_from,
            "period_to": complaint.period_to,
            "amount_owed_fen": complaint.amount_owed_fen,
            "workers_affected": complaint.workers_affected,
            "worker_name": complaint.worker_name,
            "phone": complaint.phone,
            "description": complaint.description,
        }
    )


# --- alerts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmployerAlertFacts:
    """The figures of an alert an employer may read; None where the shield withholds them."""

    alert_id: int | None
    project_code: str | None
    period: str | None
    subject_count: int | None
    amount_fen: int | None
    first_seen: date | None


def is_complaint_derived(rule_id: str) -> bool:
    """Whether the rule reads complaints: its figures could point at a complainant. A rule
    no longer registered counts as derived (withheld rather than leaked)."""
    rule = all_rules().get(rule_id)
    return rule is None or COMPLAINTS_INPUT in rule.inputs


def alert_for_employer(alert: Alert) -> EmployerAlertFacts:
    """The alert's figures as its employer may read them: all of them for alerts about its
    own records; for complaint-derived alerts only that the finding holds (no amount, no
    period or first-seen date, no count, and no alert number, which dates it among others)."""
    if is_complaint_derived(alert.rule):
        return EmployerAlertFacts(None, None, None, None, None, None)
    return EmployerAlertFacts(
        alert_id=alert.id,
        project_code=alert.project_code or None,
        period=alert.period or None,
        subject_count=alert.subject_count,
        amount_fen=alert.amount_fen,
        first_seen=alert.first_seen,
    )


# --- a last look at what leaves -------------------------------------------------------------

# Shorter fragments of the worker's own words could occur by chance in any text.
DESCRIPTION_FRAGMENT_CHARS = 12


def shield_leaks(
    complaint: Complaint,
    texts: list[str],
    *,
    identity_only: bool = False,
    known: tuple[str, ...] | list[str] = (),
) -> list[str]:
    """The facts of an undisclosed complaint that `texts` (an e-mail's subject and bodies)
    give away: field names only, never the values. Empty when the worker agreed to be known.

    A last check on what leaves for an employer, after the message was built: a notice held
    until the week is over is re-checked when it is released. `identity_only` looks only for
    what names the worker (name, phone, tracking code, the worker's own words): for messages
    about the employer's own records, whose months and amounts are its own payroll's.
    A value found in `known` (what the recipient knows already, e.g. its own name) is no
    leak: a worker may share a name with the company's boss."""
    if complaint.disclose_identity:
        return []
    compact = _compact("\n".join(texts))
    knew = _compact("\n".join(known))
    found = []
    for field, values in _identifying(complaint, identity_only).items():
        searched = [_compact(value) for value in values if value]
        if any(value in compact and value not in knew for value in searched):
            found.append(field)
    return found


def _compact(text: str) -> str:
    """Without white space: a line break or a space must not hide a value."""
    return "".join(text.split())


def _identifying(complaint: Complaint, identity_only: bool) -> dict[str, list[str]]:
    words = "".join((complaint.description or "").split())
    fragments = [
        words[start : start + DESCRIPTION_FRAGMENT_CHARS]
        for start in range(len(words) - DESCRIPTION_FRAGMENT_CHARS + 1)
    ]
    facts: dict[str, list[str]] = {
        "worker_name": [complaint.worker_name or ""],
        "phone": [complaint.phone or ""],
        "tracking_code": [complaint.tracking_code],
        "description": fragments,
    }
    if identity_only:
        return facts
    amount = complaint.amount_owed_fen
    facts["amount"] = (
        [yuan(amount), yuan(amount, symbol=False), yuan(amount, symbol=False, grouped=False)]
        if amount
        else []
    )
    facts["months"] = [
        form
        for period in {complaint.period_from, complaint.period_to}
        if period
        for form in _month_forms(period)
    ]
    received = complaint.received_on
    if received != week_of(received).monday:  # the week's Monday is what the employer is told
        facts["received_day"] = [
            received.isoformat(),
            f"{received.month}月{received.day}日",
            received.strftime("%d %b"),
        ]
    count = complaint.workers_affected
    facts["workers_affected"] = [f"{count}人", f"{count}名", f"{count} worker"]
    return facts


def _month_forms(period: str) -> list[str]:
    year, _, month = period.partition("-")
    if not month.isdigit():
        return [period]
    return [period, f"{year}年{int(month)}月", f"{year}年{month}月", f"{year}/{month}"]
