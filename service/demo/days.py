"""Dates as day numbers (days since 1970-01-01) in int64 arrays, so whole columns of dates can
be shifted and compared at numpy speed; NO_DAY marks an empty date cell."""

from datetime import date

import numpy as np
import pandas as pd

NO_DAY = np.iinfo(np.int32).min  # an empty date cell
_EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    return (d - _EPOCH).days


def month_of(days: np.ndarray) -> np.ndarray:
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_start(months: np.ndarray) -> np.ndarray:
    return np.asarray(months).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def days_in_month(months: np.ndarray) -> np.ndarray:
    return month_start(np.asarray(months) + 1) - month_start(months)


def add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Same day of the month `months` later, or that month's last day (LCL terms run so)."""
    target = month_of(days) + months
    day_of_month = np.asarray(days) - month_start(month_of(days))
    return month_start(target) + np.minimum(day_of_month, days_in_month(target) - 1)


def round_up(values: np.ndarray, step: int) -> np.ndarray:
    return -(-np.asarray(values, dtype=np.int64) // step) * step


def period_text(months: np.ndarray) -> np.ndarray:
    """`YYYY-MM` per month number, formatted once per distinct month."""
    unique, inverse = np.unique(months, return_inverse=True)
    return unique.astype("datetime64[M]").astype(str)[inverse]


def date_text(days: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(days).astype("datetime64[D]").astype(str), dtype="str")


def as_dates(days: np.ndarray) -> np.ndarray:
    """Day numbers → datetime64 with NaT for an empty cell."""
    days = np.asarray(days, dtype=np.int64)
    out = days.astype("datetime64[D]")
    out[days == NO_DAY] = np.datetime64("NaT")
    return out.astype("datetime64[s]")


def to_datetime_series(days: np.ndarray) -> pd.Series:
    return pd.Series(
        np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[s]")
    )


def from_datetime_series(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="datetime64[D]").astype(np.int64)
