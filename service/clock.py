"""Wenzhou's clock: every "today", every deadline day and every displayed time comes from here.

The service's day is the day in its time zone (setting WAGEGUARD_TIME_ZONE, Wenzhou's zone by
default), whatever the zone of the server or the process (`TZ`): at 01:30 in
Wenzhou it is already the next day there, though a UTC server still says the day before. The
instant itself is always read as an aware UTC time, so the host's zone never enters.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

# The one place the zone's name is written; settings default to it.
DEFAULT_TIME_ZONE = "Asia/Shanghai"
SHOWN_FORMAT = "%Y-%m-%d %H:%M"


def utc_now() -> datetime:
    """The current instant, aware, in UTC (the one read of the system clock)."""
    return datetime.now(UTC)


def _default_zone_name() -> str:
    return DEFAULT_TIME_ZONE


# How the configured zone is read: service.config installs its setting here when it is
# imported (config imports this module for the default, so this module cannot import config).
_zone_setting: Callable[[], str] = _default_zone_name


def read_zone_from(setting: Callable[[], str]) -> None:
    """Take the configured zone's name from `setting` (service.config's time_zone)."""
    global _zone_setting
    _zone_setting = setting


def configured_zone_name() -> str:
    return _zone_setting()


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone(name: str | None = None) -> ZoneInfo:
    """The zone `name`, or the configured one."""
    return _zone(name or configured_zone_name())


def now(zone: str | None = None) -> datetime:
    """The current time in Wenzhou (or in `zone`), aware."""
    return utc_now().astimezone(local_zone(zone))


def today(zone: str | None = None) -> date:
    """Today in Wenzhou (or in `zone`): the default as-of day of every run and page."""
    return now(zone).date()


def local_date(at: datetime, zone: str | None = None) -> date:
    """The day in Wenzhou of an aware timestamp."""
    if at.utcoffset() is None:
        raise ValueError("a timestamp without a time zone is ambiguous")
    return at.astimezone(local_zone(zone)).date()


def shown(moment: datetime | None, zone: str | None = None) -> str:
    """A stored timestamp as people read it: Wenzhou time, minutes. Timestamps are stored in
    UTC (`*_at`); one read back without its zone (SQLite) is UTC."""
    if moment is None:
        return ""
    aware = moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(local_zone(zone)).strftime(SHOWN_FORMAT)
