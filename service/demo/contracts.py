"""One worker and one employment contract per head: who started when (every worker starts
inside the twelve reported months, so a monitor looking for missing payroll rows never sees a
month that simply predates the data), who left, the term, the agreed wage and a lawful
probation. Construction workers are on a project's task contract unless they are office or
yard staff."""

import numpy as np
import pandas as pd

from service.demo.context import Context
from service.demo.days import NO_DAY, add_months, month_start, round_up
from service.demo.employers import REPORTED_MONTHS, per_trade
from service.demo.people import assign_identities

# Demo choices (not legal figures): how the clean population is shaped.
LATEST_START_BEFORE_AS_OF = 45  # days: every contract is signed and reported by as_of
LEAVER_SHARE = 0.12
PROJECT_STAFF_SHARE = 0.15  # construction workers not assigned to a project (office, yard)
HOURS_PER_WORKING_DAY = 8


def hire_workers(ctx: Context, employers: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """One worker and one employment contract per head of each employer."""
    employer = np.repeat(employers.index.to_numpy(), employers["headcount"].to_numpy())
    frame = pd.DataFrame({"employer": employer})
    frame["project"] = _project_assignments(ctx, employers, projects, employer)
    _employment_dates(ctx, employers, projects, frame)
    _contract_terms(ctx, employers, frame)
    assign_identities(ctx, employers, frame)
    frame["insured"] = True
    return frame


def _project_assignments(
    ctx: Context, employers: pd.DataFrame, projects: pd.DataFrame, employer: np.ndarray
) -> np.ndarray:
    """Index of the running project a construction worker works on, or -1 (staff)."""
    running = projects[projects["completion_date"] == NO_DAY]
    count = running.groupby("employer").size().reindex(employers.index, fill_value=0).to_numpy()
    first = running.reset_index().groupby("employer")["index"].min()
    offset = first.reindex(employers.index, fill_value=0).to_numpy()
    n = len(employer)
    pick = offset[employer] + np.floor(ctx.rng.random(n) * count[employer]).astype(np.int64)
    on_site = (count[employer] > 0) & (ctx.rng.random(n) >= PROJECT_STAFF_SHARE)
    return np.where(on_site, pick, -1)


def _employment_dates(
    ctx: Context, employers: pd.DataFrame, projects: pd.DataFrame, frame: pd.DataFrame
) -> None:
    e = frame["employer"].to_numpy()
    n = len(e)
    last_period = employers["last_period"].to_numpy()[e]
    earliest = month_start(last_period - (REPORTED_MONTHS - 1))
    project = frame["project"].to_numpy()
    permit = projects["permit_date"].to_numpy()[np.maximum(project, 0)]
    earliest = np.where(project >= 0, np.maximum(earliest, permit + 3), earliest)
    latest = np.minimum(ctx.as_of - LATEST_START_BEFORE_AS_OF, month_start(last_period + 1) - 1)
    stable = employers["stable"].to_numpy()[e]
    # Most workers were there when reporting began; the rest joined during the year.
    early = stable | (ctx.rng.random(n) < 0.6)
    start = np.where(
        early,
        np.minimum(earliest + ctx.uniform_days(0, 20, n), latest),
        ctx.uniform_days(earliest, latest, n),
    )
    leaves = ~stable & (ctx.rng.random(n) < LEAVER_SHARE) & (start <= ctx.as_of - 100)
    left = ctx.uniform_days(start + 60, ctx.as_of - 20, n)
    frame["start"] = start
    frame["left"] = np.where(leaves, left, NO_DAY)
    frame["signed"] = start + ctx.uniform_days(0, 7, n)


def _contract_terms(ctx: Context, employers: pd.DataFrame, frame: pd.DataFrame) -> None:
    e = frame["employer"].to_numpy()
    n = len(e)
    rng = ctx.rng
    trade = employers["trade"].to_numpy()[e]
    stable = employers["stable"].to_numpy()[e]
    part_time = ~stable & (rng.random(n) < per_trade(trade, lambda t: t.part_time_share))
    on_site = frame["project"].to_numpy() >= 0
    start = frame["start"].to_numpy()

    draw = rng.random(n)
    one_year_allowed = add_months(start, 12) - 1 > ctx.as_of + 30  # else it would have lapsed
    years = np.select([draw < 0.55, draw < 0.70, draw < 0.90], [2, 1, 0], 5)
    years = np.where((years == 1) & ~one_year_allowed, 2, years)
    term = np.where(years == 0, "open_ended", "fixed")
    term = np.where(on_site, "task", term)
    term = np.where(part_time, "open_ended", term)
    fixed = term == "fixed"
    frame["term_type"] = term
    frame["end"] = np.where(fixed, add_months(start, 12 * np.maximum(years, 1)) - 1, NO_DAY)
    frame["employment_type"] = np.where(part_time, "part_time", "full_time")
    frame["years"] = np.where(fixed, years, 0)
    _wages(ctx, frame, trade, part_time)
    _probation(ctx, frame)


def _wages(ctx: Context, frame: pd.DataFrame, trade: np.ndarray, part_time: np.ndarray) -> None:
    n = len(frame)
    low = per_trade(trade, lambda t: t.wage_range[0]) // 100
    high = per_trade(trade, lambda t: t.wage_range[1]) // 100
    monthly = (low + np.floor(ctx.rng.random(n) * (high - low + 1)).astype(np.int64)) * 10_000
    hourly = ctx.rng.integers(30, 41, n) * 100
    hours_per_month = part_time_hours_per_month(ctx)
    frame["monthly_fen"] = np.where(part_time, hourly * hours_per_month, monthly)
    frame["hourly_fen"] = np.where(part_time, hourly, -1)
    frame["piece_rate"] = per_trade(trade, lambda t: t.piece_rate)


def _probation(ctx: Context, frame: pd.DataFrame) -> None:
    """Probations well inside LCL Art. 19 and wages well above the Art. 20 floor."""
    n = len(frame)
    rng = ctx.rng
    years = frame["years"].to_numpy()
    term = frame["term_type"].to_numpy()
    long_term = (term == "open_ended") | (years >= 5)
    two_years = (term == "fixed") & (years == 2)
    long_limit = int(ctx.param("probation_max_months_3y_plus"))
    mid_limit = int(ctx.param("probation_max_months_1y_to_3y"))
    months = np.where(long_term, rng.integers(1, long_limit // 2 + 1, n), 0)
    months = np.where(two_years, mid_limit - 1, months)
    months = np.where((rng.random(n) < 0.5) | (frame["employment_type"] == "part_time"), 0, months)
    start = frame["start"].to_numpy()
    frame["probation_end"] = np.where(months > 0, add_months(start, months) - 1, NO_DAY)
    floor_bp = int(ctx.param("probation_wage_min_ratio_bp"))
    ratio_bp = rng.choice(np.array([floor_bp + 500, floor_bp + 1000, 10_000]), n)
    ratio_bp = np.minimum(ratio_bp, 10_000)
    wage = round_up(frame["monthly_fen"].to_numpy() * ratio_bp // 10_000, 10_000)
    frame["probation_fen"] = np.where(months > 0, wage, -1)


def part_time_hours_per_month(ctx: Context) -> int:
    """The contract's monthly equivalent of an hourly wage: 21.75 paid days of 8 hours."""
    return round(float(ctx.param("monthly_paid_days")) * HOURS_PER_WORKING_DAY)
