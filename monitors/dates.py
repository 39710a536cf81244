"""Date arithmetic shared by rules: pay days and month arithmetic, vectorised."""

import numpy as np
import pandas as pd

from monitors.calendar import WorkCalendar


def period_start(periods: pd.Series) -> pd.Series:
    """'YYYY-MM' → the first day of that month."""
    return pd.to_datetime(periods.astype(str) + "-01", format="%Y-%m-%d")


def period_end(periods: pd.Series) -> pd.Series:
    return period_start(periods) + pd.offsets.MonthEnd(0)


def wage_due_dates(periods: pd.Series, pay_days: pd.Series, calendar: WorkCalendar) -> pd.Series:
    """The day wages for `periods` are due: `pay_day` of the following month (its last day
    when the month is shorter), moved to the previous working day when it is a rest day
    (Decree 724 Art. 14; 工资支付暂行规定 Art. 7)."""
    next_month = period_start(periods) + pd.offsets.MonthBegin(1)
    days_in_month = next_month.dt.days_in_month
    day = np.minimum(pay_days.astype("int64").to_numpy(), days_in_month.to_numpy())
    nominal = next_month + pd.to_timedelta(day - 1, unit="D")
    return calendar.on_or_before_working_day_many(nominal)


def add_months(days: pd.Series, months: int | pd.Series) -> pd.Series:
    """Same day `months` later (clamped to the month's end), vectorised."""
    if isinstance(months, int):
        return days + pd.DateOffset(months=months)
    # DateOffset per row is not vectorised; go through month numbers.
    total = days.dt.year * 12 + (days.dt.month - 1) + months
    first = pd.to_datetime(
        {"year": total // 12, "month": total % 12 + 1, "day": 1}, errors="coerce"
    )
    last_day = first.dt.days_in_month
    return first + pd.to_timedelta(np.minimum(days.dt.day, last_day) - 1, unit="D")


def periods_between(start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    """The 'YYYY-MM' months from start's month to end's month, inclusive."""
    return [p.strftime("%Y-%m") for p in pd.period_range(start, end, freq="M")]
