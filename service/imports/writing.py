"""Bulk writes: new rows in bulk (executemany on SQLite, COPY on PostgreSQL), changed rows
updated, unchanged rows left alone — so importing the same folder twice changes nothing."""

import io
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.csv
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from service.db import query_frame
from service.imports import pgcopy
from service.imports.spec import FileSpec, Kind

BATCH_ROWS = 50_000
# A load into an empty table this large builds its SQLite indexes after the rows are in.
REBUILD_INDEXES_FROM_ROWS = BATCH_ROWS
# Parameters in one SQLite INSERT, at most: ~1,400 payroll rows a statement load L's 7.7 M
# rows 15 % faster than 142 (999 parameters); 32,766 is slower again. SQLite before 3.32
# allows only 999: the connection's own limit caps it.
SQLITE_PARAMETERS = 10_000
Progress = Callable[[int], None]

# Canonical pandas dtypes per contract kind, used on both sides of the comparison.
DTYPES = {
    Kind.money: "Int64",
    Kind.positive_money: "Int64",
    Kind.day_of_month: "Int64",
    Kind.count: "Int64",
    Kind.year: "Int64",
    Kind.hours: "Float64",
    Kind.boolean: "boolean",
}


def load_key_map(
    conn: Connection, table: str, natural: str, known: pd.Series | None = None
) -> pd.Series:
    """natural key -> id for every row of an entity table. With `known` (the map read
    before a write) only the rows added since are read: ids only grow."""
    where = f" WHERE id > {int(known.max())}" if known is not None and len(known) else ""
    # The driver's plain tuples: no Row object per row (148,000 workers).
    rows = query_frame(conn, f"SELECT {natural}, id FROM {table}{where}", ["natural", "id"])
    names, ids = rows["natural"].to_numpy(dtype=object), rows["id"].to_numpy(dtype="int64")
    if where:
        assert known is not None
        names = np.concatenate([known.index.to_numpy(dtype=object), names])
        ids = np.concatenate([known.to_numpy(dtype="int64"), ids])
    # An object index, not pandas' string dtype: its hash table is built once and kept,
    # and looking 30,000 names up in 760,000 takes 10 ms instead of 250 ms, chunk after chunk.
    return pd.Series(ids, index=pd.Index(names, dtype=object))


def to_db_frame(
    spec: FileSpec, values: pd.DataFrame, key_maps: dict[str, pd.Series]
) -> pd.DataFrame:
    """Contract columns → database columns; references become ids."""
    out = {}
    for column in spec.columns:
        series = values[column.name]
        if column.references:
            series = _ids_of(series, key_maps[column.references])
        elif column.kind in DTYPES:
            series = series.astype(DTYPES[column.kind])
        out[column.db_column] = series
    return pd.DataFrame(out, index=values.index)


def skip_rechecking_references(conn: Connection) -> bool:
    """Let PostgreSQL skip its per-row foreign-key triggers for this transaction.

    The importer has already checked every reference against this import and the database,
    in the same transaction, and nothing deletes employers, workers or projects; the
    triggers would check each row again and triple the cost of a large import. Only a
    superuser may do this (SET LOCAL ends with the transaction); others keep the triggers.
    """
    if conn.dialect.name != "postgresql":
        return False
    is_superuser = conn.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar()
    if is_superuser:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
    return bool(is_superuser)


@contextmanager
def import_transaction(engine: Engine) -> Iterator[Connection]:
    """The import's one transaction. SQLite does not check foreign keys again row by row
    either (a sixth of the payroll insert; see skip_rechecking_references): it only takes
    the setting outside a transaction, so it is switched off before and on after, and the
    pooled connection goes back checking them."""
    with engine.connect() as conn:
        is_sqlite = conn.dialect.name == "sqlite"
        if is_sqlite:
            _sqlite_import_settings(conn, importing=True)
        try:
            with conn.begin():
                yield conn
        finally:
            if is_sqlite:
                _sqlite_import_settings(conn, importing=False)


def _sqlite_import_settings(conn: Connection, *, importing: bool) -> None:
    """Foreign keys unchecked, and two helper threads to sort the indexes built again after
    a bulk load, while importing; back to the defaults after."""
    conn.exec_driver_sql(f"PRAGMA foreign_keys={'OFF' if importing else 'ON'}")
    conn.exec_driver_sql(f"PRAGMA threads={2 if importing else 0}")
    conn.commit()


def _ids_of(names: pd.Series, key_map: pd.Series) -> pd.Series:
    """Natural keys → ids, looking each distinct name up once."""
    codes, distinct = pd.factorize(names)
    ids = key_map.reindex(pd.Index(distinct, dtype=object)).to_numpy()
    found = pd.array(ids, dtype="Int64").take(codes, allow_fill=True)
    return pd.Series(found, index=names.index)


@dataclass
class Written:
    """The rows an import inserted, and those it updated (with their `_row_id` and, as
    `_was_<column>`, the ids they held before: a contract moved to another project changes
    what both projects' employers are monitored on)."""

    new: pd.DataFrame
    changed: pd.DataFrame


# Id columns outside a file's key, whose old values an update reports.
MOVABLE_IDS = ("employer_id", "project_id", "contractor_id")


class FileWriter:
    """One file's rows, written chunk by chunk in the import's transaction: new rows
    inserted, changed ones updated. Whether the table was empty is asked once, before the
    first chunk (the later chunks' keys are new: the importer refuses a repeated key); on
    SQLite a large load into an empty table drops the table's secondary indexes first and
    builds them again in finish()."""

    def __init__(self, conn: Connection, spec: FileSpec) -> None:
        self.conn, self.spec = conn, spec
        self._empty: bool | None = None
        self._rebuild: list[str] = []

    def write(self, frame: pd.DataFrame, progress: Progress | None = None) -> Written:
        if self._empty is None:
            self._empty = self._table_is_empty()
            bulk = self._empty and len(frame) >= REBUILD_INDEXES_FROM_ROWS
            if bulk and self.conn.dialect.name == "sqlite":
                self._rebuild = _drop_secondary_indexes(self.conn, self.spec.table)
        existing = _read_existing(self.conn, self.spec, frame, empty=self._empty)
        new, changed = _diff(self.spec, frame, existing)
        _insert(self.conn, self.spec.table, new, progress)
        _update(self.conn, self.spec, changed)
        if progress:
            progress(len(frame) - len(new))
        return Written(new, changed)

    def finish(self) -> None:
        for create_index in self._rebuild:
            self.conn.exec_driver_sql(create_index)
        self._rebuild = []

    def _table_is_empty(self) -> bool:
        found = self.conn.execute(text(f"SELECT 1 FROM {self.spec.table} LIMIT 1")).first()
        return found is None


def _read_existing(
    conn: Connection, spec: FileSpec, frame: pd.DataFrame, *, empty: bool
) -> pd.DataFrame:
    columns = list(frame.columns)
    if empty:
        return pd.DataFrame(columns=[*columns, "_row_id"])
    scope = [spec.column(name).db_column for name in spec.scope]
    _fill_import_scope(conn, frame[scope].dropna().drop_duplicates())
    selected = ", ".join(_select_expression(spec, c) for c in columns)
    row_id = "t.id" if spec.table != "payroll_entry" else "NULL"
    existing = query_frame(
        conn,
        f"SELECT {selected}, {row_id} AS _row_id FROM {spec.table} t JOIN import_scope s ON "
        + " AND ".join(
            f"{_select_expression(spec, column, alias=False)} = s.{column}" for column in scope
        ),
        [*columns, "_row_id"],
    )
    conn.execute(text("DROP TABLE import_scope"))
    for column in spec.columns:
        dtype = "Int64" if column.references else DTYPES.get(column.kind)
        if dtype:
            existing[column.db_column] = existing[column.db_column].astype(dtype)
    return existing


def _fill_import_scope(conn: Connection, values: pd.DataFrame) -> None:
    """A temporary table of the import's scope values, which existing rows are joined on."""
    # Ids as numbers; dates, like the rest, as the import's text (compared with the stored
    # dates cast to text, as they are read).
    declared = ", ".join(
        f"{name} {'BIGINT' if name.endswith('_id') else 'TEXT'}" for name in values.columns
    )
    conn.execute(text("DROP TABLE IF EXISTS import_scope"))
    conn.execute(text(f"CREATE TEMP TABLE import_scope ({declared})"))
    if values.empty:
        return
    names = ", ".join(values.columns)
    marks = ", ".join(f":{name}" for name in values.columns)
    rows = values.to_dict("records")  # Python ints and strings, as the driver takes them
    conn.execute(text(f"INSERT INTO import_scope ({names}) VALUES ({marks})"), rows)


def _select_expression(spec: FileSpec, db_column: str, *, alias: bool = True) -> str:
    column = next(c for c in spec.columns if c.db_column == db_column)
    # Dates come back as text on both databases so they compare with the import's text.
    if column.kind is Kind.date:
        return f"CAST(t.{db_column} AS TEXT)" + (f" AS {db_column}" if alias else "")
    return f"t.{db_column}"


def _diff(
    spec: FileSpec, frame: pd.DataFrame, existing: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the import into new rows and rows whose stored values differ."""
    key = list(spec.db_key)
    if existing.empty:
        return frame, frame.iloc[0:0]
    # Same key dtypes on both sides; pandas matches missing key parts with each other.
    left, right = _keyed(frame, key), _keyed(existing, key)
    joined = left.merge(right, on=key, how="left", suffixes=("", "_old"), indicator=True)
    joined.index = frame.index
    is_new = joined["_merge"] == "left_only"
    changed = pd.Series(False, index=frame.index)
    for column in frame.columns:
        if column in key:
            continue
        new_value, old_value = joined[column], joined[f"{column}_old"]
        same = (new_value == old_value).fillna(False).astype(bool)
        same |= new_value.isna() & old_value.isna()
        changed |= ~same
    changed &= ~is_new
    updates = frame[changed].copy()
    updates["_row_id"] = joined.loc[changed, "_row_id"]
    for column in MOVABLE_IDS:
        if column in frame.columns and column not in key:
            updates[f"_was_{column}"] = joined.loc[changed, f"{column}_old"]
    return frame[is_new], updates


def _keyed(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    text_keys = [k for k in key if not pd.api.types.is_numeric_dtype(frame[k])]
    return frame.astype({k: object for k in text_keys}).astype(
        {k: "Int64" for k in key if k not in text_keys}
    )


def _insert(conn: Connection, table: str, frame: pd.DataFrame, progress: Progress | None) -> None:
    if frame.empty:
        return
    if conn.dialect.name == "postgresql":
        _copy_in(conn, table, frame, progress)
        return
    for batch in _batches(frame):
        _executemany_insert(conn, table, batch)
        if progress:
            progress(len(batch))


def _batches(frame: pd.DataFrame) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), BATCH_ROWS):
        yield frame.iloc[start : start + BATCH_ROWS]


def _drop_secondary_indexes(conn: Connection, table: str) -> list[str]:
    """SQLite: drop the indexes of an empty table before a bulk load and return the
    statements that build them again: one sorted build after the load costs less than
    updating them row by row (1.5 M payroll rows and an index on their period: 3.9 s + 1.0 s
    to build it instead of 6.1 s). Both happen in the import's transaction,
    so WAL readers never see the table without them. Not on PostgreSQL: there DROP INDEX
    would lock readers out until the import commits (and COPY is quick enough)."""
    # Indexes SQLite made for a constraint have no `sql` and cannot be dropped.
    indexes = conn.execute(
        text(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = :table AND sql IS NOT NULL"
        ),
        {"table": table},
    ).all()
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _, sql in indexes]


def _copy_in(conn: Connection, table: str, frame: pd.DataFrame, progress: Progress | None) -> None:
    """One COPY for the whole frame, batch by batch: in PostgreSQL's binary format when
    every column's type allows (pgcopy.py), else as CSV, where missing values are unquoted
    empty fields that COPY reads as NULL. A worker thread sends each batch while this one
    formats the next, so the server reads rows while the importer works, not in turns."""
    columns = list(frame.columns)
    types = pgcopy.column_types(conn, table, columns)
    binary = types if types is not None and pgcopy.fits(frame, types) else None
    cursor = conn.connection.driver_connection.cursor()
    statement = (
        f"COPY {table} ({', '.join(columns)}) FROM STDIN "
        f"WITH (FORMAT {'csv' if binary is None else 'binary'})"
    )
    with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        if binary is not None:
            copy.write(pgcopy.HEADER)
        for batch in _batches(frame):
            copy.write(_csv_bytes(batch) if binary is None else pgcopy.binary_rows(batch, binary))
            if progress:
                progress(len(batch))
        if binary is not None:
            copy.write(pgcopy.TRAILER)


def _csv_bytes(batch: pd.DataFrame) -> memoryview:
    buffer = io.BytesIO()
    pyarrow.csv.write_csv(
        pyarrow.Table.from_pandas(batch, preserve_index=False),
        buffer,
        pyarrow.csv.WriteOptions(include_header=False),
    )
    return buffer.getbuffer()


def _executemany_insert(conn: Connection, table: str, frame: pd.DataFrame) -> None:
    """Many rows per INSERT: a third less work for SQLite than one statement per row."""
    insert = f"INSERT INTO {table} ({', '.join(frame.columns)}) VALUES "
    width = len(frame.columns)
    row = f"({', '.join('?' for _ in frame.columns)})"
    per_statement = max(1, _parameter_limit(conn) // width)
    values = _row_major_values(frame)
    # Each statement's parameters are one slice of the row-major list: no tuple per row.
    group, whole = per_statement * width, len(frame) - len(frame) % per_statement
    if whole:
        groups = [tuple(values[start : start + group]) for start in range(0, whole * width, group)]
        conn.exec_driver_sql(insert + ", ".join([row] * per_statement), groups)
    if whole < len(frame):
        rest = range(whole * width, len(values), width)
        conn.exec_driver_sql(insert + row, [tuple(values[start : start + width]) for start in rest])


def _parameter_limit(conn: Connection) -> int:
    driver = conn.connection.driver_connection
    return min(SQLITE_PARAMETERS, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


def _row_major_values(frame: pd.DataFrame) -> list[object]:
    """Every cell as a plain Python value (None for missing), row after row, as DB drivers
    want them: built column by column, each written into every `width`-th place (2 times
    faster than zipping the columns into row tuples and chaining those)."""
    width = len(frame.columns)
    values: list[object] = [None] * (len(frame) * width)
    for place, (_, column) in enumerate(frame.items()):
        values[place::width] = _python_values(column)
    return values


def _python_values(column: pd.Series) -> list[object]:
    """A column's values as Python objects; a whole number or float column without gaps
    through its numpy array (C's conversion, not one pandas scalar per cell)."""
    if not column.hasnans:
        if isinstance(column.dtype, pd.Int64Dtype):
            return column.to_numpy(dtype="int64").tolist()
        if isinstance(column.dtype, pd.Float64Dtype):
            return column.to_numpy(dtype="float64").tolist()
    return column.to_numpy(dtype=object, na_value=None).tolist()


def _update(conn: Connection, spec: FileSpec, changed: pd.DataFrame) -> None:
    if changed.empty:
        return
    key = list(spec.db_key)
    assignments = [c for c in changed.columns if c not in key and not c.startswith("_")]
    if spec.table == "payroll_entry":
        where = " AND ".join(f"{c} = :{c}" for c in key)
    else:
        where = "id = :_row_id"
    statement = text(
        f"UPDATE {spec.table} SET {', '.join(f'{c} = :{c}' for c in assignments)} WHERE {where}"
    )
    changed = changed[[*key, *assignments, "_row_id"]]
    as_object = changed.astype(object).where(changed.notna(), None)
    conn.execute(statement, as_object.to_dict("records"))
