"""The daily monitors run."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import text

from service.monitoring.schedule import next_run_at, run_daily

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_next_run_is_today_when_the_time_is_still_ahead():
    now = datetime(2026, 11, 30, 1, 30, tzinfo=SHANGHAI)
    assert next_run_at(now, time(2, 0)) == datetime(2026, 11, 30, 2, 0, tzinfo=SHANGHAI)


def test_next_run_is_tomorrow_once_the_time_has_passed():
    now = datetime(2026, 11, 30, 2, 0, tzinfo=SHANGHAI)
    assert next_run_at(now, time(2, 0)) == datetime(2026, 12, 1, 2, 0, tzinfo=SHANGHAI)


async def test_the_daily_run_evaluates_the_monitors_at_the_set_time(engine, reference):
    moments = iter(
        [
            datetime(2026, 11, 30, 1, 59, 59, 900_000, tzinfo=SHANGHAI),  # 0.1 s before 02:00
            datetime(2026, 11, 30, 2, 0, tzinfo=SHANGHAI),
        ]
    )
    await run_daily(
        engine, reference, at=time(2, 0), zone="Asia/Shanghai", clock=lambda: next(moments), runs=1
    )
    with engine.connect() as conn:
        run = conn.execute(text("SELECT trigger, as_of, status FROM monitor_run")).one()
    assert (run.trigger, str(run.as_of), run.status) == ("schedule", "2026-11-30", "succeeded")
