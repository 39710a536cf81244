"""The legal dates of a complaint: the mediation period, the reminder window and the
arbitration limitation. Every figure comes from data/parameters.csv.

Chinese law counts a period from the day after the triggering day, and a period whose last
day is a rest day or holiday ends on the next working day (Civil Code Arts. 201, 203).
"""

from datetime import date, timedelta

from monitors.calendar import WorkCalendar, default_calendar
from monitors.reference import Reference
from service import clock

# Wenzhou's time: a complaint received at 23:30 on the 20th (Beijing time) was received on the
# 20th, although it is still the 20th at 15:30 UTC.
local_date = clock.local_date


def mediation_due_on(
    received_on: date, *, reference: Reference, calendar: WorkCalendar | None = None
) -> date:
    """The last day of the mediation period: received + N calendar days (Law Art. 14 ¶3;
    ZJ Art. 10: within 15 days of the mediation body receiving the application), moved to
    the next working day when that day is a rest day or holiday (Civil Code Art. 203).

    Routing is immediate, so the service's receipt is the mediation body's receipt.
    """
    calendar = calendar or default_calendar()
    days = int(reference.value("mediation_period_days", on=received_on))
    last = received_on + timedelta(days=days)
    # The first working day after the day before `last`: `last` itself when it is one.
    return calendar.add_working_days(last - timedelta(days=1), 1)


def reminder_from(due_on: date, *, reference: Reference, on: date) -> date:
    """The first day a reminder goes out: `mediation_reminder_days_before` calendar days
    before the deadline (the parameter's unit is calendar days)."""
    days = int(reference.value("mediation_reminder_days_before", on=on))
    return due_on - timedelta(days=days)


def arbitration_deadline(received_on: date, *, reference: Reference) -> date:
    """A conservative last day to apply for arbitration after mediation fails.

    The limitation is one year from when the worker knew of the infringement (Law Art. 27
    ¶1). Complaining to a mediation body is a request for relief that interrupts it, and the
    year runs afresh from the interruption (¶2); for wages owed during employment it does not
    run at all until the employment ends (¶4). WageGuard knows neither when the worker learnt
    of it nor when the employment ends, so it counts the year from the receipt: the true limit
    is never earlier. A year ends on the same date of the next year, or the month's last day
    when there is none (Civil Code Art. 202); not moved off rest days, to stay conservative.
    """
    years = int(reference.value("arbitration_limitation_years", on=received_on))
    try:
        return received_on.replace(year=received_on.year + years)
    except ValueError:  # 29 February → 28 February
        return received_on.replace(year=received_on.year + years, day=28)
