"""The daily monitors run."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import text

from service.flows.daily import next_run_at, run_daily

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


async def test_on_the_first_of_a_month_in_wenzhou_the_assessment_digest_is_queued(
    engine, reference
):
    # 02:00 on 1 December in Wenzhou is still 30 November in UTC: Wenzhou's day counts.
    moments = iter(
        [
            datetime(2026, 12, 1, 1, 59, 59, 900_000, tzinfo=SHANGHAI),
            datetime(2026, 12, 1, 2, 0, tzinfo=SHANGHAI),
        ]
    )
    await run_daily(
        engine, reference, at=time(2, 0), zone="Asia/Shanghai", clock=lambda: next(moments),
        runs=1, digest_recipients=("leader@wenzhou.example.cn",), base_url="https://wg.test",
    )  # fmt: skip
    with engine.connect() as conn:
        queued = conn.execute(
            text("SELECT to_address, subject FROM outbox_message WHERE kind = 'assessment_report'")
        ).all()
    assert [row.to_address for row in queued] == ["leader@wenzhou.example.cn"]
    assert "2026年" in queued[0].subject


async def test_on_other_days_no_digest_is_queued(engine, reference):
    moments = iter(
        [
            datetime(2026, 11, 30, 1, 59, 59, 900_000, tzinfo=SHANGHAI),
            datetime(2026, 11, 30, 2, 0, tzinfo=SHANGHAI),
        ]
    )
    await run_daily(
        engine, reference, at=time(2, 0), zone="Asia/Shanghai", clock=lambda: next(moments),
        runs=1, digest_recipients=("leader@wenzhou.example.cn",), base_url="https://wg.test",
    )  # fmt: skip
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM outbox_message")).scalar()
    assert count == 0
