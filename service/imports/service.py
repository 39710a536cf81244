"""`wageguard import DIR`: read, check and write a folder of contract files, all or nothing."""

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection, Engine

from monitors.reference import Reference
from service import data_version
from service.data_version import Changed
from service.db import refresh_statistics
from service.imports import scope as employer_scope
from service.imports import writing
from service.imports.changes import changed_by
from service.imports.checks import check_file, malformed
from service.imports.guards import FileLimits
from service.imports.problems import (
    REFERENCE_NAMES,
    combine,
    for_report,
    one_problem,
    problems,
    recap,
)
from service.imports.reading import UnreadableFile, open_table
from service.imports.repeats import KeyLedger
from service.imports.spec import BY_NAME, EMPLOYER_COLUMNS, EMPLOYER_FILES, FILES, FileSpec

SUFFIXES = (".csv", ".xlsx")


@dataclass
class FileSummary:
    file: str
    rows_read: int
    inserted: int = 0
    updated: int = 0


@dataclass
class ImportReport:
    problems: pd.DataFrame
    summaries: list[FileSummary] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problems.empty


class ImportProgress:
    """What a progress display needs; the default shows nothing."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self, rows: int) -> None: ...


@dataclass
class _Loaded:
    """One chunk of a file: its rows, checked and converted."""

    spec: FileSpec
    path: Path
    values: pd.DataFrame


@dataclass
class _Destination:
    """Where a file's chunks are written: its writer, its summary, and the database's names
    of the file's entity before it (an employer may change only workers it employed)."""

    writer: writing.FileWriter
    summary: FileSummary
    registered: pd.Series | None


class _Refused(Exception):
    """Raised inside the import's transaction to roll back what was written before a
    problem was found."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("import refused")
        self.report = report


def run_import(
    engine: Engine,
    folder: Path,
    reference: Reference,
    progress: ImportProgress | None = None,
    on_written: Callable[[Connection, ImportReport], None] | None = None,
    *,
    employer_uscc: str | None = None,
    limits: FileLimits | None = None,
) -> ImportReport:
    """Check every file; keep nothing unless every row of every file is valid.

    The files are read, checked and written chunk by chunk in one transaction (a city's
    payroll file does not fit in memory whole); writing stops at the first problem, the
    checks go on to report every problem, and the transaction is rolled back.

    With `employer_uscc` the import is that employer's own (its portal upload): only its
    workforce files (EMPLOYER_FILES), only rows naming itself, its workers and its projects
    (scope.py).
    """
    found, folder_problems = discover(folder)
    refused_files = combine([])
    if employer_uscc is not None:
        found, refused_files = _employer_files(found)
    try:
        with writing.import_transaction(engine) as conn:
            run = _ImportRun(
                conn,
                reference,
                progress or ImportProgress(),
                limits or FileLimits.from_settings(),
                employer_scope.load(conn, employer_uscc) if employer_uscc else None,
                [folder_problems, refused_files],
            )
            try:
                for spec, path in found.items():
                    run.import_file(spec, path)
            finally:
                run.close()
            report = run.report()
            if not report.ok:
                raise _Refused(report)
            if run.written_tables:
                data_version.bump(conn, run.changed)
            if on_written:
                on_written(conn, report)
    except _Refused as refused:
        return refused.report
    if run.written_tables:
        with engine.begin() as conn:
            refresh_statistics(conn, run.written_tables)
    return report


class _ImportRun:
    """The state of one import as it goes from file to file: the problems so far, the
    natural keys each file brought (later files may name them), the database's keys, and
    whether writing goes on (only while no problem has been found).

    A chunk is written by a writer thread while the next one is read and checked: the
    database (SQLite's inserts, PostgreSQL's server) works while Python checks. Only that
    thread uses the connection until the chunk's write is waited for, and at most one chunk
    is in flight, so memory holds two chunks.
    """

    def __init__(
        self,
        conn: Connection,
        reference: Reference,
        progress: ImportProgress,
        limits: FileLimits,
        scope: employer_scope.EmployerScope | None,
        problems_found: list[pd.DataFrame],
    ) -> None:
        self.conn, self.reference, self.progress, self.limits = conn, reference, progress, limits
        self.scope = scope
        self.problems = [combine(problems_found)]
        self.writing = self.problems[0].empty
        self.key_maps = _key_maps(conn)
        self.in_import: dict[str, pd.Index] = {}
        self._names: dict[str, pd.Index] = {}  # names known, from both (see known_names)
        # References into a file that could not be read cannot be checked: skip them.
        self.unread = set(employer_scope.SCOPED_REFERENCES) if scope else set()
        self.summaries: list[FileSummary] = []
        self.changed: Changed | None = Changed()
        self.written_tables: list[str] = []
        if self.writing:
            writing.skip_rechecking_references(conn)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
        self._pending: Future[None] | None = None

    def close(self) -> None:
        """Wait for the writes in flight: the transaction ends only after them."""
        try:
            self._wait_for_writes()
        finally:
            self._writer.shutdown(wait=True)

    def report(self) -> ImportReport:
        return ImportReport(for_report(combine(self.problems)), self.summaries)

    def import_file(self, spec: FileSpec, path: Path) -> None:
        self.progress.start(f"{path.name}: reading", 0)
        table = open_table(path, spec, self.limits)
        found = [table.header_problems]
        self._found(table.header_problems)
        keys = KeyLedger(spec, self._key_vocabularies(spec))
        summary = FileSummary(path.name, 0)
        to = _Destination(
            writing.FileWriter(self.conn, spec), summary, self.key_maps.get(spec.name)
        )
        try:
            for chunk in table.chunks:
                item, chunk_problems = self._check(spec, path, chunk, keys)
                found.append(chunk_problems)
                summary.rows_read += len(chunk)
                if self._found(chunk_problems):
                    self._write_behind(item, to)
        except UnreadableFile as unreadable:
            found.append(unreadable.problem)
            self._found(unreadable.problem)
            self.unread.add(spec.name)
        self._wait_for_writes()
        if summary.rows_read == 0 and not table.header_problems.empty:
            self.unread.add(spec.name)
        self.problems.append(recap(combine(found)))
        if self.writing:
            # The indexes a bulk load dropped are built again while the next file is read.
            self._pending = self._writer.submit(to.writer.finish)
            if summary.inserted or summary.updated:
                self.written_tables.append(spec.table)
            # Written: the database's keys now hold this file's names too (an employer's
            # upload, small, keeps its new workers: they are its own to name).
            if self.scope is None:
                self.in_import.pop(spec.name, None)
                self._names.pop(spec.name, None)
        self.summaries.append(summary)

    def _found(self, problems_here: pd.DataFrame) -> bool:
        """Whether writing goes on after these problems."""
        self.writing &= problems_here.empty
        return self.writing

    def _check(
        self, spec: FileSpec, path: Path, chunk: pd.DataFrame, keys: KeyLedger
    ) -> tuple[_Loaded, pd.DataFrame]:
        self.progress.start(f"{path.name}: checking", len(chunk))
        row_problems, values = check_file(spec, chunk, path.name, self.reference, keys)
        item = _Loaded(spec, path, values)
        found = [row_problems]
        if self.scope is not None:
            found.append(_other_employer_rows(item, self.scope.uscc, combine(found)))
            registered_here = self.in_import.get("workers", pd.Index([], dtype=object))
            flagged = partial(_flagged, combine(found))
            found.append(
                employer_scope.foreign_references(item, self.scope, registered_here, flagged)
            )
        found.append(
            _reference_problems(item, self.known_names, combine(found), self.unread, self.reference)
        )
        if spec.natural_key and spec.name in REFERENCE_NAMES:
            named = values[spec.natural_key].dropna().to_numpy(dtype=object)
            self.in_import[spec.name] = _names(self.in_import.get(spec.name), named)
            self._names.pop(spec.name, None)
        return item, combine(found)

    def _key_vocabularies(self, spec: FileSpec) -> dict[str, pd.Index]:
        """The known names of the entities a file's key names (complete: they come from
        earlier files), for its key ledger."""
        return {
            column.name: self.known_names(column.references)
            for column in spec.columns
            if column.name in spec.key and column.references
        }

    def known_names(self, entity: str) -> pd.Index:
        """The employers', workers' or projects' names in this import or in the database,
        distinct: built once per file that brings them, and looked up chunk after chunk
        (the index keeps its hash table)."""
        if entity not in self._names:
            in_import = self.in_import.get(entity, _names(None, []))
            self._names[entity] = _names(self.key_maps[entity].index, in_import).unique()
        return self._names[entity]

    def _write_behind(self, item: _Loaded, to: _Destination) -> None:
        """Hand the chunk to the writer thread once the one before is written."""
        self._wait_for_writes()
        # Told here, before the thread writes (an import job's progress on SQLite stops
        # updating its row once the import holds the write lock).
        self.progress.start(f"{item.path.name}: writing", len(item.values))
        self._pending = self._writer.submit(self._write, item, to)

    def _wait_for_writes(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()  # a write's error is raised here, in the import's thread

    def _write(self, item: _Loaded, to: _Destination) -> None:
        spec, values, kept = item.spec, item.values, 0
        if self.scope is not None and spec.name == "workers":
            assert to.registered is not None
            values, kept = employer_scope.writable_workers(values, self.scope, to.registered.index)
            self.progress.advance(kept)
        frame = writing.to_db_frame(spec, values, self.key_maps)
        written = to.writer.write(frame, self.progress.advance) if len(frame) else None
        if written is None:
            to.summary.inserted += kept
            return
        if spec.name in self.key_maps:
            assert spec.natural_key is not None  # only entities with a natural key are mapped
            self.key_maps[spec.name] = writing.load_key_map(
                self.conn, spec.table, spec.natural_key, known=self.key_maps[spec.name]
            )
            self._names.pop(spec.name, None)
        in_chunk = changed_by(spec, written, self.key_maps.get(spec.name))
        self.changed = None if self.changed is None or in_chunk is None else self.changed | in_chunk
        to.summary.inserted += len(written.new) + kept
        to.summary.updated += len(written.changed)


def _names(known: pd.Index | None, more: Iterable[object]) -> pd.Index:
    """Names as an object index: pandas' string dtype (which Index.append would infer)
    rebuilds its hash table on every lookup."""
    earlier = np.empty(0, dtype=object) if known is None else known.to_numpy(dtype=object)
    names: pd.Index = pd.Index(
        np.concatenate([earlier, np.asarray(more, dtype=object)]), dtype=object
    )
    return names


def discover(folder: Path) -> tuple[dict[FileSpec, Path], pd.DataFrame]:
    """The contract files in a folder; unknown or doubled names are problems."""
    found: dict[FileSpec, Path] = {}
    issues = []
    if not folder.is_dir():
        return found, one_problem(str(folder), 0, "", "", "unreadable", "not a folder")
    expected = ", ".join(f"{spec.name}.csv" for spec in FILES)
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in SUFFIXES or path.name.startswith((".", "~$")):
            continue
        spec = BY_NAME.get(path.stem)
        if spec is None:
            issues.append(one_problem(path.name, 0, "", path.name, "unknown_file", expected))
        elif spec in found:
            issues.append(one_problem(path.name, 0, "", path.name, "ambiguous_file"))
        else:
            found[spec] = path
    return dict(sorted(found.items(), key=lambda item: item[0].order)), combine(issues)


def _employer_files(found: dict[FileSpec, Path]) -> tuple[dict[FileSpec, Path], pd.DataFrame]:
    """The files an employer may import; the others are refused (and not read)."""
    allowed = ", ".join(f"{name}.csv" for name in EMPLOYER_FILES)
    refused = [
        one_problem(path.name, 0, "", path.name, "employer_file_not_allowed", allowed)
        for spec, path in found.items()
        if spec.name not in EMPLOYER_FILES
    ]
    kept = {spec: path for spec, path in found.items() if spec.name in EMPLOYER_FILES}
    return kept, combine(refused)


def _other_employer_rows(
    item: _Loaded, employer_uscc: str, known_problems: pd.DataFrame
) -> pd.DataFrame:
    """Rows naming an employer other than the importing one (a cell already reported, say
    for a bad check character, is not reported twice)."""
    found = []
    for column in EMPLOYER_COLUMNS:
        if column not in item.spec.column_names:
            continue
        named = item.values[column]
        other = named.notna() & (named != employer_uscc) & ~_flagged(known_problems, item, column)
        other = other.astype(bool)
        rows = pd.Series(item.values.index[other], index=item.values.index[other])
        found.append(
            problems(item.path.name, rows, column, named[other], "other_employer", employer_uscc)
        )
    return combine(found)


def _key_maps(conn: Connection) -> dict[str, pd.Series]:
    return {
        spec.name: writing.load_key_map(conn, spec.table, spec.natural_key)
        for spec in FILES
        if spec.natural_key and spec.name in REFERENCE_NAMES
    }


def _reference_problems(
    item: _Loaded,
    known_names: Callable[[str], pd.Index],
    known_problems: pd.DataFrame,
    unread: set[str],
    reference: Reference,
) -> pd.DataFrame:
    """A named employer, worker or project must be in this import (an earlier file: the
    files are read in the contract's order) or in the database.

    A cell that already has a problem (a bad check digit, say) is not reported twice.
    """
    found = []
    for column in item.spec.columns:
        if not column.references or column.references in unread:
            continue
        named = item.values[column.name]
        # Look each distinct name up once; a payroll file repeats them on every row.
        # (object dtype: pandas' hash tables are far faster than arrow-string isin)
        distinct = pd.Index(named.dropna().unique(), dtype=object)
        unknown = distinct[known_names(column.references).get_indexer(distinct) < 0]
        # A name its own check refused is reported as such, past the listed rows too.
        unknown = unknown[~malformed(unknown, column, reference)]
        missing = named.astype(object).isin(unknown) if len(unknown) else named.isna() & False
        missing &= ~_flagged(known_problems, item, column.name)
        rows = pd.Series(item.values.index[missing], index=item.values.index[missing])
        found.append(
            problems(
                item.path.name,
                rows,
                column.name,
                named[missing],
                "unknown_reference",
                REFERENCE_NAMES[column.references],
            )
        )
    return combine(found)


def _flagged(known_problems: pd.DataFrame, item: _Loaded, column: str) -> pd.Series:
    if known_problems.empty:
        return pd.Series(False, index=item.values.index)
    mine = known_problems[
        (known_problems["file"] == item.path.name) & (known_problems["column"] == column)
    ]
    return pd.Series(item.values.index.isin(mine["row"]), index=item.values.index)
