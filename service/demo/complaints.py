"""The demo's complaints: a year of unpaid-wage complaints spread unevenly over the counties
(more in the city districts and Longgang's shoe and garment towns), filed and routed through
the complaints service as a worker's form would be, then some mediated within the legal
period, some late, some withdrawn and some still open — so the overview has complaints
received, mediated in time, overdue and referred to legal aid to show.

Closing is written straight onto the case (as the import writes its data): the demo has no
committee member to sign the outcomes in. Everything derives from `seed` and `as_of`.
"""

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import select
from sqlmodel import Session, col

from monitors.reference import Reference
from service import data_version
from service.complaints.deadlines import arbitration_deadline
from service.complaints.form import ComplaintForm
from service.complaints.models import Complaint, ComplaintEvent
from service.complaints.service import file_complaint
from service.employers.models import Employer

# Complaints per county over the year (scale 1): uneven on purpose.
PER_COUNTY = {
    "330302": 9,
    "330383": 8,
    "330303": 6,
    "330382": 5,
    "330304": 4,
    "330381": 3,
    "330327": 3,
    "330305": 2,
    "330326": 1,
    "330328": 1,
}
# Filed after those above (so theirs stay as they were): the rural counties that had none or
# one, so every county's assessment has mediation to measure.
MORE_PER_COUNTY = {"330324": 3, "330329": 3, "330326": 2}
MAX_PER_COUNTY = 60  # a benchmark's scale adds complaints, up to this many per county
# Of the cases past their mediation period: mediated in time (agreement, failure),
# withdrawn, closed late, still open.
OUTCOME_SHARES = {
    "agreement": 0.45,
    "failure": 0.15,
    "withdrawal": 0.1,
    "late": 0.15,
    "open": 0.15,
}
RECEIVED_AT = time(2, 0)  # 10:00 in Wenzhou


def _employers(session: Session, county: str) -> list[Employer]:
    return list(
        session.scalars(
            select(Employer)
            .where(col(Employer.county_code) == county, col(Employer.town).is_not(None))
            .order_by(col(Employer.id))
        )
    )


def _month(day: date, back: int) -> str:
    index = day.year * 12 + day.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def create_demo_complaints(
    session: Session, *, reference: Reference, as_of: date, seed: int = 2026, scale: int = 1
) -> int:
    """File the demo's complaints (none twice: skipped when the demo already has some)."""
    if session.scalar(select(Complaint.id).limit(1)) is not None:
        return 0
    rng = np.random.default_rng(seed + 11)
    filed = 0
    for county, count in [*PER_COUNTY.items(), *MORE_PER_COUNTY.items()]:
        employers = _employers(session, county)
        if not employers:
            continue
        for _ in range(min(count * scale, MAX_PER_COUNTY)):
            employer = employers[int(rng.integers(len(employers)))]
            received_on = as_of - timedelta(days=int(rng.integers(1, 360)))
            months_owed = int(rng.integers(1, 4))
            form = ComplaintForm(
                employer_id=employer.id,
                county_code=county,
                town=employer.town or "",
                description="老板拖欠工资，多次催要仍未支付。",
                period_from=_month(received_on, months_owed),
                period_to=_month(received_on, 1),
                amount_owed=str(int(rng.integers(20, 200)) * 100),
                workers_affected=str(int(rng.integers(1, 4))),
                phone=f"1380000{int(rng.integers(10_000)):04d}",
                worker_name="",
            )
            received_at = datetime.combine(received_on, RECEIVED_AT, tzinfo=UTC)
            done = file_complaint(session, form=form, received_at=received_at, reference=reference)
            _settle(session, done.complaint_id, rng, as_of, reference)
            filed += 1
    session.flush()
    data_version.bump(session.connection())
    return filed


def _settle(
    session: Session,
    complaint_id: int,
    rng: np.random.Generator,
    as_of: date,
    reference: Reference,
) -> None:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None or complaint.mediation_due_on is None:
        return
    due = complaint.mediation_due_on
    if due >= as_of:
        return  # still inside its mediation period: left open
    choices = list(OUTCOME_SHARES)
    outcome = choices[int(rng.choice(len(choices), p=list(OUTCOME_SHARES.values())))]
    if outcome == "open":
        return
    span = max((due - complaint.received_on).days, 1)
    if outcome == "late":
        closed_on = min(due + timedelta(days=int(rng.integers(1, 20))), as_of)
        outcome = "agreement"
    else:
        closed_on = complaint.received_on + timedelta(days=int(rng.integers(1, span + 1)))
    accepted_on = complaint.received_on + timedelta(days=1)
    closed_at = datetime.combine(closed_on, RECEIVED_AT, tzinfo=UTC)
    complaint.status = "closed"
    complaint.accepted_at = datetime.combine(accepted_on, RECEIVED_AT, tzinfo=UTC)
    complaint.outcome, complaint.closed_on, complaint.closed_at = outcome, closed_on, closed_at
    if outcome == "agreement":
        complaint.outcome_amount_fen = complaint.amount_owed_fen
        complaint.payment_due_on = closed_on + timedelta(days=7)
    if outcome == "failure":
        complaint.arbitration_deadline = arbitration_deadline(
            complaint.received_on, reference=reference
        )
    session.add_all(
        [
            ComplaintEvent(complaint_id=complaint_id, kind="accepted", at=complaint.accepted_at),
            ComplaintEvent(complaint_id=complaint_id, kind="closed", at=closed_at, note=outcome),
        ]
    )
