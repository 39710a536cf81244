"""The working-day calendar: official holidays, make-up working days, deadlines."""

from datetime import date, timedelta

import chinese_calendar
import numpy as np
import pandas as pd
import pytest
from chinese_calendar.constants import workdays as makeup_workdays

from monitors.calendar import (
    TABLE_FIRST_DAY,
    TABLE_LAST_DAY,
    WorkCalendar,
    _official_table,
    default_calendar,
)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return default_calendar()


def test_national_day_2026_is_a_holiday_week(cal: WorkCalendar) -> None:
    # State Council notice for 2026: 1–7 October off; the 8th (a Thursday) is a working day.
    for day in range(1, 8):
        assert not cal.is_working_day(date(2026, 10, day))
    assert cal.is_working_day(date(2026, 10, 8))


def test_makeup_weekend_days_of_2026_are_working_days(cal: WorkCalendar) -> None:
    weekend_makeups = [d for d in makeup_workdays if d.year == 2026 and d.weekday() >= 5]
    assert date(2026, 2, 14) in weekend_makeups  # Saturday before the Spring Festival
    for day in weekend_makeups:
        assert cal.is_working_day(day)


def test_ordinary_weekend_is_a_rest_day(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(date(2026, 11, 29))  # Sunday
    assert cal.is_working_day(date(2026, 11, 30))  # Monday


def test_counting_starts_on_the_next_day(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 11, 30), 1) == date(2026, 12, 1)
    assert cal.add_working_days(date(2026, 11, 29), 1) == date(2026, 11, 30)
    assert cal.add_working_days(date(2026, 11, 29), 0) == date(2026, 11, 29)


def test_adding_working_days_skips_the_spring_festival(cal: WorkCalendar) -> None:
    # Fri 13 Feb, make-up Sat 14 Feb, holiday 15–23 Feb 2026.
    assert cal.add_working_days(date(2026, 2, 12), 1) == date(2026, 2, 13)
    assert cal.add_working_days(date(2026, 2, 12), 2) == date(2026, 2, 14)
    assert cal.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert cal.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)


def test_twenty_working_days_after_a_permit_before_national_day(cal: WorkCalendar) -> None:
    # 16–18 Sep, make-up Sun 20 Sep, 21–24 Sep (8); Mid-Autumn 25–27 Sep off; 28–30 Sep (11);
    # National Day 1–7 Oct off; 8–9 Oct, make-up Sat 10 Oct (14); 12–16 Oct (19); Mon 19 Oct (20).
    due = cal.add_working_days(date(2026, 9, 15), 20)
    assert due == date(2026, 10, 19)
    assert cal.working_days_between(date(2026, 9, 15), due) == 20


def test_pay_day_on_a_sunday_moves_to_friday(cal: WorkCalendar) -> None:
    assert cal.on_or_before_working_day(date(2026, 11, 29)) == date(2026, 11, 27)


def test_pay_day_on_national_day_moves_to_the_last_day_of_september(cal: WorkCalendar) -> None:
    assert cal.on_or_before_working_day(date(2026, 10, 1)) == date(2026, 9, 30)


def test_pay_day_on_a_working_day_stays(cal: WorkCalendar) -> None:
    assert cal.on_or_before_working_day(date(2026, 2, 14)) == date(2026, 2, 14)


def test_working_days_between_excludes_start_and_includes_end(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 1
    assert cal.working_days_between(date(2026, 11, 30), date(2026, 11, 30)) == 0
    assert cal.working_days_between(date(2026, 11, 30), date(2026, 11, 27)) == -1


def test_a_year_unknown_to_the_package_falls_back_to_monday_to_friday(cal: WorkCalendar) -> None:
    day = date(2035, 10, 1)  # a Monday; the holiday notice for 2035 does not exist yet
    assert cal.is_working_day(day)
    assert not cal.is_working_day(date(2035, 10, 6))


def test_dates_outside_the_table_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.is_working_day(date(1999, 12, 31))
    with pytest.raises(ValueError):
        cal.add_working_days(date(2040, 12, 28), 10)


def test_vectorised_forms_agree_with_the_scalar_ones(cal: WorkCalendar) -> None:
    rng = np.random.default_rng(2026)
    offsets = rng.integers(0, (date(2034, 12, 31) - date(2016, 1, 1)).days, size=2_000)
    days = [date(2016, 1, 1) + timedelta(days=int(o)) for o in offsets]
    steps = rng.integers(-15, 30, size=2_000)
    series = pd.Series(days, index=np.arange(2_000) * 3)

    added = cal.add_working_days_many(series, pd.Series(steps)).dt.date.tolist()
    assert added == [cal.add_working_days(d, int(n)) for d, n in zip(days, steps, strict=True)]
    added_20 = cal.add_working_days_many(series, 20).dt.date.tolist()
    assert added_20 == [cal.add_working_days(d, 20) for d in days]
    before = cal.on_or_before_working_day_many(series).dt.date.tolist()
    assert before == [cal.on_or_before_working_day(d) for d in days]
    ends = pd.to_datetime(series) + pd.to_timedelta(steps * 3, unit="D")
    between = cal.working_days_between_many(series, ends).tolist()
    assert between == [
        cal.working_days_between(d, e) for d, e in zip(days, ends.dt.date, strict=True)
    ]
    working = cal.is_working_day_many(series).tolist()
    assert working == [cal.is_working_day(d) for d in days]
    assert cal.add_working_days_many(series, 1).index.equals(series.index)


def test_vectorised_forms_keep_the_datetime_unit_of_their_input(cal: WorkCalendar) -> None:
    days = pd.Series(pd.to_datetime(["2026-10-01"])).astype("datetime64[ns]")
    assert cal.on_or_before_working_day_many(days).dtype == "datetime64[ns]"
    assert cal.add_working_days_many(pd.Series([date(2026, 10, 1)]), 1).dtype == "datetime64[s]"


def test_vectorised_forms_keep_missing_dates_missing(cal: WorkCalendar) -> None:
    days = pd.Series(pd.to_datetime(["2026-10-01", None]))
    assert cal.on_or_before_working_day_many(days).isna().tolist() == [False, True]
    assert cal.add_working_days_many(days, 3).isna().tolist() == [False, True]


def series(*days: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(days)))


@pytest.mark.parametrize(
    ("day", "moved"),
    [
        ("2026-02-13", "2026-02-13"),  # Friday before the Spring Festival: a working day
        ("2026-02-14", "2026-02-14"),  # make-up working Saturday
        ("2026-02-17", "2026-02-24"),  # in the Spring Festival → first working day after
        ("2026-02-23", "2026-02-24"),  # last day of the break
        ("2026-02-24", "2026-02-24"),
    ],
)
def test_a_period_ending_on_a_rest_day_ends_on_the_next_working_day(
    cal: WorkCalendar, day: str, moved: str
) -> None:
    # Civil Code Art. 203.
    assert cal.on_or_after_working_day_many(series(day)).dt.date.tolist() == [
        date.fromisoformat(moved)
    ]


def test_statutory_holidays_are_paid_days_and_swapped_days_off_are_not(cal: WorkCalendar) -> None:
    # Spring Festival 2026: 02-16 … 02-19 statutory; 02-20 and 02-23 swapped (调休); weekends.
    assert cal.paid_days_many(series("2026-02-15"), series("2026-02-23")).tolist() == [4]
    assert cal.paid_days_many(series("2026-02-14"), series("2026-02-14")).tolist() == [1]
    assert cal.paid_days_many(series("2026-02-20"), series("2026-02-23")).tolist() == [0]
    assert cal.paid_days_many(series("2026-02-24"), series("2026-02-23")).tolist() == [0]


@pytest.mark.parametrize(("year", "statutory"), [(2024, 11), (2025, 13), (2026, 13)])
def test_a_year_has_its_statutory_holidays_as_paid_days(
    cal: WorkCalendar, year: int, statutory: int
) -> None:
    first, last = date(year, 1, 1), date(year, 12, 31)
    paid = cal.paid_days_many(series(first.isoformat()), series(last.isoformat())).iloc[0]
    working = cal.working_days_between(first, last) + cal.is_working_day(first)
    assert paid - working == statutory


def _package_is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5  # a year the package does not know: Monday–Friday


def _package_is_paid(day: date) -> bool:
    if _package_is_workday(day):
        return True
    try:
        return day.weekday() < 5 and not chinese_calendar.is_in_lieu(day)
    except NotImplementedError:
        return False


def test_the_table_gives_the_packages_answer_for_every_day() -> None:
    """The table is built from the package's data at once; day by day, its own functions
    (and the fallback for the years it does not know) must say the same."""
    working, paid = _official_table(TABLE_FIRST_DAY, TABLE_LAST_DAY)
    days = [TABLE_FIRST_DAY + timedelta(days=i) for i in range(len(working))]
    assert days[-1] == TABLE_LAST_DAY
    assert [
        d for d, mine in zip(days, working, strict=True) if mine != _package_is_workday(d)
    ] == []
    assert [d for d, mine in zip(days, paid, strict=True) if mine != _package_is_paid(d)] == []
