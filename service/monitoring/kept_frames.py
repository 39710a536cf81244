"""The monitored frames kept beside the database as Parquet files, so that a whole-city run
reads them in a second or two instead of reading millions of rows out of the database again
(at L, 42 s → 1.5 s).

Kept frames are only ever used as of the data version they were read at, checked by its random
stamp (data_version.stamp_of): a copy of the database, or another database that reached the
same version number, never passes for this one. Frames a few changes behind are brought up to
date by reading again only the rows of the employers, projects and workers those changes
touched (data_change) — of the payroll, only the rows changed where the change names them one
by one; when the changes cannot be told apart, or have been forgotten, the frame is read
whole. A frame brought up to date is kept as its earlier file and the changes since, until
they grow past a share of it. A run that evaluates everyone afresh (`monitors run --everyone`)
reads the database whole and keeps what it read.

Only whole-city runs read and write the folder, and they hold the monitors lock: one writer
at a time. The folder holds workers' identity numbers as the database does: it is created
readable by its owner only, outside the web root.
"""

import hashlib
import json
import logging
import os
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.parquet
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, Engine

from monitors.base import DATE, SNAPSHOT_COLUMNS, Snapshot, concat_frames
from monitors.calendar import default_calendar
from monitors.reference import Reference
from service import data_version
from service.config import get_settings
from service.monitoring import memory
from service.monitoring.frames import QUERIES, read_frame, snapshot_connection, typed_rows

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
# Read (or brought up to date) first, while no other frame is held: its transient copies then
# do not come on top of the others (a whole run at L after a change peaked at 1.13 GB).
LARGEST = "payroll"
# LZ4 reads back faster than Snappy, pandas' default (at L the payroll 0.3 s instead of 0.45).
KEPT_COMPRESSION = "lz4"
# How a frame's columns are laid out in its file (dates as counts of seconds since version 2):
# a frame kept in another layout is read afresh.
KEPT_FORMAT = "2"
# Rows per Parquet row group (pandas' default when it writes a whole frame).
ROW_GROUP_ROWS = 1 << 20
# A frame brought up to date is kept as its earlier file and the rows changed since (the
# positions of the file's rows no longer current, the rows read again) while those are at most
# this share of the file: at L the payroll's whole file took 2.2 s to write again after each
# day's filings.
CHANGED_SHARE_KEPT_APART = 0.1

# The columns by which a change (data_version.Changed) reaches a frame's rows: a row is read
# again when one of them names a changed employer, project or worker. Every write path records
# the employer (and project) of each row it writes, before and after a move.
CHANGED_BY: dict[str, dict[str, str]] = {
    "employers": {"employer_id": "employers"},
    "workers": {"worker_id": "workers"},
    "projects": {"project_id": "projects", "contractor_id": "employers"},
    "contracts": {"employer_id": "employers", "project_id": "projects"},
    "payroll": {"employer_id": "employers"},
    "deposit_events": {"employer_id": "employers", "project_id": "projects"},
    "insurance": {"employer_id": "employers", "project_id": "projects"},
}
# The payroll rows a change names one by one (data_version.Changed.payroll), read again by
# their key: the rows data_change names since the kept frame's version.
PAYROLL_ROWS_SINCE = f"""
    SELECT src.* FROM ({QUERIES["payroll"]}) AS src
    JOIN (SELECT DISTINCT employer_id, worker_id, period FROM data_change
          WHERE version > :since AND period IS NOT NULL) AS named
      ON src.employer_id = named.employer_id AND src.worker_id = named.worker_id
     AND src.period = named.period"""
# Committees and complaints are few and change without an employer to name (a county's
# committee, a complaint against an employer not yet known): read whole unless up to date.

Source = Literal["kept", "refreshed", "read"]


@dataclass
class KeptSnapshot:
    snapshot: Snapshot
    # How each frame was had: as kept, kept and brought up to date, or read whole.
    sources: dict[str, Source] = field(default_factory=dict)


@dataclass(frozen=True)
class _Entry:
    file: str
    version: int
    stamp: str
    layout: str
    # Changes since `file` was written, kept apart from it: the positions of its rows no
    # longer current (a NumPy file) and the rows read again since (Parquet).
    dropped: str | None = None
    added: str | None = None


@dataclass
class _Kept:
    """A kept frame as read: the file's rows, which of them are no longer current, and the
    rows read again since it was written."""

    base: pd.DataFrame
    dropped: np.ndarray  # positions in `base`, ascending
    added: pd.DataFrame | None


@dataclass
class _Apart:
    """A frame to keep as changes to the file `base` it was read from."""

    base: str
    dropped: np.ndarray  # positions in the file, ascending
    added: pd.DataFrame | None


def folder_for(engine: Engine) -> Path | None:
    """The folder a database's frames are kept in; None for an in-memory database."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"):
        return None
    if url.get_backend_name() == "sqlite":
        identity = str(Path(url.database or "").resolve())
    else:
        identity = url.set(drivername="postgresql").render_as_string(hide_password=True)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return get_settings().frames_dir / f"{url.get_backend_name()}-{digest}"


def load_kept_snapshot(
    engine: Engine,
    reference: Reference,
    as_of: date,
    names: tuple[str, ...],
    *,
    fresh: bool = False,
) -> KeptSnapshot:
    """The frames `names` as the database holds them now, read as one consistent snapshot,
    from the kept frames wherever they are (or can be brought) up to date. `fresh`: read
    everything from the database, and keep it."""
    folder = folder_for(engine)
    kept = {} if folder is None or fresh else _manifest(folder)
    with snapshot_connection(engine) as conn:
        version = data_version.current(conn)
        stamp = data_version.stamp_of(conn, version)
        schema = _schema(conn)
        since = _Since(conn)
        frames, sources, written = {}, {}, {}
        for name in sorted(names, key=lambda name: name != LARGEST):
            entry = kept.get(name)
            if entry is not None and entry.layout != _layout(name, schema):
                entry = None
            had = _frame(conn, folder, entry, name, stamp, since)
            frames[name], sources[name] = had.frame, had.source
            if had.source != "kept":
                written[name] = had
            # What reading it left (Python's row tuples, COPY's text): back before the next.
            memory.give_back()
    if folder is not None and stamp is not None:
        try:
            _keep(folder, kept, written, version, stamp, schema)
        except (OSError, ValueError) as error:  # a full disk, a folder not ours: run on
            log.warning("monitored frames not kept in %s: %s", folder, error)
    # Arrow's pool keeps what reading freed (hundreds of MB at L) for itself: give it back
    # before the rules allocate theirs.
    pyarrow.default_memory_pool().release_unused()
    snapshot = Snapshot(
        as_of=as_of, reference=reference, calendar=default_calendar(), frames=frames
    )
    log.info("monitored frames: %s", ", ".join(f"{n} {s}" for n, s in sources.items()))
    return KeptSnapshot(snapshot, sources)


class _Since:
    """What changed since a kept frame's version, asked once per version however many frames
    were kept at it."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.known: dict[tuple[int, str], data_version.Changed | None] = {}

    def changed(self, entry: _Entry) -> data_version.Changed | None:
        """The changes since `entry` was kept; None if they cannot be told apart, or if this
        database's history does not hold the entry's version (forgotten, or another's)."""
        key = (entry.version, entry.stamp)
        if key not in self.known:
            ours = data_version.stamp_of(self.conn, entry.version) == entry.stamp
            self.known[key] = data_version.changed_since(self.conn, entry.version) if ours else None
        return self.known[key]


@dataclass
class _Had:
    frame: pd.DataFrame
    source: Source
    apart: _Apart | None = None  # None: kept (or to keep) whole


def _frame(
    conn: Connection,
    folder: Path | None,
    entry: _Entry | None,
    name: str,
    stamp: str | None,
    since: _Since,
) -> _Had:
    """One frame, had the cheapest way that gives exactly the database's rows."""
    if folder is None or entry is None or stamp is None:
        return _read_whole(conn, name)
    if entry.stamp == stamp:
        kept = _read_kept(folder, entry, name)
        if kept is not None:
            return _Had(_current(name, kept.base, kept.dropped, kept.added), "kept")
    elif name in CHANGED_BY and (changed := since.changed(entry)) is not None:
        kept = _read_kept(folder, entry, name)
        if kept is not None:
            return _brought_up_to_date(conn, name, entry, kept, changed)
    return _read_whole(conn, name)


def _read_whole(conn: Connection, name: str) -> _Had:
    return _Had(read_frame(conn, name), "read")


def _brought_up_to_date(
    conn: Connection, name: str, entry: _Entry, kept: _Kept, changed: data_version.Changed
) -> _Had:
    """The kept frame (as of the entry's version) with the rows the changes reach read again,
    to be kept as changes to the entry's file while they are few beside it."""
    lists = {
        column: sorted(ids)
        for column, kind in CHANGED_BY[name].items()
        if (ids := getattr(changed, kind))
    }
    rows = changed.payroll if name == "payroll" else frozenset()
    stale_base = _stale(kept.base, lists, rows)
    fresh = _rows_read_again(conn, name, lists, rows, entry.version)
    # The rows read again since the file was written: the earlier ones still current, and
    # those read now.
    parts = [] if kept.added is None else [kept.added[~_stale(kept.added, lists, rows)]]
    parts += [] if fresh is None else [fresh]
    added = concat_frames(name, parts) if parts else None
    dropped = np.union1d(kept.dropped, np.flatnonzero(stale_base))
    bound = CHANGED_SHARE_KEPT_APART * len(kept.base)
    whole = len(dropped) > bound or (added is not None and len(added) > bound)
    frame = _current(name, kept.base, dropped, added)  # empties kept.base
    if whole:
        return _Had(frame, "refreshed")
    return _Had(frame, "refreshed", _Apart(entry.file, dropped, added))


def _stale(
    frame: pd.DataFrame, lists: dict[str, list[int]], rows: frozenset[data_version.PayrollRow]
) -> np.ndarray:
    """Which of the frame's rows the changes reach."""
    stale = np.zeros(len(frame), dtype=bool)
    for column, ids in lists.items():
        stale |= frame[column].isin(ids).to_numpy(dtype=bool, na_value=False)
    if rows:
        stale |= _payroll_rows_named(frame, rows)
    return stale


def _current(
    name: str, base: pd.DataFrame, dropped: np.ndarray, added: pd.DataFrame | None
) -> pd.DataFrame:
    """The file's rows without those at the positions `dropped`, and the rows `added`."""
    if not len(dropped) and (added is None or added.empty):
        return base  # as read: no copy
    stale = np.zeros(len(base), dtype=bool)
    stale[dropped] = True
    return _with_rows_replaced(name, base, stale, [] if added is None else [added])


def _rows_read_again(
    conn: Connection,
    name: str,
    lists: dict[str, list[int]],
    rows: frozenset[data_version.PayrollRow],
    since: int,
) -> pd.DataFrame | None:
    """The rows the changes reach, read from the database; None if they reach none."""
    fresh = []
    if lists:
        where = " OR ".join(f"{column} IN :{column}" for column in lists)
        query = text(f"SELECT * FROM ({QUERIES[name]}) AS src WHERE {where}").bindparams(
            *(bindparam(column, expanding=True) for column in lists)
        )
        fresh.append(typed_rows(conn, name, query, lists))
    if rows:
        fresh.append(typed_rows(conn, name, text(PAYROLL_ROWS_SINCE), {"since": since}))
    if len(fresh) > 1:  # a row of a changed employer may be named by its key too
        return concat_frames(name, fresh).drop_duplicates(
            data_version.PAYROLL_KEY, ignore_index=True
        )
    return fresh[0] if fresh else None


def _payroll_rows_named(kept: pd.DataFrame, rows: frozenset[data_version.PayrollRow]) -> np.ndarray:
    """Which of the kept payroll's rows `rows` names: by employer and worker together (one
    integer: both ids are int32), then, for the few rows of those pairs, by month too. A slice
    at a time: the pairs of the whole frame at once took 250 MB at L, above the run's peak."""
    named = pd.DataFrame(list(rows), columns=data_version.PAYROLL_KEY)
    months = kept["period"].cat
    named_months = months.categories.get_indexer(pd.Index(named["period"]))  # -1: none kept
    named_pairs = _pair(named["employer_id"].to_numpy(), named["worker_id"].to_numpy())
    named_keys = pd.MultiIndex.from_arrays([named_pairs, named_months])
    employers, workers = kept["employer_id"].to_numpy(), kept["worker_id"].to_numpy()
    codes = months.codes.to_numpy()
    stale = np.zeros(len(kept), dtype=bool)
    for start in range(0, len(kept), ROW_GROUP_ROWS):
        part = slice(start, start + ROW_GROUP_ROWS)
        pairs = _pair(employers[part], workers[part])
        hits = np.flatnonzero(pd.Series(pairs, copy=False).isin(named_pairs))
        found = pd.MultiIndex.from_arrays([pairs[hits], codes[part][hits]]).isin(named_keys)
        stale[start + hits[found]] = True
    return stale


def _pair(employers: np.ndarray, workers: np.ndarray) -> np.ndarray:
    pairs: np.ndarray = (employers.astype("int64") << 32) | workers.astype("int64")
    return pairs


def _with_rows_replaced(
    name: str, kept: pd.DataFrame, stale: np.ndarray, more: list[pd.DataFrame]
) -> pd.DataFrame:
    """`kept` without its stale rows, and the rows `more`."""
    # The kept rows that stay, a column at a time, each kept column let go once its rows are
    # copied (`kept` is emptied): the frame is never held twice over (at L, brought up to date
    # after 1 % of the payroll changed, the run's peak was 1.13 GB).
    keep = ~stale
    staying: dict[str, pd.Series] = {}
    for column in [str(column) for column in kept.columns]:
        # Filtered as an array: a Series would build an index of its millions of rows too.
        staying[column] = pd.Series(kept.pop(column).array[keep], copy=False)
        # A kept column's memory is Arrow's (read without a copy): back to the system now.
        pyarrow.default_memory_pool().release_unused()
    return concat_frames(name, [pd.DataFrame(staying, copy=False), *more])


def _schema(conn: Connection) -> str:
    """The database's migration: a migration may rewrite monitored rows without a new data
    version, so frames kept before it are not used after it."""
    return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def _layout(name: str, schema: str) -> str:
    """What a kept frame's columns mean: its query, declared types and the schema it was read
    from. A frame kept by code (or from a schema) that read it differently is not used."""
    described = QUERIES[name] + json.dumps(SNAPSHOT_COLUMNS[name]) + schema + KEPT_FORMAT
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def _manifest(folder: Path) -> dict[str, _Entry]:
    try:
        described = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return {name: _Entry(**entry) for name, entry in described.items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError) as error:
        log.warning("kept frames in %s not used: %s", folder, error)
        return {}


def _read_kept(folder: Path, entry: _Entry, name: str) -> _Kept | None:
    """A kept frame with its declared column types, and the changes kept apart from its file;
    None if it cannot be read as such."""
    try:
        base = _typed(name, _read_parquet(folder / entry.file))
        dropped = np.zeros(0, dtype="int64")
        if entry.dropped:
            dropped = np.load(folder / entry.dropped, allow_pickle=False)
            if dropped.dtype != "int64" or (len(dropped) and dropped[-1] >= len(base)):
                raise ValueError(f"dropped rows {entry.dropped} do not match {entry.file}")
        added = _typed(name, _read_parquet(folder / entry.added)) if entry.added else None
        return _Kept(base, dropped, added)
    except (OSError, ValueError, TypeError) as error:
        log.warning("kept frame %s in %s not used: %s", name, folder, error)
        return None


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    if list(frame.columns) != list(SNAPSHOT_COLUMNS[name]):
        raise ValueError(f"columns {list(frame.columns)}")
    declared = SNAPSHOT_COLUMNS[name]
    for column, kind in declared.items():
        if kind == DATE and frame[column].dtype == "int64":
            frame[column] = frame[column].to_numpy().view(DATE)  # as kept: no copy
    return frame.astype({c: t for c, t in declared.items() if str(frame[c].dtype) != t})


def _read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file's frame read a column at a time (each a table of one column, whose
    pandas metadata gives it back its dtype), the Arrow memory given back before the next:
    the payroll at L never sits in memory twice (a whole run's peak 1.6 → 1.5 GB)."""
    parquet = pyarrow.parquet.ParquetFile(path)
    columns = {}
    for name in parquet.schema_arrow.names:
        # split_blocks: numeric columns taken without a copy (none held twice, even briefly).
        table = parquet.read(columns=[name])
        columns[name] = table.to_pandas(split_blocks=True, self_destruct=True)[name]
        del table
        pyarrow.default_memory_pool().release_unused()
    # The columns as they are, not copied again into one block per type.
    return pd.DataFrame(columns, copy=False)


def _keep(
    folder: Path,
    kept: dict[str, _Entry],
    frames: dict[str, _Had],
    version: int,
    stamp: str,
    schema: str,
) -> None:
    """Write the frames read or brought up to date (whole, or the changes to the file they were
    read from), then the manifest naming them (replaced in one step, so a run that fails midway
    leaves the previous manifest whole), then remove the files no manifest names."""
    if not frames:
        return
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    entries = dict(kept)
    for name, had in frames.items():
        entry = _Entry(f"{name}-{uuid.uuid4().hex}.parquet", version, stamp, _layout(name, schema))
        if had.apart is None:
            _write_parquet(had.frame, folder / entry.file)
        else:
            entry = _kept_apart(folder, entry, name, had.apart)
        entries[name] = entry
    partial = folder / f"{MANIFEST}.{uuid.uuid4().hex}"
    partial.write_text(
        json.dumps({name: entry.__dict__ for name, entry in entries.items()}), encoding="utf-8"
    )
    partial.chmod(0o600)  # the owner's only, as the frames are
    os.replace(partial, folder / MANIFEST)
    named = {file for entry in entries.values() for file in _files(entry)} | {MANIFEST}
    for path in folder.iterdir():
        if path.name not in named:
            path.unlink(missing_ok=True)


def _kept_apart(folder: Path, entry: _Entry, name: str, apart: _Apart) -> _Entry:
    """The entry of a frame kept as its earlier file and the changes since."""
    dropped = f"{name}-{uuid.uuid4().hex}.dropped.npy"
    _owners_only(folder / dropped)
    np.save(folder / dropped, apart.dropped.astype("int64"), allow_pickle=False)
    added = None
    if apart.added is not None and len(apart.added):
        added = entry.file
        _write_parquet(apart.added, folder / added)
    return replace(entry, file=apart.base, dropped=dropped, added=added)


def _owners_only(path: Path) -> None:
    """A new file the owner alone may read: created so before anything is written to it."""
    path.touch(mode=0o600)


def _files(entry: _Entry) -> list[str]:
    return [file for file in (entry.file, entry.dropped, entry.added) if file]


def _dates_as_seconds(frame: pd.DataFrame) -> pd.DataFrame:
    """Parquet holds timestamps to the millisecond at best, and turning the millions of them
    back into the declared seconds took 0.2 s of every run at L: each date column is kept as
    its count of seconds instead (NaT: int64's least value), a view both ways."""
    seconds = {
        str(column): frame[column].to_numpy().view("int64")
        for column in frame.columns
        if frame[column].dtype == DATE
    }
    return frame.assign(**seconds) if seconds else frame


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """A frame written a row group at a time, so that its Arrow copy is one slice, not the
    whole frame (at L the payroll's 314 MB sat in memory twice while written). Every slice
    takes the first one's schema (a category's dictionary type, say, as the frame's)."""
    _owners_only(path)
    frame = _dates_as_seconds(frame)
    starts = range(0, max(len(frame), 1), ROW_GROUP_ROWS)
    first = pyarrow.Table.from_pandas(frame.iloc[:ROW_GROUP_ROWS], preserve_index=False)
    with pyarrow.parquet.ParquetWriter(path, first.schema, compression=KEPT_COMPRESSION) as writer:
        writer.write_table(first)
        del first
        for start in starts[1:]:
            rows = frame.iloc[start : start + ROW_GROUP_ROWS]
            writer.write_table(
                pyarrow.Table.from_pandas(rows, schema=writer.schema, preserve_index=False)
            )
