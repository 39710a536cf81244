"""The county assessment's figures, cached in the database per period and cut-off day, keyed
on the versions of everything they are computed from.

Why the database and not a per-process cache: `wageguard serve --workers N` runs N processes,
and a first computation takes tens of seconds at scale; a row computed by one worker serves
every worker (and survives a restart), and the page, its XLSX, its PDF, the JSON twin and the
e-mails read the same figures. Nothing is ever invalidated by hand: a change to any input
gives a new key, so the next view computes afresh and replaces the period's older rows.

The inputs, each one that only grows when its data changes, in commit order:
- the data version (service/data_version.py: every import — coordinators included —,
  complaint, mediation step and deposit change bumps it in its own transaction);
- the latest monitors run that touched alerts (runs are serialised by the monitors lock; a
  run that reused the previous findings changes no alert and is left out);
- the alert-handling audit entries (acknowledge, assign, resolve): their count and latest id.
  The audit log is append-only, so the count differs as soon as one more entry is committed,
  even one committed after an entry with a higher id;
- the coordinators rows of the period's year, as they are (12 rows);
- the reference data, the measures asked for and FORMAT (the code's version of the figures).

The inputs are read before the figures are computed, so a row never holds figures older than
its key says; a change committed during a computation gives the next view a new key.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from datetime import date
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from service import clock, data_version

# Bump when the computation of any figure changes, so rows computed by older code go unread.
FORMAT = 1
HANDLING_ACTIONS = ("alert.acknowledge", "alert.assign", "alert.resolve")

_HANDLING = text(
    "SELECT COUNT(*), MAX(id) FROM audit_log WHERE entity = 'alert' AND action IN :actions"
).bindparams(bindparam("actions", expanding=True))


def inputs(conn: Connection, *, year: int, reference_digest: str) -> dict[str, Any]:
    """The versions of everything the figures of `year` (or a quarter of it) depend on."""
    run_id = conn.execute(
        text(
            "SELECT MAX(id) FROM monitor_run WHERE status = 'succeeded' "
            "AND reused_findings = :reused"
        ),
        {"reused": False},
    ).scalar()
    handled, last_handled = conn.execute(_HANDLING, {"actions": list(HANDLING_ACTIONS)}).one()
    coordinators = conn.execute(
        text(
            "SELECT county_code, coordinators, registered_migrants FROM county_coordinators "
            "WHERE year = :year ORDER BY county_code"
        ),
        {"year": year},
    ).all()
    return {
        "format": FORMAT,
        "data_version": data_version.current(conn),
        "monitor_run": run_id,
        "handling": [int(handled), last_handled],
        "coordinators": [list(row) for row in coordinators],
        "reference": reference_digest,
    }


def key_of(period_key: str, cut_off: date, measures: list[str], found: dict[str, Any]) -> str:
    body = {"period": period_key, "cut_off": cut_off.isoformat(), "measures": measures} | found
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def load(conn: Connection, key: str) -> dict[str, Any] | None:
    """The figures stored under `key`, or None."""
    fresh = _fresh(conn, key)
    if fresh is not None:
        return fresh
    stored = conn.execute(
        text("SELECT figures FROM assessment_figures WHERE inputs_key = :key"), {"key": key}
    ).scalar()
    if stored is None:
        return None
    return json.loads(stored) if isinstance(stored, str) else stored


def store(
    conn: Connection,
    *,
    key: str,
    period_key: str,
    cut_off: date,
    found: dict[str, Any],
    figures: dict[str, Any],
) -> None:
    """Keep the figures under `key` in `conn`'s transaction (the request's, committed with
    it), and drop the period's rows of older inputs (no view asks for them again: their inputs
    have moved on). Another worker that stored the same key first wins; its figures are the
    same, and the savepoint keeps the request's transaction usable after the clash."""
    _remember(conn, key, figures)
    try:
        with conn.begin_nested():
            conn.execute(
                text(
                    "DELETE FROM assessment_figures WHERE period_key = :period "
                    "AND inputs_key <> :key"
                ),
                {"period": period_key, "key": key},
            )
            conn.execute(
                text(
                    "INSERT INTO assessment_figures (period_key, cut_off, inputs_key, inputs, "
                    "figures, computed_at) VALUES (:period, :cut_off, :key, :inputs, "
                    ":figures, :at)"
                ),
                {
                    "period": period_key,
                    "cut_off": cut_off,
                    "key": key,
                    "inputs": json.dumps(found),
                    "figures": json.dumps(figures),
                    "at": clock.utc_now(),
                },
            )
    except IntegrityError:
        pass


# The figures this process computed last, per database: a request waiting on `computing`
# reads them here while the request that computed them has not yet committed its row. A key
# names its inputs, so figures found here are right whether or not that row is ever committed.
_FRESH: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
FRESH_KEPT = 8


def _remember(conn: Connection, key: str, figures: dict[str, Any]) -> None:
    with _LOCKS_GUARD:
        _FRESH[(_database(conn), key)] = figures
        while len(_FRESH) > FRESH_KEPT:
            _FRESH.popitem(last=False)


def _fresh(conn: Connection, key: str) -> dict[str, Any] | None:
    with _LOCKS_GUARD:
        return _FRESH.get((_database(conn), key))


def _database(conn: Connection) -> str:
    return conn.engine.url.render_as_string(hide_password=True)


# Within one process, two requests missing the same key (the page and its PDF, say) compute
# once: the second waits for the first and then reads its row.
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def computing(key: str) -> threading.Lock:
    with _LOCKS_GUARD:
        if len(_LOCKS) > 64:
            for stale in [k for k, lock in _LOCKS.items() if not lock.locked()]:
                del _LOCKS[stale]
        return _LOCKS.setdefault(key, threading.Lock())
