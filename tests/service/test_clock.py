"""Wenzhou's day whatever the process's zone: the clock module, and the CLI's default as-of
day run as a real process with TZ set to UTC and to Pacific/Honolulu."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from service import clock
from service.db import make_engine
from service.imports.service import run_import
from tests.factories import write_folder

# 17:30 UTC on 30 November is 01:30 on 1 December in Wenzhou, 07:30 on 30 November in Honolulu.
INSTANT = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)
WENZHOU_DAY = date(2026, 12, 1)
HOST_ZONES = ("UTC", "Pacific/Honolulu")


@pytest.fixture(params=HOST_ZONES)
def host_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The process's own zone (what `date.today()` and naive `datetime.now()` follow)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        os.environ.pop("TZ")
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def at_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: INSTANT)


def test_today_is_wenzhous_day_whatever_the_process_zone(host_zone: str, at_instant: None):
    # The host's own day at that instant is still 30 November.
    assert datetime.fromtimestamp(INSTANT.timestamp()).date() == date(2026, 11, 30)
    assert clock.today() == WENZHOU_DAY
    assert clock.now().utcoffset().total_seconds() == 8 * 3600


def test_the_zone_is_a_setting(monkeypatch: pytest.MonkeyPatch, at_instant: None):
    assert clock.today("UTC") == date(2026, 11, 30)
    assert clock.configured_zone_name() == clock.DEFAULT_TIME_ZONE


def test_a_stored_utc_time_is_shown_in_wenzhou_time(host_zone: str) -> None:
    assert clock.shown(INSTANT) == "2026-12-01 01:30"
    # SQLite gives timestamps back without their zone: they are UTC.
    assert clock.shown(INSTANT.replace(tzinfo=None)) == "2026-12-01 01:30"
    assert clock.shown(None) == ""


def test_local_date_refuses_a_timestamp_without_zone() -> None:
    assert clock.local_date(INSTANT) == WENZHOU_DAY
    with pytest.raises(ValueError):
        clock.local_date(INSTANT.replace(tzinfo=None))


def test_the_zones_name_is_written_in_one_place() -> None:
    from service.config import PROJECT_ROOT

    written = [
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in (PROJECT_ROOT / "service").rglob("*.py")
        if '"Asia/Shanghai"' in path.read_text(encoding="utf-8")
    ]
    assert written == ["service/clock.py"]


@pytest.mark.parametrize("host", HOST_ZONES)
def test_monitors_run_defaults_to_the_wenzhou_day(
    db_url: str, reference, tmp_path, host: str
) -> None:
    """`wageguard monitors run` without --as-of, as a real process in the host's zone, at an
    instant when that zone's day is the day before Wenzhou's."""
    engine = make_engine(db_url)
    assert run_import(engine, write_folder(tmp_path / "in"), reference).ok  # the data, here
    environment = {**os.environ, "WAGEGUARD_DATABASE_URL": db_url, "TZ": host}
    command = (
        "import sys, datetime; import service.clock as c; "
        f"c.utc_now = lambda: datetime.datetime.fromisoformat({INSTANT.isoformat()!r}); "
        "from service.cli import app; sys.argv = ['wageguard', *sys.argv[1:]]; app()"
    )
    result = subprocess.run(
        [sys.executable, "-c", command, "monitors", "run"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        as_of = conn.execute(text("SELECT as_of FROM monitor_run ORDER BY id DESC")).scalar()
    engine.dispose()
    assert str(as_of) == WENZHOU_DAY.isoformat()
