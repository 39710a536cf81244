"""Cost of filing one complaint in-process: CPU milliseconds and SQL statements per filing of
`file_once` (the use case behind anonymous `POST /api/complaints`), on the demo data, without
HTTP; then the cost of queueing their e-mails in the outbox sender's rounds. The intake
benchmark (bench/intake_bench.py) measures the served throughput; this one says where a
filing's CPU goes (`--profile` prints the heaviest functions).

    .venv/bin/python bench/filing_bench.py [--filings 200] [--database sqlite] [--profile]
"""

import argparse
import cProfile
import os
import pstats
import random
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    DEMO_DAY,
    drop_postgres,
    fresh_postgres,
    fresh_sqlite,
    run_measured,
    wageguard,
)

RECEIVED_AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=200)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url = fresh_sqlite("filing") if args.database == "sqlite" else fresh_postgres("filing")
    try:
        run_measured(wageguard("demo", "--as-of", DEMO_DAY), url)
        _measure(url, args)
    finally:
        if args.database == "postgresql":
            drop_postgres(url)


def _measure(url: str, args: argparse.Namespace) -> None:
    import service.models  # noqa: F401  every table, for the complaint's foreign keys
    from service.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        employers = [tuple(row) for row in conn.execute(text(_EMPLOYERS))]
    statements = [0]
    event.listen(engine, "before_cursor_execute", lambda *_: _count(statements))
    for _ in range(10):  # templates, compiled queries and caches: not steady state
        _file(engine, employers)
    statements[0] = 0
    # CPU time, not wall time: on a shared machine the wall clock counts other programs' turns.
    profile = cProfile.Profile(time.process_time) if args.profile else None
    started = time.process_time()
    if profile:
        profile.enable()
    for _ in range(args.filings):
        _file(engine, employers)
    if profile:
        profile.disable()
    cpu_ms = (time.process_time() - started) * 1000 / args.filings
    print(f"machine: {os.cpu_count()} CPUs, load average {_load()}")
    print(
        f"{args.database}: {args.filings} filings, {cpu_ms:.1f} ms CPU and "
        f"{statements[0] / args.filings:.1f} SQL statements per filing"
        + (" (profiled)" if profile else "")
    )
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    _measure_queueing(engine, statements, args.filings)


def _measure_queueing(engine, statements: list[int], filings: int) -> None:
    """The e-mails of those filings, queued afterwards by the outbox sender's rounds
    (service/notifications/filed.py): the work the request no longer does."""
    from service.config import Settings
    from service.notifications.filed import queue_filed_notices

    statements[0] = 0
    started = time.process_time()
    queued = 0
    while done := queue_filed_notices(engine, reference=_reference(), settings=Settings()):
        queued += done
    cpu_ms = (time.process_time() - started) * 1000 / queued
    print(
        f"then the sender's rounds queued their e-mails: {cpu_ms:.1f} ms CPU and "
        f"{statements[0] / queued:.1f} SQL statements per complaint ({queued} complaints)"
    )


_EMPLOYERS = "SELECT id, county_code FROM employer ORDER BY id"


@cache
def _reference():
    """The reference data, loaded once as the app's lifespan does."""
    from monitors.reference import load_reference

    return load_reference()


def _count(statements: list[int]) -> None:
    statements[0] += 1


def _file(engine, employers: list[tuple[int, str]]) -> None:
    from service.complaints.form import ComplaintForm
    from service.db import session_scope
    from service.flows.filing import file_once

    employer_id, county = random.choice(employers)
    form = ComplaintForm(
        county_code=county,
        employer_id=employer_id,
        period_from="2026-09",
        period_to="2026-10",
        amount_owed=str(random.randint(1000, 30000)),
        workers_affected="1",
        description="老板拖欠两个月工资，一直说下个月发。",
        phone="13812345678",
    )
    address = "10." + ".".join(str(random.randint(1, 254)) for _ in range(3))
    with session_scope(engine) as session:
        file_once(
            session,
            form=form,
            submission_key=str(uuid.uuid4()),
            address=address,
            received_at=RECEIVED_AT,
            reference=_reference(),
        )


def _load() -> str:
    return " ".join(re.findall(r"\d+\.\d+", Path("/proc/loadavg").read_text())[:3])


if __name__ == "__main__":
    main()
