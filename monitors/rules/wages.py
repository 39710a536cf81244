"""Wage rules: wages not paid in full, not reported at all, or below the minimum wage.

Built for millions of payroll rows: a 'YYYY-MM' period becomes an integer month (months since
1970-01) once per distinct value, dates become integer day numbers (days since 1970-01-01), and
(employer, worker) pairs become dense integer codes, so every join below is array arithmetic,
`np.searchsorted` or a bitmap — never a string operation or a Python loop per row.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from monitors import dates
from monitors.base import Severity, Snapshot
from monitors.calendar import WorkCalendar
from monitors.declare import rule
from monitors.employment import id_array, pair_numbers
from monitors.evidence import MAX_LISTED_WORKERS, affected_workers, evidence_records, iso

KEY = ["employer_id", "month"]
# The data contract: "a day past the month's end means its last day"; 31 is past every end.
LAST_DAY_OF_MONTH = 31
# A stand-in for a missing date in day-number arithmetic.
NO_DAY_AFTER = np.iinfo(np.int64).max // 4
NO_MONTH = np.iinfo(np.int64).max // 4  # a period that is not 'YYYY-MM': never due, never ended
_INT32_MAX = np.iinfo(np.int32).max
_CONTRACT_COLUMNS = [
    "employer_id", "worker_id", "start_date", "left_date", "pay_day", "employment_type",
    "monthly_wage_fen", "hourly_wage_fen",
]  # fmt: skip
# Payroll runs (a worker's months at one employer) marked at a time in wages.unreported's
# bitmap: about a million rows.
_RUNS_PER_STEP = 100_000
# Pairs whose running report counts wages.unreported sums at a time.
_PAIRS_PER_STEP = 100_000
_PART_TIME_PAYROLL_COLUMNS = [
    "employer_id",
    "worker_id",
    "period",
    "amount_due_fen",
    "hours_worked",
]
_EPOCH_MONTH = np.datetime64("1970-01", "M")


@dataclass(frozen=True)
class AsOf:
    """Day D as a day number and a month number."""

    day: int
    month: int

    @classmethod
    def of(cls, snapshot: Snapshot) -> "AsOf":
        day = np.datetime64(snapshot.as_of, "D")
        return cls(int(day.astype(np.int64)), int(day.astype("datetime64[M]").astype(np.int64)))

    @property
    def last_month_due(self) -> int:
        """The latest period whose wages can be due by D. A period's pay day lies in the next
        month, or in the period itself when it is brought forward before a holiday (pay day 1
        February 2025 → Monday 27 January), so no period after D's month can be due."""
        return self.month

    @property
    def last_closed_month(self) -> int:
        """The latest period that has ended before D."""
        return self.month - 1


# --- integer dates, months and pairs --------------------------------------------------------------


def _days(values: pd.Series, missing: int) -> np.ndarray:
    """Dates as day numbers; a missing date becomes `missing`."""
    days = np.asarray(values.to_numpy()).astype("datetime64[D]")
    return np.where(np.isnat(days), missing, days.astype(np.int64))


def _month_of_day(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _first_day(months: np.ndarray) -> np.ndarray:
    return (_EPOCH_MONTH + months).astype("datetime64[D]").astype(np.int64)


def _last_day(months: np.ndarray) -> np.ndarray:
    return _first_day(months + 1) - 1


def _period_codes(periods: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, month number per code): 'YYYY-MM' is parsed once per distinct period.
    A category's own codes are taken as they are (factorising the payroll's made an int64
    per row: 61 MB at L)."""
    if isinstance(periods.dtype, pd.CategoricalDtype):
        codes, distinct = periods.cat.codes.to_numpy(), periods.cat.categories
    else:
        codes, distinct = pd.factorize(periods)
    parsed = pd.to_datetime(pd.Series(distinct, dtype=object), format="%Y-%m", errors="coerce")
    months = (parsed.dt.year - 1970) * 12 + parsed.dt.month - 1
    return codes, np.where(parsed.isna(), NO_MONTH, months.fillna(0).astype(np.int64))


def _months(periods: pd.Series) -> np.ndarray:
    return _month_per_row(*_period_codes(periods))


def _month_per_row(codes: np.ndarray, months: np.ndarray) -> np.ndarray:
    return np.append(months, NO_MONTH)[codes]  # code -1 (missing period) → NO_MONTH


def _payroll_period_codes(snapshot: Snapshot) -> tuple[np.ndarray, np.ndarray]:
    """`_period_codes` of the whole payroll, parsed once for the rules that read every row
    (millions of texts hashed once, not three times); the codes as small as they come (a
    category's own int8 at L, not a copy in a wider type)."""

    def parse() -> tuple[np.ndarray, np.ndarray]:
        codes, months = _period_codes(snapshot.payroll["period"])
        if codes.dtype.itemsize > 2 and len(months) <= np.iinfo(np.int16).max:
            codes = codes.astype(np.int16)
        return codes, months

    return snapshot.derive("wages.payroll_period_codes", parse)


def _payroll_up_to(snapshot: Snapshot, last_month: int) -> np.ndarray:
    """Per payroll row: whether its period is `last_month` or earlier. Judged once per distinct
    period; a month number per row would be an int64 array of the payroll's length."""
    codes, months = _payroll_period_codes(snapshot)
    return np.append(months <= last_month, False)[codes]  # code -1: no period, never due


def _period_text(months: np.ndarray) -> np.ndarray:
    distinct, inverse = np.unique(months, return_inverse=True)
    text = np.array([f"{m // 12 + 1970:04d}-{m % 12 + 1:02d}" for m in distinct.tolist()])
    return text[inverse] if len(months) else np.array([], dtype=str)


def _money(values: pd.Series) -> np.ndarray:
    """Amounts in fen as int64, a missing one 0; a column that cannot be missing (the
    payroll's) is read as held, not copied."""
    if values.dtype == np.int64:
        return values.to_numpy()
    return values.to_numpy(dtype=np.int64, na_value=0)


def _pair_codes(contracts: pd.DataFrame, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes 0..n-1 of the contracts' (employer, worker) pairs, and the same code (int32)
    for each of `rows` (-1 when that pair has no contract)."""
    contract_codes, runs = _pair_runs(contracts, rows)
    return contract_codes, _per_row(runs.codes, runs.starts, len(rows))


@dataclass(frozen=True)
class _Runs:
    """Rows in runs of one (employer, worker) pair: where each run starts and its pair's code."""

    starts: np.ndarray
    codes: np.ndarray


def _pair_runs(contracts: pd.DataFrame, rows: pd.DataFrame) -> tuple[np.ndarray, _Runs]:
    """`_pair_codes` with the rows' codes per run. The payroll holds a worker's months one
    after another (7.7 M rows, 0.76 M runs at L): only the first row of each run is numbered
    and looked up, so no number per row is made here."""
    employers, workers = _ids(rows, "employer_id"), _ids(rows, "worker_id")
    starts = _run_starts(employers, workers)
    contract_pairs, start_pairs = pair_numbers(
        (_ids(contracts, "employer_id"), employers[starts]),
        (_ids(contracts, "worker_id"), workers[starts]),
    )
    contract_codes, distinct = pd.factorize(contract_pairs)
    found = pd.Index(distinct).get_indexer(pd.Index(start_pairs)).astype(np.int32)
    return contract_codes, _Runs(starts, found)


def _run_starts(*columns: np.ndarray) -> np.ndarray:
    """Positions where a run of rows equal in every column begins."""
    changed = np.zeros(len(columns[0]), dtype=bool)
    changed[:1] = True
    for column in columns:
        changed[1:] |= column[1:] != column[:-1]
    return np.flatnonzero(changed)


def _per_row(values: np.ndarray, starts: np.ndarray, n_rows: int) -> np.ndarray:
    """Each run's value (at `starts`) repeated over the run's rows."""
    return np.repeat(values, np.diff(np.append(starts, n_rows)))


def _ids(frame: pd.DataFrame, column: str) -> np.ndarray:
    return id_array(frame[column])


# --- contracts, pay days and due dates ------------------------------------------------------------


def _contracts_as_of(snapshot: Snapshot) -> pd.DataFrame:
    """Contracts that had started by D (a contract dated after D does not exist yet), with (at
    least) the columns the wage rules read; worked out once for the three rules."""

    def compute() -> pd.DataFrame:
        contracts = snapshot.contracts
        started = _days(contracts["start_date"], NO_DAY_AFTER) <= AsOf.of(snapshot).day
        if started.all():  # the usual case: a city's contracts are not copied
            return contracts
        return contracts.loc[started, _CONTRACT_COLUMNS]

    return snapshot.derive("wages.contracts_as_of", compute)


def _in_force(
    contract_pairs: np.ndarray, starts: np.ndarray, row_pairs: np.ndarray, row_days: np.ndarray
) -> np.ndarray:
    """Position of each row's contract in force on its day: the same pair's contract with the
    latest start_date on or before that day; -1 where there is none."""
    if len(starts) == 0:
        return np.full(len(row_pairs), -1)
    low, width = starts.min(), starts.max() - starts.min() + 1
    order = np.lexsort((starts, contract_pairs))
    sorted_pairs = contract_pairs[order]
    sorted_keys = sorted_pairs * width + (starts[order] - low)
    # A day before every start sorts before the pair's first contract, after every start last.
    asked = row_pairs * width + np.clip(row_days - low, -1, width - 1)
    found = np.maximum(np.searchsorted(sorted_keys, asked, side="right") - 1, 0)
    hit = (row_pairs >= 0) & (sorted_pairs[found] == row_pairs) & (sorted_keys[found] <= asked)
    return np.where(hit, order[found], -1)


def _contract_of_rows(rows: pd.DataFrame, contracts: pd.DataFrame) -> np.ndarray:
    """For rows with employer_id, worker_id and month: position in `contracts` of the contract
    in force in that month (latest start_date on or before the month's last day), or -1."""
    contract_pairs, row_pairs = _pair_codes(contracts, rows)
    starts = _days(contracts["start_date"], NO_DAY_AFTER)
    return _in_force(contract_pairs, starts, row_pairs, _last_day(rows["month"].to_numpy()))


def _usual_pay_days(contracts: pd.DataFrame) -> pd.Series:
    """Each employer's most common pay day. On a tie the later day: no alert may fire before
    every candidate date has passed."""
    counts = contracts.groupby(["employer_id", "pay_day"]).size().rename("n").reset_index()
    usual = counts.sort_values(["employer_id", "n", "pay_day"]).drop_duplicates(
        "employer_id", keep="last"
    )
    return usual.set_index("employer_id")["pay_day"]


def _pay_days(rows: pd.DataFrame, contracts: pd.DataFrame, position: np.ndarray) -> np.ndarray:
    """The pay day that governs each row: that of the worker's contract in force in the month
    (at `position`); without one, the employer's most common pay day; without any contract, the
    last day of the month (the latest date that still pays monthly, Labour Law Art. 50)."""
    found = position >= 0
    pay_days = np.full(len(rows), LAST_DAY_OF_MONTH, dtype=np.int64)
    pay_days[found] = contracts["pay_day"].to_numpy(dtype=np.int64)[position[found]]
    if not found.all():
        usual = rows["employer_id"].map(_usual_pay_days(contracts)).fillna(LAST_DAY_OF_MONTH)
        pay_days[~found] = usual.to_numpy(dtype=np.int64)[~found]
    return np.clip(pay_days, 1, LAST_DAY_OF_MONTH)


def _left_days(contracts: pd.DataFrame, position: np.ndarray) -> np.ndarray:
    """The last day of work of the contract at each position; NO_DAY_AFTER where the relation
    has not ended or there is no contract."""
    lefts = np.append(_days(contracts["left_date"], NO_DAY_AFTER), NO_DAY_AFTER)
    return lefts[position]  # position -1 (no contract) selects the appended NO_DAY_AFTER


def _due_days(months: np.ndarray, pay_days: np.ndarray, calendar: WorkCalendar) -> np.ndarray:
    """Due day of each (period, pay day): wage_due_dates (the pay day of the next month, brought
    forward to a working day, Decree 724 Art. 14) is evaluated once per distinct period and
    day of the month, then looked up."""
    if len(months) == 0:
        return np.empty(0, dtype=np.int64)
    distinct = np.unique(months)
    every_day = np.arange(1, LAST_DAY_OF_MONTH + 1)
    periods = pd.Series(np.repeat(_period_text(distinct), len(every_day)))
    pay_day = pd.Series(np.tile(every_day, len(distinct)))
    due = dates.wage_due_dates(periods, pay_day, calendar)
    table = _days(due, NO_DAY_AFTER).reshape(len(distinct), len(every_day))
    return table[np.searchsorted(distinct, months), pay_days - 1]


# --- findings -------------------------------------------------------------------------------------


def _findings(
    groups: pd.DataFrame, rows: pd.DataFrame, snapshot: Snapshot, evidence: list[str]
) -> pd.DataFrame:
    """Groups indexed by KEY → findings: period text and evidence with the masked workers."""
    # Only the workers who will be listed are masked and sorted (a month without any payroll
    # can cover every worker of a large employer); subject_count keeps the full number.
    listed = rows[rows.groupby(KEY, sort=False).cumcount().to_numpy() < MAX_LISTED_WORKERS]
    workers = snapshot.workers
    involved = workers[workers["worker_id"].isin(listed["worker_id"].unique())]
    groups = groups.assign(workers=affected_workers(listed, KEY, involved)).reset_index()
    groups["period"] = _period_text(groups["month"].to_numpy())
    groups["evidence"] = evidence_records(groups, ["workers", *evidence])
    return groups[["employer_id", "period", "subject_count", "amount_fen", "evidence"]]


def _iso_days(days: pd.Series) -> pd.Series:
    return iso(pd.Series(days.to_numpy().astype("datetime64[D]"), index=days.index))


def _empty_findings() -> pd.DataFrame:
    columns = ["employer_id", "period", "subject_count", "amount_fen", "evidence"]
    return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})


def _frame(
    source: pd.DataFrame, positions: np.ndarray, **columns: np.ndarray | int | bool
) -> pd.DataFrame:
    """A small frame of `source`'s employer and worker at `positions`, plus `columns`."""
    return pd.DataFrame(
        {
            "employer_id": _ids(source, "employer_id")[positions].astype(np.int64),
            "worker_id": _ids(source, "worker_id")[positions].astype(np.int64),
            **columns,
        }
    )


# --- wages.unpaid ---------------------------------------------------------------------------------


def _unpaid_severity(findings: pd.DataFrame, snapshot: Snapshot) -> pd.Series:
    """critical when one period's arrears reach the group figure of the offence of refusing to
    pay wages (SPC Interpretation 2013 Art. 3: 以上, the figures themselves included)."""
    reference, on = snapshot.reference, snapshot.as_of
    workers = reference.value("criminal_threshold_group_workers", on=on)
    amount = reference.value("criminal_threshold_group_min_fen", on=on)
    criminal = (findings["subject_count"] >= workers) & (findings["amount_fen"].fillna(0) >= amount)
    values = np.where(criminal.to_numpy(dtype=bool), Severity.critical.value, Severity.high.value)
    return pd.Series(values, index=findings.index, dtype=object)


@rule(
    id="wages.unpaid",
    title=("工资未足额支付", "Wages not paid in full"),
    action=(
        "核实欠薪，责令用人单位限期足额支付；逾期不支付的，责令加付赔偿金",
        "Verify the arrears and order the employer to pay in full by a deadline; if it still "
        "does not pay, order the additional compensation",
    ),
    severity=_unpaid_severity,
    legal_basis=(
        "pay_frequency_min_times_per_month",
        "holiday_payday_rule",
        "wages_due_on_leaving",
        "arrears_extra_compensation_min_bp",
    ),
    inputs=("payroll", "contracts", "workers"),
)
def wages_unpaid(snapshot: Snapshot) -> pd.DataFrame:
    """Workers were paid less than the wages due for a period whose pay date has passed.

    A worker whose relation ended is owed every period up to the one holding `left_date` on
    that day, when it is earlier than the pay day (工资支付暂行规定 Art. 9; data contract v2):
    the evidence counts those workers in `workers_due_on_leaving`."""
    as_of = AsOf.of(snapshot)
    payroll = snapshot.payroll
    due, paid = _money(payroll["amount_due_fen"]), _money(payroll["amount_paid_fen"])
    # A payment dated after D had not been made on D (no date: not later): it counts as none.
    # Compared as dates: day numbers of millions of rows took half a second.
    paid_later = payroll["paid_date"].to_numpy() > np.datetime64(snapshot.as_of, "D")
    is_short = np.where(paid_later, due > 0, paid < due)
    is_short &= _payroll_up_to(snapshot, as_of.last_month_due)
    short = np.flatnonzero(is_short)
    paid = np.where(paid_later[short], 0, paid[short])
    codes, months = _payroll_period_codes(snapshot)
    rows = _frame(
        payroll, short, month=_month_per_row(codes[short], months), due=due[short], paid=paid
    )
    contracts = _contracts_as_of(snapshot)
    position = _contract_of_rows(rows, contracts)
    pay_day_due = _due_days(
        rows["month"].to_numpy(), _pay_days(rows, contracts, position), snapshot.calendar
    )
    after_leaving = int(snapshot.reference.value("wages_due_on_leaving", on=snapshot.as_of))
    left_day = _left_days(contracts, position) + after_leaving
    # 工资支付暂行规定 Art. 9: when the relation ends, wages are paid in full on leaving.
    due_on_leaving = (rows["month"].to_numpy() <= _month_of_day(left_day)) & (
        left_day < pay_day_due
    )
    rows["due_day"] = np.where(due_on_leaving, left_day, pay_day_due)
    rows["due_on_leaving"] = due_on_leaving
    # Late only after the due date: on the pay day itself the wages are not yet overdue.
    rows = rows[rows["due_day"] < as_of.day]
    if rows.empty:
        return _empty_findings()
    groups = (
        rows.assign(arrears=rows["due"] - rows["paid"])
        .groupby(KEY)
        .agg(
            subject_count=("worker_id", "size"),
            amount_fen=("arrears", "sum"),
            amount_due_fen=("due", "sum"),
            amount_paid_fen=("paid", "sum"),
            first_due_day=("due_day", "min"),
            workers_due_on_leaving=("due_on_leaving", "sum"),
        )
    )
    groups["due_date"] = _iso_days(groups["first_due_day"])
    evidence = ["due_date", "amount_due_fen", "amount_paid_fen", "workers_due_on_leaving"]
    return _findings(groups, rows, snapshot, evidence)


# --- wages.unreported -----------------------------------------------------------------------------


def _full_time(contracts: pd.DataFrame) -> np.ndarray:
    """Full-time contracts; an empty employment_type is full-time (the data contract's default)."""
    return (contracts["employment_type"] != "part_time").to_numpy(dtype=bool)


def _full_time_by_start(contracts: pd.DataFrame) -> np.ndarray:
    """Positions of the full-time contracts, in start order. Their columns are read through
    them as needed: a copy of these contracts would be most of a city's (43 MB at L)."""
    full_time = np.flatnonzero(_full_time(contracts))
    starts = contracts["start_date"].to_numpy()[full_time]
    return full_time[np.argsort(starts, kind="stable")]


def _month_spans(
    starts: np.ndarray, lefts: np.ndarray, first_month: int, last_month: int
) -> tuple[np.ndarray, np.ndarray]:
    """The first and last month (int32) each contract was employed in within [first_month,
    last_month]; none where last < first. Employed in a month = start_date <= its last day and
    (no left_date or left_date >= its first day), i.e. start month <= month <= left month."""
    first = np.maximum(_month_of_day(starts), first_month).astype(np.int32)
    lefts = np.where(lefts == NO_DAY_AFTER, _first_day(np.array(last_month)), lefts)
    last = np.minimum(_month_of_day(lefts), last_month).astype(np.int32)
    return first, last


def _expected_months(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (position, month) grid of every month from `first` to `last` of each position."""
    # int32 throughout: the grid can have one row per worker and month (millions).
    counts = np.clip(last - first + 1, 0, None)
    owner = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    offset = np.arange(counts.sum(), dtype=np.int32)
    offset -= np.repeat(np.cumsum(counts, dtype=np.int32) - counts, counts)
    return owner, first[owner] + offset


def _with_gaps(
    pairs: np.ndarray, first: np.ndarray, last: np.ndarray, reported: np.ndarray, first_month: int
) -> np.ndarray:
    """Whether the pair of each contract lacks a payroll row in a month of its span, counted on
    the (pair × month) bitmap `reported`: only those contracts' months need laying out one by
    one, and most workers are reported every month."""
    n_months = reported.shape[1]
    count_type = next(t for t in (np.int8, np.int16, np.int32) if n_months <= np.iinfo(t).max)
    # int8 counts summed from the bitmap's own bytes (a bool is one byte, 0 or 1): casting it
    # first would copy the whole bitmap.
    counted = reported.view(np.int8) if count_type == np.int8 else reported
    low = np.clip(first - first_month, 0, n_months - 1)
    high = np.clip(last - first_month, 0, n_months - 1)
    in_span = np.zeros(len(pairs), dtype=np.int32)
    # Reports up to each month, for a block of pairs at a time: not a second whole bitmap.
    for start in range(0, len(reported), _PAIRS_PER_STEP):
        so_far = np.cumsum(counted[start : start + _PAIRS_PER_STEP], axis=1, dtype=count_type)
        at = np.flatnonzero((pairs >= start) & (pairs < start + len(so_far)))
        row, low_at = pairs[at] - start, low[at]
        before = np.where(low_at > 0, so_far[row, np.maximum(low_at - 1, 0)], 0)
        in_span[at] = so_far[row, high[at]] - before
    return (last >= first) & (in_span < last - first + 1)


def _reported(
    snapshot: Snapshot, payroll_runs: _Runs, first_month: int, n_months: int, n_pairs: int
) -> np.ndarray:
    """Bitmap (pair code × month offset): True where a payroll row exists. Marked
    `_RUNS_PER_STEP` runs at a time: the pair code and month offset of every payroll row at
    once were the run's largest arrays (46 MB at L)."""
    codes, months = _payroll_period_codes(snapshot)
    # The offset per distinct period, -1 outside the grid and for a row without a period.
    offsets = months - first_month
    offsets = np.where((offsets >= 0) & (offsets < n_months), offsets, -1)
    offsets = np.append(offsets, -1).astype(np.int32)
    bitmap = np.zeros((n_pairs, n_months), dtype=bool)
    starts, ends = payroll_runs.starts, np.append(payroll_runs.starts[1:], len(codes))
    for first in range(0, len(starts), _RUNS_PER_STEP):
        last = min(first + _RUNS_PER_STEP, len(starts))
        pair = np.repeat(payroll_runs.codes[first:last], ends[first:last] - starts[first:last])
        offset = offsets[codes[starts[first] : ends[last - 1]]]
        marked = (pair >= 0) & (offset >= 0)
        bitmap[pair[marked], offset[marked]] = True
    return bitmap


def _active_pairs(pairs: np.ndarray, starts: np.ndarray, lefts: np.ndarray, day: int) -> np.ndarray:
    """Per contract: whether its pair has a contract active on `day` (the data contract's
    "active": start_date <= D and (no left_date or D <= left_date))."""
    active = np.zeros(pairs.max(initial=-1) + 1, dtype=bool)
    active[pairs[(starts <= day) & (day <= lefts)]] = True
    return active[pairs]


def _employment_grid(
    contracts: pd.DataFrame,
    order: np.ndarray,
    pairs: np.ndarray,
    as_of: AsOf,
    first_month: int,
    reported: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(position in `order`, month) for every month from `first_month` to the last month
    that can be due in which a worker active on D was employed, the months missing a report
    among them found without laying out every month of every worker."""
    starts = _days(contracts["start_date"], NO_DAY_AFTER)[order]
    lefts = _days(contracts["left_date"], NO_DAY_AFTER)[order]
    # "An active full-time worker" (the contract's words): active on D, and employed in the period.
    kept = np.flatnonzero(_active_pairs(pairs, starts, lefts, as_of.day)).astype(np.int32)
    first, last = _month_spans(starts[kept], lefts[kept], first_month, as_of.last_month_due)
    # The last two months' wages may not be due yet, so most workers are not reported for
    # them: those months are laid out for everyone; the months before only for a contract
    # that misses a report in one of them.
    recent = as_of.last_month_due - 1
    gaps = _with_gaps(pairs[kept], first, np.minimum(last, recent - 1), reported, first_month)
    first = np.where(gaps, first, np.maximum(first, recent))
    owner, month = _expected_months(first, last)
    owner = kept[owner]
    rehired = np.bincount(pairs[kept]) > 1
    if rehired.any():
        # A worker rehired by the same employer: one row per month, from the later contract
        # (contracts are in start order), which is the one in force in that month. A month
        # without a report leaves a gap in every contract that spans it, so all of them are here.
        again = rehired[pairs[owner]]
        latest = ~again
        cells = pd.DataFrame({"pair": pairs[owner[again]], "month": month[again]})
        latest[again] = ~cells.duplicated(keep="last").to_numpy()
        owner, month = owner[latest], month[latest]
    return owner, month


def _unreported_rows(snapshot: Snapshot, as_of: AsOf, first_month: int) -> pd.DataFrame:
    """(employer, worker, month, due day) where a full-time worker active on D and employed in
    the month has no payroll row although its wages were due before D."""
    contracts = _contracts_as_of(snapshot)
    order = _full_time_by_start(contracts)
    pairs, payroll_runs = _pair_runs(
        contracts[["employer_id", "worker_id"]].take(order), snapshot.payroll
    )
    n_months = as_of.last_month_due - first_month + 1
    reported = _reported(snapshot, payroll_runs, first_month, n_months, len(order))
    del payroll_runs
    owner, month = _employment_grid(contracts, order, pairs, as_of, first_month, reported)
    missing = ~reported[pairs[owner], month - first_month]
    del reported, pairs  # the bitmap: gone before the due days are worked out
    owner, month = order[owner[missing]], month[missing]  # now positions in `contracts`
    pay_days = np.clip(contracts["pay_day"].to_numpy(dtype=np.int64)[owner], 1, LAST_DAY_OF_MONTH)
    due_days = _due_days(month, pay_days, snapshot.calendar)
    # Late only after the due date (only the last two months can still be before it).
    late = due_days < as_of.day
    owner = owner[late]
    wages = _money(contracts["monthly_wage_fen"])[owner]
    return _frame(contracts, owner, month=month[late], wage=wages, due_day=due_days[late])


@rule(
    id="wages.unreported",
    title=("在职职工无工资记录", "No payroll record for an employed worker"),
    action=(
        "责令用人单位提供该月工资支付台账和银行支付凭证，核实工资是否已足额支付",
        "Ask the employer for the month's wage ledger and bank payment vouchers and check that "
        "the wages were paid in full",
    ),
    severity=Severity.medium,
    legal_basis=("wage_ledger_retention_years", "pay_frequency_min_times_per_month"),
    inputs=("payroll", "contracts", "workers"),
)
def wages_unreported(snapshot: Snapshot) -> pd.DataFrame:
    """An active full-time worker has no payroll row for a period whose pay date has passed."""
    as_of = AsOf.of(snapshot)
    # Look back as far as the wage ledger must be kept (Decree 724 Art. 15): an older month's
    # ledger may lawfully be gone, so its absence proves nothing.
    years = int(snapshot.reference.value("wage_ledger_retention_years", on=snapshot.as_of))
    rows = _unreported_rows(snapshot, as_of, as_of.month - 12 * years)
    if rows.empty:
        return _empty_findings()
    groups = rows.groupby(KEY).agg(
        subject_count=("worker_id", "size"),
        amount_fen=("wage", "sum"),
        first_due_day=("due_day", "min"),
    )
    groups["due_date"] = _iso_days(groups["first_due_day"])
    groups["monthly_wage_fen"] = groups["amount_fen"]
    return _findings(groups, rows, snapshot, ["due_date", "monthly_wage_fen"])


# --- wages.below_minimum --------------------------------------------------------------------------


def _minimum_wages(
    snapshot: Snapshot,
    payroll: pd.DataFrame,
    period_code: np.ndarray,
    months: np.ndarray,
    kind: str = "monthly",
) -> np.ndarray:
    """Minimum wage (fen; `kind` monthly or hourly) for each payroll row: the tier of the
    employer's county, the standard in force on the period's first day; -1 where unknown (no
    county, no standard).

    reference.minimum_wage_fen is asked once per (county, period) pair, then looked up.
    """
    employers = snapshot.employers
    county_of_employer, counties = pd.factorize(employers["county_code"])
    # Index -1 (unknown employer, county or period) selects the extra last row/column of -1.
    county_type = np.int16 if len(counties) < np.iinfo(np.int16).max else np.int32
    county = _per_employer(
        np.append(county_of_employer, -1).astype(county_type), payroll, employers
    )
    asked_counties = pd.Series(np.repeat(np.asarray(counties, dtype=object), len(months)))
    asked_periods = pd.Series(np.tile(_period_text(months), len(counties)))
    found = snapshot.reference.minimum_wage_fen(asked_counties, asked_periods, kind=kind)
    table = np.full((len(counties) + 1, len(months) + 1), -1, dtype=np.int64)
    table[:-1, :-1] = found.to_numpy(dtype=np.int64, na_value=-1).reshape(
        len(counties), len(months)
    )
    if table.max() <= _INT32_MAX:  # half the memory for the payroll's millions of rows
        table = table.astype(np.int32)
    return table[county, period_code]


def _per_employer(values: np.ndarray, rows: pd.DataFrame, employers: pd.DataFrame) -> np.ndarray:
    """`values` (one per employer, then one for an employer not among them) for each row, in
    their own type: looked up once per run of an employer's rows, no code per row made."""
    numbers = _ids(rows, "employer_id")
    starts = _run_starts(numbers)
    found = pd.Index(employers["employer_id"]).get_indexer(pd.Index(numbers[starts]))
    return _per_row(values[found], starts, len(numbers))


def _whole_period_full_time(
    contracts: pd.DataFrame, position: np.ndarray, months: np.ndarray
) -> np.ndarray:
    """The contract at `position` is full-time and covers the month from its first to its last
    day: start_date <= first day and (no left_date or left_date >= last day)."""
    found = position >= 0
    at, months = position[found], months[found]
    starts = _days(contracts["start_date"], NO_DAY_AFTER)[at]
    lefts = _days(contracts["left_date"], NO_DAY_AFTER)[at]
    whole = (starts <= _first_day(months)) & (lefts >= _last_day(months))
    found[found] = _full_time(contracts)[at] & whole
    return found


def _below_monthly_minimum(snapshot: Snapshot, as_of: AsOf) -> pd.DataFrame:
    """Full-time workers employed for a whole closed month and owed less than its minimum."""
    payroll = snapshot.payroll
    period_code, distinct_months = _payroll_period_codes(snapshot)
    minimum = _minimum_wages(snapshot, payroll, period_code, distinct_months)
    due = _money(payroll["amount_due_fen"])
    # Strictly below: a wage equal to the minimum is lawful. The wage owed, not its payment, is
    # judged, so a month counts as soon as it has ended (period end < D).
    is_below = due < minimum
    is_below &= _payroll_up_to(snapshot, as_of.last_closed_month)
    below = np.flatnonzero(is_below)
    rows = _frame(
        payroll,
        below,
        month=_month_per_row(period_code[below], distinct_months),
        due=due[below],
        minimum=minimum[below].astype(np.int64),
    )
    del minimum, due, is_below  # the payroll's length each: gone before the contracts' work
    contracts = _contracts_as_of(snapshot)
    position = _contract_of_rows(rows, contracts)
    rows = rows[_whole_period_full_time(contracts, position, rows["month"].to_numpy())]
    return rows.assign(hourly_minimum=-1, part_time=False, shortfall=rows["minimum"] - rows["due"])


def _part_time_rows(snapshot: Snapshot, as_of: AsOf) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Payroll rows of closed months whose contract in force is part-time, with that
    contract's position in the returned contracts. Cheap filters first: payroll is large and
    part-time work rare."""
    contracts = _contracts_as_of(snapshot)
    part_time = contracts[~_full_time(contracts)]
    payroll = snapshot.payroll
    candidates = payroll.loc[
        payroll["employer_id"].isin(part_time["employer_id"].unique()),
        _PART_TIME_PAYROLL_COLUMNS,  # not every column of what can be millions of rows
    ]
    _, pair_codes = _pair_codes(part_time, candidates)
    candidates = candidates[pair_codes >= 0]
    months = _months(candidates["period"])
    closed = months <= as_of.last_closed_month
    rows = candidates[closed].assign(month=months[closed])
    position = _contract_of_rows(rows, contracts)
    in_force = position >= 0
    in_force[in_force] = ~_full_time(contracts)[position[in_force]]
    return rows[in_force].assign(contract=position[in_force]), contracts


def _below_hourly_minimum(snapshot: Snapshot, as_of: AsOf) -> pd.DataFrame:
    """Part-time workers paid less per hour than the county's hourly minimum (LCL Art. 72 ¶1).

    The pay per hour is `amount_due / hours_worked` where the payroll gives hours (compared as
    amount_due < hourly minimum × hours, so no rounding decides a case); without hours, the
    contract's `hourly_wage`. A row with neither cannot be judged and is left out (a choice:
    dividing `monthly_wage` by 174 hours would guess at the hours). Without hours the money at
    stake is unknown, so such a row adds to the workers but not to the amount."""
    rows, contracts = _part_time_rows(snapshot, as_of)
    period_code, distinct_months = _period_codes(rows["period"])
    hourly_minimum = _minimum_wages(snapshot, rows, period_code, distinct_months, kind="hourly")
    due = _money(rows["amount_due_fen"])
    hours = rows["hours_worked"].to_numpy(dtype=np.float64, na_value=np.nan)
    with_hours = hours > 0
    owed_for_hours = np.ceil(hourly_minimum * np.where(with_hours, hours, 0.0)).astype(np.int64)
    agreed = contracts["hourly_wage_fen"].to_numpy(dtype=np.int64, na_value=-1)[rows["contract"]]
    known = hourly_minimum >= 0
    below = known & np.where(
        with_hours, due < owed_for_hours, (agreed >= 0) & (agreed < hourly_minimum)
    )
    shortfall = np.where(with_hours, owed_for_hours - due, 0)
    at = np.flatnonzero(below)
    return _frame(
        rows,
        at,
        month=rows["month"].to_numpy()[at],
        due=due[at],
        minimum=-1,
        hourly_minimum=hourly_minimum[at],
        part_time=True,
        shortfall=shortfall[at],
    )


@rule(
    id="wages.below_minimum",
    title=("工资低于当地最低工资标准", "Wage below the local minimum wage"),
    action=(
        "责令用人单位限期补足低于当地最低工资标准的差额",
        "Order the employer to pay the difference up to the local minimum wage by a deadline",
    ),
    severity=Severity.high,
    legal_basis=(
        "min_wage_monthly_zj_tier1_fen",
        "min_wage_monthly_zj_tier2_fen",
        "min_wage_monthly_zj_tier3_fen",
        "min_wage_hourly_zj_tier1_fen",
        "part_time_hourly_minimum",
    ),
    inputs=("payroll", "contracts", "employers", "workers"),
)
def wages_below_minimum(snapshot: Snapshot) -> pd.DataFrame:
    """A full-time worker employed for a whole month was owed less than the monthly minimum
    wage, or a part-time worker less per hour than the hourly minimum wage (v2)."""
    as_of = AsOf.of(snapshot)
    parts = [_below_monthly_minimum(snapshot, as_of), _below_hourly_minimum(snapshot, as_of)]
    rows = pd.concat([part for part in parts if not part.empty] or parts[:1], ignore_index=True)
    if rows.empty:
        return _empty_findings()
    groups = rows.groupby(KEY).agg(
        subject_count=("worker_id", "size"),
        amount_fen=("shortfall", "sum"),
        minimum_wage_fen=("minimum", "max"),  # one county and one period per alert
        hourly_minimum_wage_fen=("hourly_minimum", "max"),
        amount_due_fen=("due", "sum"),
        part_time_workers=("part_time", "sum"),
    )
    for column in ("minimum_wage_fen", "hourly_minimum_wage_fen"):
        groups[column] = groups[column].astype("Int64").mask(groups[column] < 0)
    counties = snapshot.employers.set_index("employer_id")["county_code"]
    groups["county_code"] = groups.index.get_level_values("employer_id").map(counties)  # type: ignore[arg-type]
    groups["reading"] = np.where(groups["part_time_workers"] > 0, "part_time_pay_per_hour", None)  # type: ignore[call-overload]
    evidence = [
        "county_code", "minimum_wage_fen", "amount_due_fen", "hourly_minimum_wage_fen",
        "part_time_workers", "reading",
    ]  # fmt: skip
    return _findings(groups, rows, snapshot, evidence)
