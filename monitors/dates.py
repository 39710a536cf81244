"""Date arithmetic shared by rules: pay days and month arithmetic, vectorised."""

import numpy as np
import pandas as pd

from monitors.calendar import WorkCalendar


def period_start(periods: pd.Series) -> pd.Series:
    """'YYYY-MM' → the first day of that month (NaT for a missing period)."""
    # Each distinct month parsed once: payroll has millions of rows and a few dozen months.
    code, distinct = pd.factorize(periods)
    texts = pd.Series(distinct, dtype=object).astype(str)
    starts = pd.to_datetime(texts + "-01", format="%Y-%m-%d")
    values = starts.to_numpy()
    table = np.append(values, np.array(["NaT"], dtype=values.dtype))
    return pd.Series(table[code], index=periods.index, name=periods.name)


def month_text(days: pd.Series) -> pd.Series:
    """Each day's month as 'YYYY-MM' (missing stays missing): `dt.strftime` formats every row,
    this formats each distinct month once."""
    months = days.dt.year * 12 + days.dt.month - 1
    code, distinct = pd.factorize(months)
    texts = [f"{int(m) // 12:04d}-{int(m) % 12 + 1:02d}" for m in distinct]
    return pd.Series(np.array([*texts, None], dtype=object)[code], index=days.index, dtype="str")


def period_end(periods: pd.Series) -> pd.Series:
    return period_start(periods) + pd.offsets.MonthEnd(0)


def wage_due_dates(periods: pd.Series, pay_days: pd.Series, calendar: WorkCalendar) -> pd.Series:
    """The day wages for `periods` are due: `pay_day` of the following month (its last day
    when the month is shorter), moved to the previous working day when it is a rest day
    (Decree 724 Art. 14; 工资支付暂行规定 Art. 7)."""
    # Millions of rows, a few hundred distinct (period, pay day) pairs: each worked out once.
    period_code, _ = pd.factorize(periods)
    day_code, days = pd.factorize(pay_days)
    pair, _ = pd.factorize(period_code.astype(np.int64) * (len(days) + 1) + day_code)
    first = pd.Series(pair).drop_duplicates().index.to_numpy()
    due = _due_dates(periods.iloc[first], pay_days.iloc[first], calendar)
    return pd.Series(due.to_numpy()[pair], index=periods.index, name=due.name)


def _due_dates(periods: pd.Series, pay_days: pd.Series, calendar: WorkCalendar) -> pd.Series:
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
