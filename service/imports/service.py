"""`wageguard import DIR`: read, check and write a folder of contract files, all or nothing."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from monitors.reference import Reference
from service import data_version
from service.data_version import Changed
from service.db import refresh_statistics
from service.imports import scope as employer_scope
from service.imports import writing
from service.imports.changes import changed_by
from service.imports.checks import check_file
from service.imports.guards import FileLimits
from service.imports.problems import REFERENCE_NAMES, combine, one_problem, problems
from service.imports.reading import read_table
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
    spec: FileSpec
    path: Path
    values: pd.DataFrame


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
    """Check every file; write nothing unless every row of every file is valid.

    With `employer_uscc` the import is that employer's own (its portal upload): only its
    workforce files (EMPLOYER_FILES), only rows naming itself, its workers and its projects
    (scope.py).
    """
    progress = progress or ImportProgress()
    found, folder_problems = discover(folder)
    all_problems = [folder_problems]
    if employer_uscc is not None:
        found, refused_files = _employer_files(found)
        all_problems.append(refused_files)
    limits = limits or FileLimits.from_settings()
    loaded, found_problems = _read_and_check(found, reference, progress, limits)
    all_problems.extend(found_problems)
    if employer_uscc is not None:
        all_problems.append(_other_employer_rows(loaded, employer_uscc, combine(all_problems)))
    with writing.import_transaction(engine) as conn:
        key_maps = _key_maps(conn)
        scope = employer_scope.load(conn, employer_uscc) if employer_uscc else None
        # References into a file that could not be read cannot be checked: skip them.
        unread = {spec.name for spec in found} - {item.spec.name for item in loaded}
        if scope is not None:
            unread |= employer_scope.SCOPED_REFERENCES
            flagged = partial(_flagged, combine(all_problems))
            all_problems.append(employer_scope.foreign_references(loaded, scope, flagged))
        all_problems.append(_reference_problems(loaded, key_maps, combine(all_problems), unread))
        report = ImportReport(combine(all_problems))
        if not report.ok:
            return report
        writing.skip_rechecking_references(conn)
        report.summaries, changed = _write_all(conn, loaded, key_maps, progress, scope)
        if any(s.inserted or s.updated for s in report.summaries):
            data_version.bump(conn, changed)
        if on_written:
            on_written(conn, report)
    written = [spec.table for spec, s in _by_spec(loaded, report) if s.inserted or s.updated]
    if written:
        with engine.begin() as conn:
            refresh_statistics(conn, written)
    return report


def _by_spec(loaded: list[_Loaded], report: ImportReport) -> list[tuple[FileSpec, FileSummary]]:
    return [(item.spec, summary) for item, summary in zip(loaded, report.summaries, strict=True)]


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
    loaded: list[_Loaded], employer_uscc: str, known_problems: pd.DataFrame
) -> pd.DataFrame:
    """Rows naming an employer other than the importing one (a cell already reported, say
    for a bad check character, is not reported twice)."""
    found = []
    for item in loaded:
        for column in EMPLOYER_COLUMNS:
            if column not in item.spec.column_names:
                continue
            named = item.values[column]
            other = (
                named.notna() & (named != employer_uscc) & ~_flagged(known_problems, item, column)
            )
            other = other.astype(bool)
            rows = pd.Series(item.values.index[other], index=item.values.index[other])
            found.append(
                problems(
                    item.path.name, rows, column, named[other], "other_employer", employer_uscc
                )
            )
    return combine(found)


def _read_and_check(
    found: dict[FileSpec, Path],
    reference: Reference,
    progress: ImportProgress,
    limits: FileLimits,
) -> tuple[list[_Loaded], list[pd.DataFrame]]:
    loaded, found_problems = [], []
    for spec, path in found.items():
        progress.start(f"{path.name}: reading", 0)
        frame, header_problems = read_table(path, spec, limits)
        found_problems.append(header_problems)
        # Without a clear header the cells cannot be told apart: report the header only.
        if frame.columns.duplicated().any() or (frame.empty and not header_problems.empty):
            continue
        progress.start(f"{path.name}: checking", len(frame))
        row_problems, values = check_file(spec, frame, path.name, reference)
        found_problems.append(row_problems)
        loaded.append(_Loaded(spec, path, values))
    return loaded, found_problems


def _key_maps(conn: Connection) -> dict[str, pd.Series]:
    return {
        spec.name: writing.load_key_map(conn, spec.table, spec.natural_key)
        for spec in FILES
        if spec.natural_key and spec.name in REFERENCE_NAMES
    }


def _reference_problems(
    loaded: list[_Loaded],
    key_maps: dict[str, pd.Series],
    known_problems: pd.DataFrame,
    unread: set[str],
) -> pd.DataFrame:
    """A named employer, worker or project must be in this import or in the database.

    A cell that already has a problem (a bad check digit, say) is not reported twice.
    """
    in_import = {
        item.spec.name: pd.Index(item.values[item.spec.natural_key].dropna().unique())
        for item in loaded
        if item.spec.natural_key
    }
    found = []
    for item in loaded:
        for column in item.spec.columns:
            if not column.references or column.references in unread:
                continue
            named = item.values[column.name]
            # Look each distinct name up once; a payroll file repeats them on every row.
            # (object dtype: pandas' hash tables are far faster than arrow-string isin)
            distinct = pd.Index(named.dropna().unique(), dtype=object)
            imported = in_import.get(column.references, pd.Index([]))
            known = distinct.isin(imported.astype(object))
            known |= distinct.isin(key_maps[column.references].index.astype(object))
            unknown = distinct[~known]
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


def _write_all(
    conn: Connection,
    loaded: list[_Loaded],
    key_maps: dict[str, pd.Series],
    progress: ImportProgress,
    scope: employer_scope.EmployerScope | None,
) -> tuple[list[FileSummary], Changed | None]:
    """Write every file; what the rows written changed, for the next monitors run."""
    summaries: list[FileSummary] = []
    changed: Changed | None = Changed()
    for item in loaded:
        spec, values, kept = item.spec, item.values, 0
        progress.start(f"{item.path.name}: writing", len(values))
        if scope is not None and spec.name == "workers":
            values, kept = employer_scope.writable_workers(values, scope, key_maps["workers"].index)
            progress.advance(kept)
        frame = writing.to_db_frame(spec, values, key_maps)
        written = (
            writing.write(conn, spec, frame, progress.advance)
            if len(frame)
            else writing.Written(frame, frame)
        )
        if spec.name in key_maps:
            assert spec.natural_key is not None  # only entities with a natural key are mapped
            key_maps[spec.name] = writing.load_key_map(conn, spec.table, spec.natural_key)
        in_file = changed_by(spec, written, key_maps.get(spec.name))
        changed = None if changed is None or in_file is None else changed | in_file
        inserted, updated = len(written.new), len(written.changed)
        summaries.append(FileSummary(item.path.name, len(item.values), inserted + kept, updated))
    return summaries, changed


def _flagged(known_problems: pd.DataFrame, item: _Loaded, column: str) -> pd.Series:
    mine = known_problems[
        (known_problems["file"] == item.path.name) & (known_problems["column"] == column)
    ]
    return pd.Series(item.values.index.isin(mine["row"]), index=item.values.index)
