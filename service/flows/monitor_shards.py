"""Every county's shard of a monitors run, in parallel processes on this machine.

A process runs one shard at a time and holds only that shard's share of the data: memory is
bounded by the largest shard, not the city.
Several machines are several invocations with different counties against one PostgreSQL;
the shard locks (service.monitoring.lock) keep their runs apart.
"""

import multiprocessing
import resource
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine

from monitors.reference import Reference, load_reference
from service.config import get_settings
from service.db import get_engine, reclaim_and_refresh
from service.flows.monitor_runs import RUN_WRITES, run_shard
from service.monitoring.lock import RunInProgress


@dataclass
class ShardResult:
    county: str
    line: str  # the run's summary, or why it did not run
    ran: bool
    peak_rss_mb: float  # of the process that ran it


def every_county(engine: Engine) -> list[str]:
    """The counties that have employers, the most employers first: the largest shards start
    first, so the last one to finish is a small one."""
    query = (
        "SELECT county_code FROM employer GROUP BY county_code ORDER BY count(*) DESC, county_code"
    )
    with engine.connect() as conn:
        return [str(code) for code in conn.execute(text(query)).scalars()]


def unknown_counties(engine: Engine, counties: list[str]) -> list[str]:
    if not counties:
        return []  # an empty IN list is typed integer on PostgreSQL: no text codes match it
    query = text("SELECT code FROM jurisdiction WHERE code IN :codes").bindparams(
        bindparam("codes", expanding=True)
    )
    with engine.connect() as conn:
        known = set(conn.execute(query, {"codes": counties}).scalars())
    return [county for county in counties if county not in known]


def run_county_shards(
    engine: Engine, counties: list[str], *, as_of: date, processes: int, trigger: str = "cli"
) -> list[ShardResult]:
    """Run each county's shard: in this process one after another (`processes` 1), or in
    `processes` worker processes, each taking the next shard when done with one."""
    if processes == 1:
        reference = load_reference(get_settings().data_dir)
        results = [_run_here(engine, reference, county, as_of, trigger) for county in counties]
    else:
        results = _run_in_workers(counties, as_of, trigger, processes)
    if any(result.ran for result in results):
        # The alerts and tiers the shards rewrote, vacuumed once for them all (a VACUUM per
        # shard would queue the shards behind one another's table locks).
        reclaim_and_refresh(engine, RUN_WRITES)
    return results


def _run_in_workers(
    counties: list[str], as_of: date, trigger: str, processes: int
) -> list[ShardResult]:
    # spawn, not fork: a worker starts without the parent's engine and its connections. A
    # worker runs several shards (a fresh process per shard cost more than a small shard's
    # run); it frees one shard's frames before the next, so its peak is its largest shard's.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_start_worker) as pool:
        futures = [pool.submit(_run_in_worker, county, as_of, trigger) for county in counties]
        return [future.result() for future in futures]


def _run_here(
    engine: Engine, reference: Reference, county: str, as_of: date, trigger: str
) -> ShardResult:
    try:
        summary = run_shard(engine, reference, counties=[county], as_of=as_of, trigger=trigger)
    except RunInProgress as error:
        return ShardResult(county, str(error), ran=False, peak_rss_mb=_peak_rss_mb())
    return ShardResult(county, summary.line(), ran=True, peak_rss_mb=_peak_rss_mb())


# A worker's engine and reference data, made once from the settings (the environment) the
# worker inherited.
_worker: dict[str, Any] = {}


def _start_worker() -> None:
    settings = get_settings()
    _worker["engine"] = get_engine(settings)
    _worker["reference"] = load_reference(settings.data_dir)


def _run_in_worker(county: str, as_of: date, trigger: str) -> ShardResult:
    return _run_here(_worker["engine"], _worker["reference"], county, as_of, trigger)


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
