"""Rate limits kept in the database: fixed windows counted by one atomic statement.

Why the database: the counters must hold across processes and instances (every instance
shares the database, not its memory) and under races. `hit()` counts and reads in a single
`INSERT … ON CONFLICT DO UPDATE … RETURNING` (PostgreSQL, SQLite ≥ 3.35): parallel requests
each get their own count, so forty simultaneous guesses cannot all read "four so far" and
pass. A limiter kept in memory (the `limits` package's default storage) would not be shared
between instances, and Redis would add a service the deployment does not otherwise need.

The caller counts an attempt *before* doing the work it guards and commits the count at
once (`session.commit()` in the route, on the request's own session and connection), so a
refusal that rolls the rest of the request back still counts, and the row lock is held only
for that moment, never while a password is hashed. `give_back()` returns a slot, e.g. after
a correct password, so that only failures add up while the race still cannot be won.

Two kinds of limit live here:
- fixed windows (`hit`, `count`, `give_back`): one row per key, cheap; a burst at a window's
  edge may see up to twice the limit. Used where that is acceptable (complaint intake,
  tracking per address, evidence uploads).
- moving windows (`take`, `take_all`, `release`): at most `limit` admitted hits in ANY
  stretch of `window`, whatever the window's edges. A key has up to `limit` slot rows, each
  holding when it was last taken; a hit takes a slot last taken at least `window` ago, or
  adds a slot while there are fewer than `limit`. Taking is one `UPDATE … WHERE slot =
  (SELECT … FOR UPDATE SKIP LOCKED)` (the queue pattern): parallel requests each take a
  different slot or none, so a race cannot pass the limit; a refused hit takes nothing, so
  the key reopens `window` after its oldest admitted hit (the `limits` package's moving
  window, kept in the database so that every instance shares it).
- growing delays (`delay_claim`, `delay_clear`): after `free` attempts each further attempt
  must wait, 1, 2, 4 … minutes up to a cap; never a permanent lock.
"""

import math
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Float, and_, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel

MAX_KEY_LENGTH = 200
FREE = -1.0e18  # `taken_at` of a slot given back: before any window


class RateLimitCount(SQLModel, table=True):
    """How often `key` was hit in the window that starts at `window_start` (epoch seconds)."""

    __tablename__ = "rate_limit_count"

    key: str = Field(primary_key=True, max_length=MAX_KEY_LENGTH)
    window_start: int
    count: int


class RateLimitSlot(SQLModel, table=True):
    """One of the `limit` slots of a moving-window key, and when it was last taken."""

    __tablename__ = "rate_limit_slot"

    key: str = Field(primary_key=True, max_length=MAX_KEY_LENGTH)
    slot: int = Field(primary_key=True)
    taken_at: float = Field(sa_type=Float)  # epoch seconds; FREE when given back


class RateLimitDelay(SQLModel, table=True):
    """Attempts on `key` since the last success, and the instant before which none is taken."""

    __tablename__ = "rate_limit_delay"

    key: str = Field(primary_key=True, max_length=MAX_KEY_LENGTH)
    attempts: int
    not_before: float = Field(sa_type=Float)  # epoch seconds
    last_at: float = Field(sa_type=Float)


@dataclass(frozen=True)
class Slot:
    key: str
    slot: int


@dataclass(frozen=True)
class Moving:
    """A moving-window limit on one key: at most `limit` hits in any `window`."""

    key: str
    limit: int
    window: timedelta


def take(session: Session, limit: Moving, *, now: float | None = None) -> Slot | None:
    """Take a slot of `limit.key`: the Slot, or None when `limit.limit` hits were admitted
    within the last `limit.window` (then nothing is recorded)."""
    moment = time.time() if now is None else now
    key = _bounded(limit.key)
    table = RateLimitSlot.__table__
    free = (
        select(table.c.slot)
        .where(
            table.c.key == key,
            table.c.slot < limit.limit,
            table.c.taken_at <= moment - limit.window.total_seconds(),
        )
        .order_by(table.c.taken_at, table.c.slot)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    taken = session.execute(
        update(table)
        .where(and_(table.c.key == key, table.c.slot == free))
        .values(taken_at=moment)
        .returning(table.c.slot)
    ).scalar_one_or_none()
    if taken is not None:
        return Slot(key, taken)
    existing = session.scalar(select(func.count()).where(table.c.key == key)) or 0
    for number in range(existing, limit.limit):
        # A parallel request may add the same slot first: then try the next one.
        insert = _insert_for(session)(table).values(key=key, slot=number, taken_at=moment)
        added = session.execute(
            insert.on_conflict_do_nothing(index_elements=[table.c.key, table.c.slot]).returning(
                table.c.slot
            )
        ).scalar_one_or_none()
        if added is not None:
            return Slot(key, added)
    return None


def take_all(session: Session, limits: list[Moving], *, now: float | None = None) -> list[Slot]:
    """A slot of every limit, in order, or none at all ([]): a refusal by one limit gives back
    what the others had taken, so a refused attempt uses up nothing."""
    taken: list[Slot] = []
    for limit in limits:
        slot = take(session, limit, now=now)
        if slot is None:
            for earlier in taken:
                release(session, earlier)
            return []
        taken.append(slot)
    return taken


def release(session: Session, slot: Slot) -> None:
    """Give a taken slot back (e.g. after a correct password): it is free again at once."""
    table = RateLimitSlot.__table__
    session.execute(
        update(table)
        .where(table.c.key == slot.key, table.c.slot == slot.slot)
        .values(taken_at=FREE)
    )


def delay_claim(
    session: Session,
    *,
    key: str,
    free: int,
    max_delay: timedelta,
    forget_after: timedelta,
    now: float | None = None,
) -> bool:
    """Claim an attempt on `key`: False while a delay is running. After `free` attempts
    (since the last `delay_clear`, or within `forget_after` of each other) each attempt
    opens a delay before the next: 1, 2, 4 … minutes, never more than `max_delay`. One
    atomic upsert: parallel attempts each see their own count."""
    moment = time.time() if now is None else now
    table = RateLimitDelay.__table__
    insert = _insert_for(session)(table).values(
        key=_bounded(key), attempts=1, not_before=0.0, last_at=moment
    )
    forgotten = table.c.last_at <= moment - forget_after.total_seconds()
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "attempts": case((forgotten, 1), else_=table.c.attempts + 1),
            "last_at": moment,
        },
        where=table.c.not_before <= moment,
    ).returning(table.c.attempts)
    attempts = session.execute(statement).scalar_one_or_none()
    if attempts is None:
        return False
    if attempts >= free:
        wait = growing_delay(attempts - free + 1, max_delay)
        session.execute(
            update(table)
            .where(table.c.key == _bounded(key))
            .values(not_before=moment + wait.total_seconds())
        )
    return True


def delay_clear(session: Session, *, key: str) -> None:
    """A success: the key's attempts start afresh."""
    table = RateLimitDelay.__table__
    session.execute(delete(table).where(table.c.key == _bounded(key)))


def growing_delay(extra_attempts: int, max_delay: timedelta) -> timedelta:
    """1, 2, 4 … minutes for the 1st, 2nd, 3rd … attempt beyond the free ones, capped."""
    if extra_attempts > 32:
        return max_delay
    return min(max_delay, timedelta(minutes=1) * 2 ** (extra_attempts - 1))


def hit(
    session: Session,
    *,
    key: str,
    limit: int,
    window: timedelta,
    now: float | None = None,
) -> bool:
    """Count one hit on `key`; True while the window holds at most `limit` hits.

    A refused hit counts too, so hammering on a closed door keeps it closed until the
    window ends (and no longer: nothing is locked for good)."""
    return count(session, key=key, window=window, now=now) <= limit


def count(session: Session, *, key: str, window: timedelta, now: float | None = None) -> int:
    """Count one hit on `key` and return the hits in the current window, this one included."""
    start = window_start(window, now)
    table = RateLimitCount.__table__
    insert = _insert_for(session)(table).values(key=_bounded(key), window_start=start, count=1)
    same_window = table.c.window_start == insert.excluded.window_start
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": case((same_window, table.c.count + 1), else_=1),
            "window_start": insert.excluded.window_start,
        },
    ).returning(table.c.count)
    return session.execute(statement).scalar_one()


def give_back(session: Session, *, key: str, window: timedelta, now: float | None = None) -> None:
    """Return one hit on `key` to the current window (never below zero)."""
    table = RateLimitCount.__table__
    session.execute(
        update(table)
        .where(
            table.c.key == _bounded(key),
            table.c.window_start == window_start(window, now),
            table.c.count > 0,
        )
        .values(count=table.c.count - 1)
    )


def window_start(window: timedelta, now: float | None = None) -> int:
    seconds = max(1, int(window.total_seconds()))
    moment = time.time() if now is None else now
    return math.floor(moment / seconds) * seconds


def _bounded(key: str) -> str:
    """Keys carry user input (a username, a tracking code): cut, never refused."""
    return key[:MAX_KEY_LENGTH]


def _insert_for(session: Session):
    dialect = session.get_bind().dialect.name
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
