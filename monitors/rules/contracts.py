"""Labour-contract rules: the written contract (LCL Arts. 10, 14, 82; IR Arts. 6–7) and the
probation period (LCL Arts. 19–20, 70; IR Art. 15).

Month arithmetic follows one convention throughout: "N months from day S" ends on the same
day number N months later (`add_months`, clamped to the month's end). A period *of* N months
that starts on S (a probation, a contract term) therefore ends on that day minus one: three
months from 2026-01-10 is 2026-01-10 – 2026-04-09.
"""

from collections.abc import Callable

import numpy as np
import pandas as pd

from monitors.base import Severity, Snapshot
from monitors.calendar import WorkCalendar
from monitors.dates import add_months, month_text
from monitors.declare import rule
from monitors.evidence import evidence_records, iso, listed_records, masked_worker_ids

ONE_DAY = pd.Timedelta(days=1)
# Codes of the readings of the law shown with an alert (their text is in the catalogue).
READING_DOUBLE_WAGES = "double_wages_whole_months_paid_days"
READING_SECOND_PROBATION = "one_probation_even_after_rehire"
BP_WHOLE = 10_000  # basis points in 100 %
# 21.75 is held in hundredths so the daily-wage arithmetic stays in integer fen.
HUNDREDTHS = 100

# LCL Art. 19 ¶1: the probation limit by contract term. The bands' lower bounds (a term of at
# least this many months) are the figures the parameter names themselves carry; longest first.
TERM_BANDS: tuple[tuple[str, str, int], ...] = (
    ("3y_plus", "probation_max_months_3y_plus", 36),
    ("1y_to_3y", "probation_max_months_1y_to_3y", 12),
    ("3m_to_1y", "probation_max_months_3m_to_1y", 3),
    ("under_3m", "probation_max_months_under_3m", 0),
)


# --- contract.missing ---------------------------------------------------------------------------


@rule(
    id="contract.missing",
    title=("未依法订立书面劳动合同", "No written labour contract within one month"),
    action=(
        "责令用人单位限期与劳动者补订书面劳动合同，并支付未订立书面合同期间的二倍工资差额；"
        "满一年未订立的，视为已订立无固定期限劳动合同",
        "Order the employer to sign written contracts without delay and pay the double-wage "
        "difference for the months without one; after a full year an open-ended contract is "
        "deemed concluded",
    ),
    severity=Severity.high,
    legal_basis=(
        "written_contract_deadline_months",
        "double_wage_max_months",
        "deemed_open_ended_after_years",
        "monthly_paid_days",
    ),
    inputs=("contracts", "workers"),
)
def contract_missing(snapshot: Snapshot) -> pd.DataFrame:
    """Workers employed more than one month without a written contract (or one signed late)."""
    late = _late_contracts(snapshot)
    if late.empty:
        return _empty_findings()
    late = _with_liability(late, snapshot)
    late = _with_deemed_open_ended(late, snapshot)
    late["worker"] = masked_worker_ids(late["worker_id"], _workers_of(late, snapshot))
    late = late.assign(
        start=iso(late["start_date"]),
        sign_by=iso(late["deadline"]),
        signed=iso(late["seen_signed"]),
        double_wage_from=iso(late["window_first"]),
        double_wage_to=iso(late["window_last"].where(late["window_last"] >= late["window_first"])),
        deemed_open_ended_on=iso(late["deemed_on"]),
    )
    columns = [
        "worker", "start", "sign_by", "signed", "double_wage_from", "double_wage_to",
        "whole_months", "paid_days", "liability_fen", "deemed_open_ended_on",
    ]  # fmt: skip
    grouped = late.groupby("employer_id")
    findings = pd.DataFrame(
        {
            "subject_count": grouped["worker_id"].nunique(),
            "amount_fen": grouped["liability_fen"].sum(),
            "workers": listed_records(late, ["employer_id"], columns, sort_by="worker"),
        }
    ).reset_index()
    findings["total_liability_fen"] = findings["amount_fen"]
    # How the law was read where it leaves a choice (see _with_liability), for the inspector.
    findings["reading"] = READING_DOUBLE_WAGES
    findings["evidence"] = evidence_records(findings, ["total_liability_fen", "workers", "reading"])
    return findings[["employer_id", "subject_count", "amount_fen", "evidence"]]


def _late_contracts(snapshot: Snapshot) -> pd.DataFrame:
    """Contracts whose worker was still employed after the signing deadline without a
    contract signed on or before it (LCL Art. 10: sign within one month of the first day; a
    month ending on a rest day or holiday ends on the next working day, Civil Code Art. 203)."""
    as_of = snapshot.as_of_ts
    months = int(snapshot.reference.value("written_contract_deadline_months", on=snapshot.as_of))
    contracts = snapshot.contracts
    # Judged column by column over every contract, and only the late ones copied: a copy of
    # the started ones, every column, was a city's contracts over again (100 MB at L).
    # LCL Art. 69: part-time work (非全日制) may rest on an oral agreement.
    started = (contracts["start_date"] <= as_of) & (contracts["employment_type"] != "part_time")
    # As of D, a signature or departure dated after D has not happened yet.
    seen_signed = contracts["signed_date"].where(contracts["signed_date"] <= as_of)
    seen_left = contracts["left_date"].where(contracts["left_date"] <= as_of)
    month_mark = add_months(contracts["start_date"], months)
    deadline = _next_working_day(month_mark, snapshot.calendar)
    employed_past_deadline = (as_of > deadline) & (seen_left.isna() | (seen_left > deadline))
    not_signed_in_time = seen_signed.isna() | (seen_signed > deadline)
    late = started & employed_past_deadline & not_signed_in_time
    return contracts[late].assign(
        seen_signed=seen_signed[late],
        seen_left=seen_left[late],
        month_mark=month_mark[late],
        deadline=deadline[late],
    )


def _next_working_day(days: pd.Series, calendar: WorkCalendar) -> pd.Series:
    """Civil Code Art. 203: a period ending on a rest day or holiday ends on the next working
    day. Days outside the calendar's table stay as they are."""
    inside = (days >= pd.Timestamp(calendar.first_day)) & (days <= pd.Timestamp(calendar.last_day))
    moved = calendar.on_or_after_working_day_many(days.where(inside))
    return moved.astype(days.dtype).where(inside, days)


def _with_liability(late: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    """The extra (second) wage owed under LCL Art. 82 ¶1 / IR Art. 6, per contract (data
    contract v2, "Double wages").

    The window runs from the day after the one-month period ends (moved off a rest day by Civil
    Code Art. 203) to the day before signing, or to D, or to the last day of work, whichever
    comes first. Each whole month in it counts one monthly wage; the part month left over counts
    its paid days ÷ 21.75 × the wage (劳社部发〔2008〕3号), paid days being the working days and
    the statutory holidays in it, rounded half up to the fen and never more than one monthly
    wage (it is less than a month).

    The cap (IR Art. 7): the window ends at the latest on the day before the one-year mark, as
    the article says, and a deadline moved by Art. 203 delays its start but not that end. Read
    literally, the longest window is eleven months less one day (ten whole months and a part
    month of one day short of a month); the part month then counts its paid days, capped at one
    monthly wage, so the eleven-month maximum of `double_wage_max_months` is never exceeded.
    This literal reading is a choice (some courts count eleven whole months); the evidence
    shows the window's days so the inspector sees it.
    """
    reference, on = snapshot.reference, snapshot.as_of
    months = int(reference.value("written_contract_deadline_months", on=on))
    cap_months = int(reference.value("double_wage_max_months", on=on))
    paid_days_per_month = float(reference.value("monthly_paid_days", on=on))
    first = late["deadline"] + ONE_DAY
    ends = pd.DataFrame(
        {
            "before_signing": late["seen_signed"] - ONE_DAY,
            "as_of": pd.Series(snapshot.as_of_ts, index=late.index),
            "left": late["seen_left"],
            "cap": add_months(late["start_date"], months + cap_months) - ONE_DAY,
        }
    )
    last = ends.min(axis=1)  # NaT (not signed, not left) never wins
    runs = first <= last
    whole = _whole_months(first, last).where(runs, 0)
    part_first = add_months(first, whole)
    days = _paid_days(part_first, last, snapshot.calendar).where(runs, 0)
    scale = round(paid_days_per_month * HUNDREDTHS)
    wage = late["monthly_wage_fen"].astype("Int64")
    part = np.minimum((wage * days * HUNDREDTHS + scale // 2) // scale, wage)
    return late.assign(
        window_first=first,
        window_last=last,
        whole_months=whole,
        paid_days=days,
        liability_fen=(wage * whole + part).astype("Int64"),
    )


def _whole_months(first: pd.Series, last: pd.Series) -> pd.Series:
    """Whole months in [first, last]: the most n with first + n months - 1 day <= last."""
    end = last + ONE_DAY
    months = (end.dt.year - first.dt.year) * 12 + (end.dt.month - first.dt.month)
    months = months.fillna(0).astype("int64").clip(lower=0)
    overshoot = (add_months(first, months) > end).fillna(False)
    return (months - overshoot.astype("int64")).clip(lower=0)


def _with_deemed_open_ended(late: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    """LCL Art. 14 ¶3 / IR Art. 7: still employed without a written contract on the one-year
    mark → an open-ended contract is deemed concluded on that day."""
    years = int(snapshot.reference.value("deemed_open_ended_after_years", on=snapshot.as_of))
    mark = add_months(late["start_date"], 12 * years)
    reached = snapshot.as_of_ts >= mark
    employed_then = late["seen_left"].isna() | (late["seen_left"] >= mark)
    unsigned_then = late["seen_signed"].isna() | (late["seen_signed"] > mark)
    return late.assign(deemed_on=mark.where(reached & employed_then & unsigned_then))


def _paid_days(first: pd.Series, last: pd.Series, calendar: WorkCalendar) -> pd.Series:
    """Paid days (working days and statutory holidays) in [first, last] (0 when empty). Days
    outside the calendar's table count Monday–Friday, as the calendar itself does for years it
    does not know."""
    table_first = pd.Timestamp(calendar.first_day)
    table_last = pd.Timestamp(calendar.last_day)
    inside_first = first.clip(lower=table_first)  # type: ignore[call-overload]
    inside_last = last.clip(upper=table_last)  # type: ignore[call-overload]
    has_inside = (inside_first <= inside_last).fillna(False)
    safe_first = inside_first.where(has_inside, table_first)
    safe_last = inside_last.where(has_inside, table_first)
    inside = calendar.paid_days_many(safe_first, safe_last)
    before = _weekdays(first, last.clip(upper=table_first - ONE_DAY))  # type: ignore[call-overload]
    after = _weekdays(first.clip(lower=table_last + ONE_DAY), last)  # type: ignore[call-overload]
    return (inside.where(has_inside, 0) + before + after).astype("int64")


def _weekdays(first: pd.Series, last: pd.Series) -> pd.Series:
    """Monday–Friday in [first, last], 0 when empty."""
    begin = first.to_numpy(dtype="datetime64[D]")
    end = last.to_numpy(dtype="datetime64[D]") + np.timedelta64(1, "D")
    counts = np.busday_count(begin, np.maximum(begin, end))
    return pd.Series(counts, index=first.index, dtype="int64")


# --- contract.probation_invalid -----------------------------------------------------------------


@rule(
    id="contract.probation_invalid",
    title=("试用期约定违法", "Unlawful probation period"),
    action=(
        "责令用人单位改正试用期约定；违法约定的试用期已经履行的，以试用期满月工资为标准，"
        "按已经履行的超过法定试用期的期间向劳动者支付赔偿金，并补足试用期工资差额",
        "Order the employer to correct the probation terms; for unlawful probation already "
        "served, pay compensation at the post-probation wage for the excess period and make up "
        "any probation-wage shortfall",
    ),
    severity=Severity.medium,
    legal_basis=(
        "probation_max_months_under_3m",
        "probation_max_months_3m_to_1y",
        "probation_max_months_1y_to_3y",
        "probation_max_months_3y_plus",
        "probation_max_months_task_based",
        "probation_max_months_part_time",
        "probation_wage_min_ratio_bp",
        "probation_max_per_employer_worker",
    ),
    inputs=("contracts", "workers", "employers"),
)
def contract_probation_invalid(snapshot: Snapshot) -> pd.DataFrame:
    """Probations set where none is allowed, longer than the term allows, underpaid, or set
    again for a worker the same employer already had on probation (LCL Art. 19 ¶2).

    "Again" is judged by start date among the contracts that had started by D: the earliest
    contract with a probation is the one allowed; every later one of the same employer and
    worker is unlawful, whether or not the first relation ended in between (the article makes
    no exception for a worker rehired after leaving)."""
    contracts = snapshot.contracts
    probations = contracts[
        (contracts["start_date"] <= snapshot.as_of_ts) & contracts["probation_end"].notna()
    ]
    checked = _with_wage_floor(_with_probation_limit(probations, snapshot), snapshot)
    reasons = (
        pd.DataFrame(
            {
                "none_allowed": checked["max_months"] == 0,
                "too_long": (checked["max_months"] > 0)
                & (checked["probation_end"] > checked["lawful_end"]),
                "wage_below_floor": checked["below_floor"],
                "second_probation": _repeated_probation(checked, snapshot),
            }
        )
        .fillna(False)
        .astype(bool)
    )
    unlawful = checked[reasons.any(axis=1)]
    if unlawful.empty:
        return _empty_findings()
    return _probation_findings(unlawful, reasons.loc[unlawful.index], snapshot)


def _repeated_probation(probations: pd.DataFrame, snapshot: Snapshot) -> pd.Series:
    """Probations beyond the number allowed per employer and worker, in start order."""
    allowed = int(snapshot.reference.value("probation_max_per_employer_worker", on=snapshot.as_of))
    key = ["employer_id", "worker_id", "start_date", "contract_id"]  # not every column sorted
    ordered = probations[key].sort_values(["start_date", "contract_id"], kind="stable")
    earlier = ordered.groupby(["employer_id", "worker_id"], sort=False).cumcount()
    return (earlier >= allowed).reindex(probations.index)


def _with_probation_limit(probations: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    """The term band of each contract, the longest probation it allows (LCL Arts. 19, 70) and
    the last day a lawful probation may run to (NA for a fixed term without an end date)."""
    value = _parameter_reader(snapshot)
    start, end = probations["start_date"], probations["end_date"]
    fixed_end = (probations["term_type"] == "fixed") & end.notna()
    # A term of at least N months runs to the day before the same date N months later or
    # beyond: 2026-01-10 – 2026-04-09 is a term of 3 months.
    band_conditions = [
        fixed_end & (end >= add_months(start, months) - ONE_DAY) for *_, months in TERM_BANDS
    ]
    conditions = [
        probations["employment_type"] == "part_time",
        probations["term_type"] == "task",
        probations["term_type"] == "open_ended",
        *band_conditions,
    ]
    bands = ["part_time", "task", "open_ended", *(band for band, *_ in TERM_BANDS)]
    limits = [
        value("probation_max_months_part_time"),
        value("probation_max_months_task_based"),
        value("probation_max_months_3y_plus"),  # open-ended: as a term of 3 years or more
        *(value(name) for _, name, _ in TERM_BANDS),
    ]
    masks = [condition.fillna(False).to_numpy(dtype=bool) for condition in conditions]
    # A fixed term without an end date has no known length: its probation length is not
    # checked (its wage still is).
    band = pd.Series(np.select(masks, bands, default="unknown_term"), index=probations.index)
    max_months = pd.Series(np.select(masks, limits, default=-1), index=probations.index)
    max_months = max_months.astype("Int64").mask(max_months < 0)
    lawful_end = add_months(start, max_months.fillna(0).astype("int64")) - ONE_DAY
    return probations.assign(
        term_band=band,
        max_months=max_months,
        lawful_end=lawful_end.where(max_months.notna() & (max_months > 0)),
    )


def _with_wage_floor(probations: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    """LCL Art. 20 / IR Art. 15: the probation wage is at least 80 % of the contract wage and at
    least the minimum wage of the employer's county in the month the probation starts. (The
    other comparator, the lowest wage for the same post, is not in the data.) Part-time work is
    paid by the hour (LCL Art. 72) and may have no probation at all, so its wage is not compared.
    """
    ratio_bp = int(snapshot.reference.value("probation_wage_min_ratio_bp", on=snapshot.as_of))
    county = probations["employer_id"].map(
        snapshot.employers.set_index("employer_id")["county_code"]
    )
    minimum = snapshot.reference.minimum_wage_fen(
        county.astype("str"), month_text(probations["start_date"])
    )
    wage = probations["monthly_wage_fen"].astype("Int64")
    ratio_floor = -((-wage * ratio_bp) // BP_WHOLE)  # rounded up: 80 % exactly is lawful
    floor = pd.concat([ratio_floor, minimum.astype("Int64")], axis=1).max(axis=1)
    floor = floor.astype("Int64")
    paid = probations["probation_wage_fen"].astype("Int64")
    compared = paid.notna() & (probations["employment_type"] != "part_time")
    below = (compared & (paid < floor)).fillna(False).astype(bool)
    return probations.assign(
        minimum_wage_fen=minimum.astype("Int64"),
        wage_floor_fen=floor,
        below_floor=below,
        shortfall_per_month_fen=(floor - paid).where(below),
    )


def _probation_findings(
    unlawful: pd.DataFrame, reasons: pd.DataFrame, snapshot: Snapshot
) -> pd.DataFrame:
    # Each combination of reasons as a bit pattern, mapped to its list of names.
    names = list(reasons.columns)
    bits = reasons.to_numpy(dtype="int64") @ (1 << np.arange(len(names)))
    combinations = {
        pattern: [name for position, name in enumerate(names) if pattern >> position & 1]
        for pattern in range(1 << len(names))
    }
    reason_lists = pd.Series(bits, index=reasons.index).map(combinations)
    unlawful = unlawful.assign(
        worker=masked_worker_ids(unlawful["worker_id"], _workers_of(unlawful, snapshot)),
        reasons=reason_lists,
        start=iso(unlawful["start_date"]),
        end=iso(unlawful["end_date"]),
        probation_until=iso(unlawful["probation_end"]),
        probation_days=(unlawful["probation_end"] - unlawful["start_date"]).dt.days + 1,
        lawful_probation_until=iso(unlawful["lawful_end"]),
        probation_max_months=unlawful["max_months"],
        probation_wage_fen=unlawful["probation_wage_fen"],
        contract_wage_fen=unlawful["monthly_wage_fen"],
    )
    columns = [
        "worker", "reasons", "term_type", "employment_type", "term_band", "start", "end",
        "probation_until", "probation_days", "probation_max_months", "lawful_probation_until",
        "contract_wage_fen", "probation_wage_fen", "minimum_wage_fen", "wage_floor_fen",
        "shortfall_per_month_fen",
    ]  # fmt: skip
    grouped = unlawful.groupby("employer_id")
    second = unlawful["reasons"].map(lambda names: "second_probation" in names)
    findings = pd.DataFrame(
        {
            "subject_count": grouped["contract_id"].nunique(),
            "contracts": listed_records(unlawful, ["employer_id"], columns, sort_by="worker"),
            "rehired": second.groupby(unlawful["employer_id"]).any(),
        }
    ).reset_index()
    findings["reading"] = findings["rehired"].map({True: READING_SECOND_PROBATION, False: None})
    findings["evidence"] = evidence_records(findings, ["contracts", "reading"])
    return findings[["employer_id", "subject_count", "evidence"]]


# --- shared helpers -----------------------------------------------------------------------------


def _workers_of(contracts: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    """The workers of these contracts only: masking the whole register costs more than the rule."""
    return snapshot.workers[snapshot.workers["worker_id"].isin(contracts["worker_id"])]


def _parameter_reader(snapshot: Snapshot) -> Callable[[str], int]:
    """Whole-number parameters in force on D."""

    def value(name: str) -> int:
        return int(snapshot.reference.value(name, on=snapshot.as_of))

    return value


def _empty_findings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employer_id": pd.Series(dtype="int64"),
            "subject_count": pd.Series(dtype="int64"),
            "evidence": pd.Series(dtype=object),
        }
    )
