"""The daily monitors run at a configured local time, in the service's own process, then the
committees' reminders of mediation periods about to end.

The lock in service.monitoring.lock keeps it from overlapping an inspector's "run now" or
a run in another process.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy.engine import Engine

from monitors.reference import Reference
from service import clock as wenzhou
from service.db import session_scope
from service.flows.assessment import send_monthly_digest
from service.flows.monitor_runs import run_monitors
from service.mediation.service import due_reminders
from service.monitoring.lock import RunInProgress
from service.notifications.service import notify_case_reminder

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def next_run_at(now: datetime, at: time) -> datetime:
    """The next moment the clock shows `at` (today if still ahead, else tomorrow)."""
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


async def run_daily(
    engine: Engine,
    reference: Reference,
    *,
    at: time,
    zone: str,
    clock: Clock | None = None,
    runs: int | None = None,
    digest_recipients: tuple[str, ...] = (),
    base_url: str = "",
) -> None:
    """Run the monitors every day at `at` (local time of `zone`), and on the first of a month
    queue the assessment digest to `digest_recipients`; `runs` bounds the loop for tests."""
    clock = clock or (lambda: wenzhou.now(zone))
    done = 0
    while runs is None or done < runs:
        now = clock()
        await asyncio.sleep(max((next_run_at(now, at) - now).total_seconds(), 0))
        today = clock().date()
        await asyncio.to_thread(_run_once, engine, reference, today)
        await asyncio.to_thread(
            _send_digest, engine, reference, today, list(digest_recipients), base_url
        )
        done += 1


def _run_once(engine: Engine, reference: Reference, as_of: date) -> None:
    try:
        run_monitors(engine, reference, as_of=as_of, trigger="schedule")
        send_mediation_reminders(engine, reference, as_of)
    except RunInProgress:
        log.warning("daily monitors run skipped: another run is in progress")
    except Exception:  # the loop must survive one bad night; the error is logged in full
        log.exception("daily monitors run failed")


def _send_digest(
    engine: Engine, reference: Reference, today: date, recipients: list[str], base_url: str
) -> None:
    try:
        send_monthly_digest(
            engine, reference, today=today, recipients=recipients, base_url=base_url
        )
    except Exception:  # one failed digest must not stop the daily loop; logged in full
        log.exception("monthly assessment digest failed")


def send_mediation_reminders(engine: Engine, reference: Reference, today: date) -> int:
    """Remind committees of mediation periods about to end (once per case and day)."""
    with session_scope(engine) as session:
        reminders = due_reminders(session, today, reference=reference)
        for reminder in reminders:
            notify_case_reminder(session, reminder.complaint_id, reminder.days_left)
    return len(reminders)
