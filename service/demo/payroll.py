"""Twelve reported months of wages: one row per worker and month worked, the amount due for
the days worked (by the piece in shoes and garments, by the hour for part-time staff), paid in
full a little before the due date; a leaver's last month is settled on leaving."""

import numpy as np
import pandas as pd

from service.demo.context import Context
from service.demo.contracts import HOURS_PER_WORKING_DAY
from service.demo.days import NO_DAY, month_of, month_start
from service.demo.employers import REPORTED_MONTHS, due_days


def pay_wages(ctx: Context, employers: pd.DataFrame, contracts: pd.DataFrame) -> pd.DataFrame:
    """One row per worker and reported month worked, paid in full on or before the due date."""
    e = contracts["employer"].to_numpy()
    start = contracts["start"].to_numpy()
    left = contracts["left"].to_numpy()
    last_period = employers["last_period"].to_numpy()[e]
    first = np.maximum(month_of(start), last_period - (REPORTED_MONTHS - 1))
    last = np.where(
        left != NO_DAY, np.minimum(month_of(np.maximum(left, 0)), last_period), last_period
    )
    months = np.maximum(last - first + 1, 0)
    contract = np.repeat(np.arange(len(contracts)), months)
    offset = np.arange(len(contract)) - np.repeat(np.cumsum(months) - months, months)
    frame = pd.DataFrame({"contract": contract, "period": first[contract] + offset})
    _amounts(ctx, contracts, frame)
    frame["paid_date"] = _paid_dates(ctx, employers, contracts, frame)
    return frame


def _amounts(ctx: Context, contracts: pd.DataFrame, frame: pd.DataFrame) -> None:
    c = frame["contract"].to_numpy()
    period = frame["period"].to_numpy()
    month_first = month_start(period)
    month_last = month_start(period + 1) - 1
    start = contracts["start"].to_numpy()[c]
    left = contracts["left"].to_numpy()[c]
    begin = np.maximum(start, month_first)
    end = np.where(left != NO_DAY, np.minimum(left, month_last), month_last)
    employed = end - begin + 1
    probation_end = contracts["probation_end"].to_numpy()[c]
    on_probation = np.clip(np.minimum(probation_end, end) - begin + 1, 0, None)
    monthly = contracts["monthly_fen"].to_numpy()[c]
    probation = np.where(on_probation > 0, contracts["probation_fen"].to_numpy()[c], 0)
    # Wage for the days worked, at the probation rate while on probation.
    due = (on_probation * probation + (employed - on_probation) * monthly) / (
        month_last - month_first + 1
    )
    piece_rate = contracts["piece_rate"].to_numpy()[c]
    due = np.where(piece_rate, due * ctx.rng.uniform(0.97, 1.10, len(c)), due)
    part_time = contracts["employment_type"].to_numpy()[c] == "part_time"
    part_hours = ctx.rng.integers(60, 97, len(c))
    hours = np.where(
        part_time,
        part_hours,
        ctx.working_days_between(begin - 1, end) * HOURS_PER_WORKING_DAY,
    )
    due = np.where(part_time, part_hours * contracts["hourly_fen"].to_numpy()[c], due)
    frame["days_employed"] = employed
    frame["amount_due_fen"] = np.rint(due).astype(np.int64)
    frame["amount_paid_fen"] = frame["amount_due_fen"]
    frame["hours"] = hours


def _paid_dates(
    ctx: Context, employers: pd.DataFrame, contracts: pd.DataFrame, frame: pd.DataFrame
) -> np.ndarray:
    """The employer's pay date for the period; a leaver's last month is settled on leaving."""
    e = contracts["employer"].to_numpy()[frame["contract"].to_numpy()]
    period = frame["period"].to_numpy()
    # Pay dates per employer and month, computed once on a small grid and looked up per row.
    first, span = int(period.min()), int(period.max() - period.min() + 1)
    grid_employer = np.repeat(np.arange(len(employers)), span)
    grid_period = np.tile(np.arange(first, first + span), len(employers))
    pay_day = employers["pay_day"].to_numpy()[grid_employer]
    lead = employers["pay_lead"].to_numpy()[grid_employer]
    grid = ctx.add_working_days(due_days(ctx, grid_period, pay_day), -lead)
    paid = grid.reshape(len(employers), span)[e, period - first]
    left = contracts["left"].to_numpy()[frame["contract"].to_numpy()]
    leaving_month = (left != NO_DAY) & (month_of(np.maximum(left, 0)) == period)
    settle = ctx.add_working_days(np.where(leaving_month, left, ctx.as_of), 1)
    return np.where(leaving_month, np.minimum(paid, settle), paid)
