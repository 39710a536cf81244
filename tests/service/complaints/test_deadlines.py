"""The legal dates: calendar days from the day after receipt, moved off rest days and holidays
by the official working-day calendar (Law Art. 14; Civil Code Arts. 201, 203)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from monitors.calendar import default_calendar
from monitors.reference import load_reference
from service.complaints.deadlines import (
    arbitration_deadline,
    local_date,
    mediation_due_on,
    reminder_from,
)

REFERENCE = load_reference()
PERIOD = int(REFERENCE.value("mediation_period_days", on=date(2026, 9, 20)))
CALENDAR = default_calendar()


def due(received_on: date) -> date:
    return mediation_due_on(received_on, reference=REFERENCE)


def test_the_period_counts_calendar_days_from_the_day_after_receipt() -> None:
    received = date(2026, 11, 2)
    last = received + timedelta(days=PERIOD)
    assert CALENDAR.is_working_day(last)  # an ordinary Tuesday

    assert due(received) == last == date(2026, 11, 17)


def test_a_last_day_on_a_weekend_moves_to_monday() -> None:
    assert date(2026, 11, 6) + timedelta(days=PERIOD) == date(2026, 11, 21)  # a Saturday

    assert due(date(2026, 11, 6)) == date(2026, 11, 23)


def test_a_last_day_in_the_national_day_holiday_moves_past_it() -> None:
    # Received 2026-09-20 (a make-up working Sunday): the 15th day is 5 October, inside the
    # National Day holiday (1–7 October); the next working day is Thursday 8 October.
    assert date(2026, 9, 20) + timedelta(days=PERIOD) == date(2026, 10, 5)

    assert due(date(2026, 9, 20)) == date(2026, 10, 8)


def test_a_last_day_on_a_make_up_working_saturday_stays() -> None:
    assert not date(2026, 10, 10).weekday() < 5 and CALENDAR.is_working_day(date(2026, 10, 10))

    assert due(date(2026, 9, 25)) == date(2026, 10, 10)


def test_reminders_start_a_number_of_calendar_days_before_the_deadline() -> None:
    days = int(REFERENCE.value("mediation_reminder_days_before", on=date(2026, 10, 8)))

    start = reminder_from(date(2026, 10, 8), reference=REFERENCE, on=date(2026, 10, 1))

    assert start == date(2026, 10, 8) - timedelta(days=days)


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (date(2026, 9, 20), date(2027, 9, 20)),
        (date(2028, 2, 29), date(2029, 2, 28)),  # no 29 February: the month's last day
    ],
)
def test_the_arbitration_deadline_is_a_year_from_receipt(received: date, deadline: date) -> None:
    assert REFERENCE.value("arbitration_limitation_years", on=received) == 1

    assert arbitration_deadline(received, reference=REFERENCE) == deadline


def test_the_day_of_a_timestamp_is_the_day_in_wenzhou() -> None:
    assert local_date(datetime(2026, 9, 20, 15, 59, tzinfo=UTC)) == date(2026, 9, 20)
    assert local_date(datetime(2026, 9, 20, 16, 0, tzinfo=UTC)) == date(2026, 9, 21)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 9, 20, 16, 0))
