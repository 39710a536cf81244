"""SQL → named DataFrames: the only place monitor inputs touch the database.

Every frame is read in one transaction (a consistent snapshot) with one set-based query
per table; PostgreSQL streams each result with COPY, SQLite through its cursor.
"""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pandas as pd
import pyarrow
import pyarrow.csv
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import TextClause

from monitors.base import (
    DATE,
    HOURS,
    PERIOD,
    SNAPSHOT_COLUMNS,
    TEXT,
    Snapshot,
    concat_frames,
    typed_frame,
)
from monitors.calendar import default_calendar
from monitors.reference import Reference
from service.db import rows_frame, sqlite_page_cache
from service.monitoring import memory

QUERIES: dict[str, str] = {
    "employers": """
        SELECT id AS employer_id, uscc, name, industry_code, county_code, town,
               CAST(leased_premises AS INTEGER) AS leased_premises,
               CAST(dishonesty_listed AS INTEGER) AS dishonesty_listed,
               CAST(real_name_management AS INTEGER) AS real_name_management,
               CAST(dedicated_wage_account AS INTEGER) AS dedicated_wage_account,
               CASE WHEN service_office = 'yes' THEN 1 ELSE 0 END AS service_office,
               liaison_name
        FROM employer""",
    "workers": """
        SELECT id AS worker_id, id_number, name, hukou_county_code FROM worker""",
    "contracts": """
        SELECT id AS contract_id, employer_id, worker_id, start_date, signed_date, term_type,
               end_date, employment_type, probation_end, monthly_wage_fen, hourly_wage_fen,
               probation_wage_fen, pay_day, left_date, project_id
        FROM employment_contract""",
    "payroll": """
        SELECT employer_id, worker_id, period, amount_due_fen, amount_paid_fen, paid_date,
               hours_worked
        FROM payroll_entry""",
    "projects": """
        SELECT id AS project_id, project_code, contractor_id, county_code, industry_code,
               contract_value_fen, contract_signed_date, permit_date, completion_date
        FROM project""",
    "deposit_events": """
        SELECT employer_id, project_id, event, event_date, amount_fen, reference, expiry_date
        FROM deposit_event""",
    "insurance": """
        SELECT employer_id, worker_id, project_id, start_date, end_date
        FROM insurance_coverage""",
    "committees": """
        SELECT id AS committee_id, code, kind, employer_id, county_code, town
        FROM mediation_committee""",
    "complaints": """
        SELECT id AS complaint_id, employer_id, kind, county_code, received_on, status,
               mediation_due_on, closed_on, amount_owed_fen, workers_affected
        FROM complaint""",
}


# The payroll of the employers that contract a project: all that the deposit rules' track
# record (65号 Arts. 11-12) reads of it, a tenth of the rows. For a caller that needs the
# deposit positions and nothing else of the payroll (the county assessment).
CONTRACTORS_ONLY = "employer_id IN (SELECT contractor_id FROM project)"


def load_snapshot(
    engine: Engine,
    reference: Reference,
    as_of: date,
    names: tuple[str, ...] | None = None,
    narrowed: dict[str, str] | None = None,
) -> Snapshot:
    """The monitored data as it stands, read as one consistent snapshot. `narrowed`: for some
    frames, an SQL condition on the frame's columns that keeps only the rows needed."""
    with snapshot_connection(engine) as conn:
        return read_snapshot(conn, reference, as_of, names, narrowed)


def read_snapshot(
    conn: Connection,
    reference: Reference,
    as_of: date,
    names: tuple[str, ...] | None = None,
    narrowed: dict[str, str] | None = None,
) -> Snapshot:
    """`load_snapshot` on a connection the caller holds (a request's: one connection each)."""
    names = names or tuple(QUERIES)
    narrowed = narrowed or {}
    frames = {name: read_frame(conn, name, narrowed.get(name)) for name in names}
    return Snapshot(as_of=as_of, reference=reference, calendar=default_calendar(), frames=frames)


# One employer's share of the snapshot: every row its findings can depend on. The projects it
# contracts or works on; everyone employed on those projects (a subcontractor's workers count
# toward the contractor's deposit, a contractor's policy covers a subcontractor's workers) and
# those employers' own rows; the workers of all those contracts. Rules are per employer or
# per project, so nothing outside this set can change the employer's findings. The share of
# several employers (:own, e.g. a county's) is the union of their shares: the same queries
# with a longer list.
#
# The projects (:projects) and employers (:employers) are read first, so that every frame's
# condition is a list of ids each index can look up: a condition `employer_id = … OR
# project_id IN (subquery)` makes PostgreSQL scan the whole table (millions of rows at L).
SHARE_PROJECTS = (
    "SELECT id FROM project WHERE contractor_id IN :own UNION "
    "SELECT project_id FROM employment_contract WHERE employer_id IN :own "
    "AND project_id IS NOT NULL"
)
SHARE_EMPLOYERS = (
    "SELECT contractor_id FROM project WHERE id IN :projects "
    "UNION SELECT employer_id FROM employment_contract WHERE project_id IN :projects"
)
SHARD_EMPLOYERS = "SELECT id FROM employer WHERE county_code IN :counties"
# Each frame's rows are those meeting any of its conditions; a condition on an empty list is
# left out (an empty IN list, too, keeps PostgreSQL from the indexes).
_CONTRACTS = ("employer_id IN :own", "project_id IN :projects")
EMPLOYER_SHARE: dict[str, tuple[str, ...]] = {
    "employers": ("employer_id IN :employers",),
    "projects": ("project_id IN :projects",),
    "contracts": _CONTRACTS,
    "workers": tuple(
        f"worker_id IN (SELECT worker_id FROM employment_contract WHERE {condition})"
        for condition in _CONTRACTS
    ),
    "payroll": ("employer_id IN :employers",),
    "deposit_events": ("employer_id IN :employers", "project_id IN :projects"),
    "insurance": ("employer_id IN :employers", "project_id IN :projects"),
    "committees": ("1 = 1",),
    "complaints": ("employer_id IN :own",),
}
ID_LISTS = ("own", "projects", "employers", "counties")


def _share_query(name: str, ids: dict[str, list[Any]]) -> TextClause:
    """The monitors' query for frame `name`, narrowed to the share whose ids are `ids`."""
    empty = [f":{key}" for key, value in ids.items() if not value]
    conditions = [c for c in EMPLOYER_SHARE[name] if not any(key in c for key in empty)]
    where = " OR ".join(conditions) or "1 = 0"
    return _with_lists(f"SELECT * FROM ({QUERIES[name]}) AS src WHERE {where}")


def _with_lists(query: str) -> TextClause:
    lists = [bindparam(name, expanding=True) for name in ID_LISTS]
    return text(query).bindparams(*[param for param in lists if f":{param.key}" in query])


def employer_snapshot(
    conn: Connection,
    employer_id: int,
    reference: Reference,
    as_of: date,
    names: tuple[str, ...] | None = None,
) -> Snapshot:
    """The snapshot frames holding one employer's share (EMPLOYER_SHARE), read with the
    monitors' own queries and typed the same way: findings for this employer come out as a
    whole-city run would give them."""
    return share_snapshot(conn, [employer_id], reference, as_of, names)


def share_snapshot(
    conn: Connection,
    employer_ids: list[int],
    reference: Reference,
    as_of: date,
    names: tuple[str, ...] | None = None,
) -> Snapshot:
    """The snapshot frames holding the union of some employers' shares: one query per frame
    however many employers, and their findings come out as a whole-city run would give them."""
    ids: dict[str, list[Any]] = {"own": sorted(employer_ids)}
    ids["projects"] = ids_of(conn, SHARE_PROJECTS, ids) if ids["own"] else []
    ids["employers"] = ids["own"]
    if ids["projects"]:
        ids["employers"] = sorted({*ids["own"], *ids_of(conn, SHARE_EMPLOYERS, ids)})
    frames = {
        name: typed_rows(conn, name, _share_query(name, ids), ids) for name in names or QUERIES
    }
    return Snapshot(as_of=as_of, reference=reference, calendar=default_calendar(), frames=frames)


def typed_rows(
    conn: Connection, name: str, query: TextClause, params: dict[str, Any]
) -> pd.DataFrame:
    """Frame `name` from a query giving some of its rows (a few employers' worth)."""
    rows = rows_frame(conn.execute(query, params), list(SNAPSHOT_COLUMNS[name]))
    return typed_frame(name, rows)


def ids_of(conn: Connection, query: str, ids: dict[str, list[Any]]) -> list[int]:
    """The ids a share query (SHARE_PROJECTS, …) gives for some lists of ids."""
    return sorted(int(i) for i in conn.execute(_with_lists(query), ids).scalars())


def load_employer_snapshot(
    engine: Engine, reference: Reference, as_of: date, employer_id: int, names: tuple[str, ...]
) -> Snapshot:
    """One employer's share, read as one consistent snapshot."""
    with snapshot_connection(engine) as conn:
        return employer_snapshot(conn, employer_id, reference, as_of, names)


def load_shard_snapshot(
    engine: Engine, reference: Reference, as_of: date, counties: list[str], names: tuple[str, ...]
) -> tuple[Snapshot, list[int]]:
    """A county shard's share (the union of its employers' shares) and the shard's employers,
    read as one consistent snapshot: an employer that moves county mid-run is in one shard."""
    with snapshot_connection(engine) as conn:
        employer_ids = ids_of(conn, SHARD_EMPLOYERS, {"counties": counties})
        return share_snapshot(conn, employer_ids, reference, as_of, names), employer_ids


@contextmanager
def snapshot_connection(engine: Engine) -> Iterator[Connection]:
    """One read transaction for all frames, so they agree with each other."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        ) as conn:
            yield conn
        return
    # Frames are read in one pass: the large page cache kept for imports would only fill
    # with pages read once (256 MB at L, on top of the frames).
    with engine.connect() as conn, sqlite_page_cache(conn, READ_CACHE_KIB):
        # pysqlite opens no transaction for SELECTs: begin one so WAL gives a snapshot.
        dbapi = conn.connection.driver_connection
        dbapi.execute("BEGIN")
        try:
            yield conn
        finally:
            dbapi.execute("ROLLBACK")


READ_CACHE_KIB = 8192


# A chunk's rows as Python tuples sit beside the frames read so far: 250,000 of the payroll's
# took some 150 MB at L's first run (1.15-1.22 GB → 1.05-1.06 GB with 50,000, no slower). Freed,
# they leave Python's object arenas holed, kept by the few objects that outlive a chunk: 45 MB
# of empty arena space after reading L with 50,000; with 20,000, the first run's peak went
# 969-989 → 938-953 MB, no slower (10,000: 25 MB less again, but a fifth slower).
CHUNK_ROWS = 20_000


def read_frame(conn: Connection, name: str, where: str | None = None) -> pd.DataFrame:
    columns = SNAPSHOT_COLUMNS[name]
    query = (
        QUERIES[name] if where is None else f"SELECT * FROM ({QUERIES[name]}) AS src WHERE {where}"
    )
    if conn.dialect.name == "postgresql":
        return _copy_out(conn, name, query, columns)
    return _read_chunked(conn, name, query, list(columns))


def _read_chunked(conn: Connection, name: str, query: str, columns: list[str]) -> pd.DataFrame:
    """SQLite rows arrive as Python tuples: type them a chunk at a time, so millions of
    payroll rows never sit in memory as tuples all at once."""
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(query)
        chunks = []
        while rows := cursor.fetchmany(CHUNK_ROWS):
            chunks.append(typed_frame(name, pd.DataFrame(rows, columns=columns)))
    finally:
        cursor.close()
    if not chunks:
        return typed_frame(name, pd.DataFrame(columns=columns))
    return concat_frames(name, chunks)


def _copy_out(conn: Connection, name: str, query: str, columns: dict[str, str]) -> pd.DataFrame:
    """Stream a query with COPY … TO STDOUT and parse it with pyarrow a block at a time as it
    arrives, typing each block: neither the whole CSV text nor an Arrow copy of the whole
    frame sits in memory beside the frame (a whole-city read at L peaked at 2.75 GB)."""
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
        reader = pyarrow.csv.open_csv(
            io.BufferedReader(_CopyStream(iter(copy)), buffer_size=COPY_BLOCK_BYTES),
            # One thread: the reader pulls the COPY stream through this connection.
            read_options=pyarrow.csv.ReadOptions(use_threads=False, block_size=COPY_BLOCK_BYTES),
            parse_options=pyarrow.csv.ParseOptions(newlines_in_values=True),
            # NULL is an unquoted empty field, '' a quoted one: as SQLite's rows tell them apart.
            convert_options=pyarrow.csv.ConvertOptions(
                column_types=_arrow_types(columns),
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        chunks = []
        for batch in reader:
            chunks.append(typed_frame(name, batch.to_pandas(types_mapper=_NULLABLE.get)))
            # Each block's text, Arrow batch and conversions leave holes between the typed
            # blocks kept; handed back at once they do not add up (L's payroll read peaked
            # 1.03 GB, 0.87 GB so).
            memory.give_back()
    if not chunks:
        return typed_frame(name, pd.DataFrame(columns=list(columns)))
    return concat_frames(name, chunks)


# A block's text, its Arrow batch and its typed frame sit beside the frames read so far: 16 MB
# blocks took some 130 MB more at L's first run on PostgreSQL than 4 MB ones, no faster.
COPY_BLOCK_BYTES = 4 * 2**20
# Whole numbers with gaps stay whole (pandas would make them floats).
_NULLABLE = {pyarrow.int64(): pd.Int64Dtype()}


def _arrow_types(columns: dict[str, str]) -> dict[str, pyarrow.DataType]:
    """Codes stay text (an industry code 0610 must not become the number 610), as do dates
    until typed_frame reads them."""
    types = {
        TEXT: pyarrow.string(),
        PERIOD: pyarrow.string(),
        DATE: pyarrow.string(),
        HOURS: pyarrow.float64(),
    }
    return {column: types.get(kind, pyarrow.int64()) for column, kind in columns.items()}


class _CopyStream(io.RawIOBase):
    """The rows of a COPY … TO STDOUT as a readable byte stream, pulled as they are read.
    psycopg gives one block per row: they are gathered into chunks of COPY_BLOCK_BYTES
    (one C call per row, as writing them all to one buffer would cost)."""

    def __init__(self, blocks: Iterator[Any]) -> None:
        self._blocks, self._chunk = blocks, memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._chunk:
            self._chunk = self._next_chunk()
        size = min(len(buffer), len(self._chunk))
        buffer[:size] = self._chunk[:size]
        self._chunk = self._chunk[size:]
        return size

    def _next_chunk(self) -> memoryview:
        gathered = io.BytesIO()
        for block in self._blocks:
            gathered.write(block)
            if gathered.tell() >= COPY_BLOCK_BYTES:
                break
        return gathered.getbuffer()
