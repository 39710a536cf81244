"""The official Chinese working-day calendar, for deadlines counted in working days (工作日).

Working days follow the State Council's yearly holiday notice, including the make-up working
Saturdays and Sundays (调休), as transcribed by the `chinese_calendar` package. For a year the
package does not know yet (it raises NotImplementedError — typically next year before the notice
is published), the calendar falls back to Monday–Friday: holidays of that year are then missing
and deadlines computed for it may come out a few days early. Update `chinese_calendar` each year.

The calendar is a precomputed table of every day from 2000-01-01 to 2040-12-31 with a running
count of working days, so deadlines are index arithmetic and `np.searchsorted`, also for whole
columns of dates. Dates outside the table raise ValueError.

Statutory holidays (法定节假日) are paid days although nobody works (劳社部发〔2008〕3号: 21.75 paid
days a month = working days plus statutory holidays). The package names every day of a holiday
break but not which of them are the statutory ones, so they are derived: a weekday of a break
that is not a swapped day (调休, `is_in_lieu`). That gives the 11 days of 2024 and the 13 of 2025
and 2026; a statutory day that falls on a weekend is then replaced by the weekday the notice
gives off instead, which is counted in its place.
"""

from datetime import date, timedelta
from functools import cache

import numpy as np
import pandas as pd
from chinese_calendar.constants import holidays, in_lieu_days, workdays

TABLE_FIRST_DAY = date(2000, 1, 1)
TABLE_LAST_DAY = date(2040, 12, 31)
_SATURDAY = 5


def _official_table(first_day: date, last_day: date) -> tuple[np.ndarray, np.ndarray]:
    """(working, paid) for every day of the range, from the package's tables in a few array
    operations: day by day, its functions look up the range of years they know on every call
    (~0.7 s for the 15,000 days, in every process that builds the calendar). tests/monitors
    check the table against those functions for every day. A paid day is a working day or a
    statutory holiday: a weekday off that is not a swapped day."""
    days = np.arange(np.datetime64(first_day, "D"), np.datetime64(last_day, "D") + 1)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    known = (years >= min(holidays).year) & (years <= max(holidays).year)

    def listed(table: dict[date, object]) -> np.ndarray:
        return np.isin(days, np.array(sorted(table), dtype="datetime64[D]"))

    weekdays = weekday < _SATURDAY
    working = np.where(known, (weekdays & ~listed(holidays)) | listed(workdays), weekdays)
    paid = working | (known & weekdays & ~listed(in_lieu_days))
    return working, paid


class WorkCalendar:
    """Working days per the official calendar (see the module docstring for the fallback)."""

    def __init__(self, first_day: date = TABLE_FIRST_DAY, last_day: date = TABLE_LAST_DAY) -> None:
        self.first_day, self.last_day = first_day, last_day
        self._is_working, is_paid = _official_table(first_day, last_day)
        # _worked[i]: working days from first_day through day i inclusive (non-decreasing).
        self._worked = np.cumsum(self._is_working, dtype=np.int64)
        self._paid = np.cumsum(is_paid, dtype=np.int64)
        self._epoch = np.datetime64(first_day, "D")

    # --- scalar forms ---------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        return bool(self._is_working[self._index(day)])

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day`; n=0 → `day` itself; n<0 → the |n|-th one before.

        Chinese law counts a period from the next day (Civil Code Art. 201), so `day` itself
        never counts, whether or not it is a working day.
        """
        out = self._add_working_days(np.array([self._index(day)]), np.array([n]))
        return self._to_date(out[0])

    def on_or_before_working_day(self, day: date) -> date:
        """`day` if it is a working day, else the last working day before it.

        A pay day that falls on a rest day or holiday is brought forward (Decree 724 Art. 14;
        工资支付暂行规定 Art. 7).
        """
        out = self._on_or_before(np.array([self._index(day)]))
        return self._to_date(out[0])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        return int(self._worked[self._index(end)] - self._worked[self._index(start)])

    # --- vectorised forms -----------------------------------------------------------------------

    def is_working_day_many(self, days: pd.Series) -> pd.Series:
        """Vectorised `is_working_day`; missing dates → False."""
        index, present = self._indices(days)
        return pd.Series(self._is_working[index] & present, index=days.index)

    def add_working_days_many(self, days: pd.Series, n: int | pd.Series) -> pd.Series:
        """Vectorised `add_working_days`; `n` is one number or a Series aligned by position."""
        index, present = self._indices(days)
        steps = np.broadcast_to(np.asarray(n, dtype=np.int64), index.shape)
        out = self._add_working_days(index[present], steps[present])
        return self._to_series(out, present, days)

    def on_or_after_working_day_many(self, days: pd.Series) -> pd.Series:
        """`day` if it is a working day, else the next working day; missing dates stay missing.

        A period whose last day is a rest day or holiday ends on the next working day (Civil
        Code Art. 203)."""
        index, present = self._indices(days)
        return self._to_series(self._on_or_after(index[present]), present, days)

    def paid_days_many(self, firsts: pd.Series, lasts: pd.Series) -> pd.Series:
        """Paid days (working days and statutory holidays) in [first, last], aligned by
        position; 0 when last is before first."""
        first, _ = self._indices(firsts)
        last, _ = self._indices(lasts)
        counts = self._paid[last] - _before(self._paid, first)
        return pd.Series(np.maximum(counts, 0), index=firsts.index, dtype="int64")

    def on_or_before_working_day_many(self, days: pd.Series) -> pd.Series:
        """Vectorised `on_or_before_working_day`; missing dates stay missing."""
        index, present = self._indices(days)
        return self._to_series(self._on_or_before(index[present]), present, days)

    def working_days_between_many(self, starts: pd.Series, ends: pd.Series) -> pd.Series:
        """Vectorised `working_days_between`, aligned by position; NA where either is missing."""
        start, start_present = self._indices(starts)
        end, end_present = self._indices(ends)
        counts = pd.Series(self._worked[end] - self._worked[start], index=starts.index)
        return counts.astype("Int64").where(start_present & end_present)

    # --- table arithmetic -----------------------------------------------------------------------

    def _add_working_days(self, index: np.ndarray, n: np.ndarray) -> np.ndarray:
        # Working days strictly before `day`, plus the day's own one when moving forward: the
        # target is the (count)-th working day of the table, found where the running count
        # first reaches it.
        before = self._worked[index] - self._is_working[index]
        target = np.where(n > 0, self._worked[index] + n, before + n + 1)
        found = np.searchsorted(self._worked, target, side="left")
        found = np.where(n == 0, index, found)
        self._check_inside((n == 0) | ((target >= 1) & (found < len(self._worked))))
        return found

    def _on_or_before(self, index: np.ndarray) -> np.ndarray:
        # The first day whose running count equals this day's is the last working day <= it.
        found = np.searchsorted(self._worked, self._worked[index], side="left")
        self._check_inside(self._is_working[found])
        return found

    def _on_or_after(self, index: np.ndarray) -> np.ndarray:
        # The first day whose running count reaches this day's count before it, plus one.
        target = self._worked[index] - self._is_working[index] + 1
        found = np.searchsorted(self._worked, target, side="left")
        self._check_inside(found < len(self._worked))
        return found

    def _index(self, day: date) -> int:
        if not self.first_day <= day <= self.last_day:
            raise ValueError(f"{day} is outside the working-day table")
        return (day - self.first_day).days

    def _indices(self, days: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        as_days = pd.to_datetime(days).to_numpy(dtype="datetime64[D]")
        present = ~np.isnat(as_days)
        index = np.where(present, (as_days - self._epoch).astype(np.int64), 0)
        if ((index < 0) | (index >= len(self._worked)))[present].any():
            raise ValueError("a date is outside the working-day table")
        return index, present

    def _check_inside(self, ok: np.ndarray) -> None:
        if not np.all(ok):
            raise ValueError("the result falls outside the working-day table")

    def _to_date(self, index: np.int64) -> date:
        return self.first_day + timedelta(days=int(index))

    def _to_series(self, index: np.ndarray, present: np.ndarray, days: pd.Series) -> pd.Series:
        """Dates on the input's index, in the input's datetime unit (seconds otherwise)."""
        out = np.full(len(present), np.datetime64("NaT"), dtype="datetime64[D]")
        out[present] = self._epoch + index
        unit = days.dtype if pd.api.types.is_datetime64_dtype(days.dtype) else "datetime64[s]"
        return pd.Series(out.astype(unit), index=days.index)  # type: ignore[arg-type]  # a numpy datetime64 dtype here


def _before(running: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The running count of the day before each index (0 before the table's first day)."""
    return np.where(index > 0, running[np.maximum(index - 1, 0)], 0)


@cache
def default_calendar() -> WorkCalendar:
    """One shared calendar over the default table (building one takes a few milliseconds)."""
    return WorkCalendar()
