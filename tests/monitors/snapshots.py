"""Build a Snapshot from a few explicit rows, for rule tests without a database.

Every builder fills sensible, clean defaults; a test overrides only what it is about:

    snap = make_snapshot(
        date(2026, 11, 30),
        employers=[employer(employer_id=1)],
        workers=[worker(worker_id=1)],
        contracts=[contract(employer_id=1, worker_id=1, start_date="2026-01-05")],
    )
"""

from datetime import date
from typing import Any

import pandas as pd

from monitors.base import SNAPSHOT_COLUMNS, Snapshot, typed_frame
from monitors.calendar import default_calendar
from monitors.identifiers import id_number_check_char, uscc_check_char
from monitors.reference import load_reference

Row = dict[str, Any]


def make_uscc(n: int) -> str:
    body = f"91330302MA{n:07d}"
    return body + uscc_check_char(body)


def make_id_number(n: int) -> str:
    body = f"510122199001{n % 28 + 1:02d}{n % 1000:03d}"
    return body + id_number_check_char(body)


def employer(employer_id: int = 1, **overrides: Any) -> Row:
    return {
        "employer_id": employer_id,
        "uscc": make_uscc(employer_id),
        "name": f"用人单位{employer_id}",
        "industry_code": "1952",
        "county_code": "330302",
        "town": None,
        "leased_premises": False,
        "dishonesty_listed": False,
        "real_name_management": False,
        "dedicated_wage_account": False,
        "service_office": False,
        "liaison_name": None,
        **overrides,
    }


def worker(worker_id: int = 1, **overrides: Any) -> Row:
    return {
        "worker_id": worker_id,
        "id_number": make_id_number(worker_id),
        "name": f"工人{worker_id}",
        "hukou_county_code": "510122",
        **overrides,
    }


def contract(
    contract_id: int = 1, employer_id: int = 1, worker_id: int = 1, **overrides: Any
) -> Row:
    """A signed, open-ended, full-time contract without probation, paid on the 10th."""
    start = overrides.get("start_date", "2025-01-02")
    return {
        "contract_id": contract_id,
        "employer_id": employer_id,
        "worker_id": worker_id,
        "start_date": start,
        "signed_date": start,
        "term_type": "open_ended",
        "end_date": None,
        "employment_type": "full_time",
        "probation_end": None,
        "monthly_wage_fen": 600_000,
        "hourly_wage_fen": None,
        "probation_wage_fen": None,
        "pay_day": 10,
        "left_date": None,
        "project_id": None,
        **overrides,
    }


def payroll(
    employer_id: int = 1, worker_id: int = 1, period: str = "2026-10", **overrides: Any
) -> Row:
    """Paid in full on the 10th of the following month."""
    due = pd.Period(period, "M") + 1
    return {
        "employer_id": employer_id,
        "worker_id": worker_id,
        "period": period,
        "amount_due_fen": 600_000,
        "amount_paid_fen": 600_000,
        "paid_date": f"{due.strftime('%Y-%m')}-05",
        **overrides,
    }


def project(project_id: int = 1, contractor_id: int = 1, **overrides: Any) -> Row:
    return {
        "project_id": project_id,
        "project_code": f"P{project_id:04d}",
        "contractor_id": contractor_id,
        "county_code": "330304",
        "industry_code": "4710",
        "contract_value_fen": 2_000_000_000,
        "contract_signed_date": "2026-01-05",
        "permit_date": "2026-02-02",
        "completion_date": None,
        **overrides,
    }


def deposit_event(employer_id: int = 1, project_id: int | None = 1, **overrides: Any) -> Row:
    return {
        "employer_id": employer_id,
        "project_id": project_id,
        "event": "deposit",
        "event_date": "2026-02-10",
        "amount_fen": 60_000_000,
        "reference": "REF-1",
        "expiry_date": None,
        **overrides,
    }


def coverage(
    employer_id: int = 1, worker_id: int | None = 1, project_id: int | None = None, **overrides: Any
) -> Row:
    return {
        "employer_id": employer_id,
        "worker_id": worker_id,
        "project_id": project_id,
        "start_date": "2020-01-01",
        "end_date": None,
        **overrides,
    }


def committee(committee_id: int = 1, employer_id: int | None = 1, **overrides: Any) -> Row:
    return {
        "committee_id": committee_id,
        "code": f"MC{committee_id}",
        "kind": "enterprise",
        "employer_id": employer_id,
        "county_code": "330302",
        "town": None,
        **overrides,
    }


def make_snapshot(as_of: date, **rows: list[Row]) -> Snapshot:
    unknown = set(rows) - set(SNAPSHOT_COLUMNS)
    if unknown:
        raise ValueError(f"unknown snapshot frames: {sorted(unknown)}")
    frames = {
        name: typed_frame(name, pd.DataFrame(rows.get(name, []), columns=list(columns)))
        for name, columns in SNAPSHOT_COLUMNS.items()
    }
    return Snapshot(
        as_of=as_of, reference=load_reference(), calendar=default_calendar(), frames=frames
    )
