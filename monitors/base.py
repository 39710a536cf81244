"""What a rule is: a small, self-describing, vectorised unit.

A rule reads frames of a Snapshot (the data as it stands, plus the as-of day, the reference
data and the working-day calendar) and returns only the violating rows: one row per alert
key with the evidence. No database, no clock, no loop per row.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TypeVar, cast

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from monitors.calendar import WorkCalendar
from monitors.reference import Reference


class Severity(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


# The columns of each snapshot frame and their dtypes: ids int64 (Int64 where optional),
# money integer fen, dates datetime64 (NaT = none), flags bool, text str (NA = none).
ID, OPTIONAL_ID, MONEY, DATE, FLAG, TEXT = "int64", "Int64", "Int64", "datetime64[s]", "bool", "str"
HOURS = "float64"  # hours worked may be fractional; NaN = not given
# Money that is never missing (the payroll's, NOT NULL in the schema): without a mask, so the
# rules read its millions of rows as held instead of copying them.
AMOUNT = "int64"
# The payroll's employer and worker ids in int32: its millions of rows at half the memory. A
# database whose ids outgrow int32 (two billion rows) stops the run with a clear error.
SMALL_ID = "int32"
# A payroll period ('YYYY-MM') as a category: a city's millions of rows hold a few dozen months
# (110 MB of text at L, 8 MB of codes), and rules parse each distinct month once.
PERIOD = "category"
SNAPSHOT_COLUMNS: dict[str, dict[str, str]] = {
    "employers": {
        "employer_id": ID,
        "uscc": TEXT,
        "name": TEXT,
        "industry_code": TEXT,
        "county_code": TEXT,
        "town": TEXT,
        "leased_premises": FLAG,
        "dishonesty_listed": FLAG,
        "real_name_management": FLAG,
        "dedicated_wage_account": FLAG,
        "service_office": FLAG,  # a migrant-population service office ("yes" on file)
        "liaison_name": TEXT,
    },
    "workers": {"worker_id": ID, "id_number": TEXT, "name": TEXT, "hukou_county_code": TEXT},
    "contracts": {
        "contract_id": ID,
        "employer_id": ID,
        "worker_id": ID,
        "start_date": DATE,
        "signed_date": DATE,
        "term_type": TEXT,
        "end_date": DATE,
        "employment_type": TEXT,
        "probation_end": DATE,
        "monthly_wage_fen": MONEY,
        "hourly_wage_fen": MONEY,
        "probation_wage_fen": MONEY,
        "pay_day": ID,
        "left_date": DATE,
        "project_id": OPTIONAL_ID,
    },
    "payroll": {
        "employer_id": SMALL_ID,
        "worker_id": SMALL_ID,
        "period": PERIOD,
        "amount_due_fen": AMOUNT,
        "amount_paid_fen": AMOUNT,
        "paid_date": DATE,
        "hours_worked": HOURS,
    },
    "projects": {
        "project_id": ID,
        "project_code": TEXT,
        "contractor_id": ID,
        "county_code": TEXT,
        "industry_code": TEXT,
        "contract_value_fen": MONEY,
        "contract_signed_date": DATE,
        "permit_date": DATE,
        "completion_date": DATE,
    },
    "deposit_events": {
        "employer_id": ID,
        "project_id": OPTIONAL_ID,
        "event": TEXT,
        "event_date": DATE,
        "amount_fen": MONEY,
        "reference": TEXT,
        "expiry_date": DATE,
    },
    "insurance": {
        "employer_id": ID,
        "worker_id": OPTIONAL_ID,
        "project_id": OPTIONAL_ID,
        "start_date": DATE,
        "end_date": DATE,
    },
    "committees": {
        "committee_id": ID,
        "code": TEXT,
        "kind": TEXT,
        "employer_id": OPTIONAL_ID,
        "county_code": TEXT,
        "town": TEXT,
    },
    # No identity fields and no tracking codes: alerts built from this may reach employers.
    "complaints": {
        "complaint_id": ID,
        "employer_id": OPTIONAL_ID,
        "kind": TEXT,
        "county_code": TEXT,
        "received_on": DATE,
        "status": TEXT,
        "mediation_due_on": DATE,
        "closed_on": DATE,
        "amount_owed_fen": MONEY,
        "workers_affected": ID,
    },
}


def typed_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A snapshot frame with exactly its declared columns and dtypes."""
    columns = SNAPSHOT_COLUMNS[name]
    out: dict[str, pd.Series] = {}
    for column, dtype in columns.items():
        values = frame[column] if column in frame else pd.Series(pd.NA, index=frame.index)
        if dtype == DATE:
            out[column] = pd.to_datetime(values, errors="coerce").astype(DATE)  # type: ignore[call-overload]
        elif dtype == FLAG:
            out[column] = values.fillna(False).astype(bool)
        elif dtype == TEXT:
            out[column] = values.astype(object).where(values.notna(), None).astype("str")
        elif dtype == SMALL_ID:
            out[column] = _small_ids(values, f"{name}.{column}")
        elif dtype == PERIOD:
            text = values.astype(object).where(values.notna(), None).astype("str")
            out[column] = text.astype("category")
        else:
            out[column] = pd.to_numeric(values).astype(dtype)  # type: ignore[call-overload]
    # One frame from all the columns: inserting them one by one costs more than converting a
    # few hundred rows (one employer's share); not copied again into one block per type.
    return pd.DataFrame(out, index=frame.index, copy=False)


def _small_ids(values: pd.Series, what: str) -> pd.Series:
    ids = pd.to_numeric(values)
    bounds = np.iinfo(np.int32)
    if len(ids) and not ids.between(bounds.min, bounds.max).all():
        raise ValueError(f"{what}: ids beyond the int32 the monitors hold them in")
    return ids.astype(np.int32)


def concat_frames(name: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Typed parts of snapshot frame `name` as one frame of the same types, joined a column at
    a time and each column's parts let go once joined: the parts and the whole sit side by side
    one column at a time, not all at once (a first read of L's payroll held both). `parts` is
    emptied. Categories are first made the same in every part (pandas would turn differing
    ones into text)."""
    pieces = {column: [part[column] for part in parts] for column in SNAPSHOT_COLUMNS[name]}
    parts.clear()
    whole = {}
    for column, dtype in SNAPSHOT_COLUMNS[name].items():
        whole[column] = _joined(pieces.pop(column), same_categories=dtype == PERIOD)
    return pd.DataFrame(whole, copy=False)


def _joined(pieces: list[pd.Series], *, same_categories: bool) -> pd.Series:
    if same_categories and len(pieces) > 1:
        categories = union_categoricals(pieces, sort_categories=True).categories
        pieces = [piece.cat.set_categories(categories) for piece in pieces]
    return pd.concat(pieces, ignore_index=True)


# What a rule returns: the alert key (employer, project, period) and the evidence.
FINDING_COLUMNS = (
    "employer_id",
    "project_id",
    "period",
    "subject_count",
    "amount_fen",
    "severity",
    "evidence",
)


T = TypeVar("T")


@dataclass
class Snapshot:
    """The data as of one day. Frames hold every row; rules decide what counts on `as_of`."""

    as_of: date
    reference: Reference
    calendar: WorkCalendar
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    # Values derived from the frames once and shared by the rules that need them; not copied by
    # dataclasses.replace, so a snapshot with other reference data computes its own.
    derived: dict[str, object] = field(default_factory=dict, init=False, repr=False)

    def has_rows(self, name: str) -> bool:
        return not self.frames[name].empty

    def derive(self, name: str, compute: Callable[[], T]) -> T:
        """`compute()` once per snapshot (the snapshot never changes): rules that need the same
        intermediate result (deposit positions, say) share it. Treat the value as read-only."""
        if name not in self.derived:
            self.derived[name] = compute()
        return cast(T, self.derived[name])

    def let_go(self, name: str) -> None:
        """No later step reads frame `name`: its memory goes back now, not with the snapshot.
        Reading it afterwards fails (AttributeError)."""
        self.frames.pop(name, None)

    def let_go_all(self) -> None:
        """No later step reads the snapshot: every frame and derived value goes back now."""
        self.frames.clear()
        self.derived.clear()

    def __getattr__(self, name: str) -> pd.DataFrame:
        frames: dict[str, pd.DataFrame] = self.__dict__.get("frames", {})
        if name in frames:
            return frames[name]
        raise AttributeError(name)

    @property
    def as_of_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_of)


SeverityOf = Severity | Callable[[pd.DataFrame, Snapshot], pd.Series]


@dataclass(frozen=True)
class Rule:
    id: str
    title_zh: str
    title_en: str
    # What to do next, shown with every alert of the rule.
    action_zh: str
    action_en: str
    severity: SeverityOf
    legal_basis: tuple[str, ...]  # parameter names in data/parameters.csv
    inputs: tuple[str, ...]
    evaluate: Callable[[Snapshot], pd.DataFrame]
    # A cheap test that is False only when the snapshot cannot hold a finding of the rule (no
    # project and no leased premises: no deposit owed). Checking one employer skips the rules
    # it does not concern instead of running them over empty frames; None: always run.
    applies: Callable[[Snapshot], bool] | None = None

    def concerns(self, snapshot: Snapshot) -> bool:
        return self.applies is None or self.applies(snapshot)

    @property
    def doc(self) -> str:
        return (self.evaluate.__doc__ or "").strip()
