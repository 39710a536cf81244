"""Read one contract file (CSV with or without BOM, or XLSX) into a frame of strings."""

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from service.imports.problems import combine, one_problem
from service.imports.spec import FileSpec, Kind


class UnreadableFile(Exception):
    pass


def read_table(path: Path, spec: FileSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (cells as stripped strings, '' = empty; header problems).

    The frame's index is the row number a spreadsheet shows (header = row 1).
    """
    try:
        raw = _read_csv(path) if path.suffix.lower() == ".csv" else _read_xlsx(path, spec)
    except (
        UnicodeDecodeError,
        pd.errors.ParserError,
        ValueError,
        OSError,
        KeyError,
        zipfile.BadZipFile,
        InvalidFileException,
    ) as error:
        message = str(error).splitlines()[0][:200]
        return pd.DataFrame(), one_problem(path.name, 1, "", "", "unreadable", message)
    header_problems = _header_problems(path.name, list(raw.columns), spec)
    raw.index = pd.RangeIndex(2, len(raw) + 2)
    return raw, header_problems


def _read_csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
        engine="pyarrow",
    )
    _reject_mangled_duplicates(path, frame)
    return frame.apply(lambda column: column.fillna("").str.strip())


def _reject_mangled_duplicates(path: Path, frame: pd.DataFrame) -> None:
    # pandas renames a repeated header "a" to "a.1"; read the header line to tell.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = handle.readline().rstrip("\r\n").split(",")
    if len(header) == len(frame.columns):
        frame.columns = [name.strip().strip('"') for name in header]


def _read_xlsx(path: Path, spec: FileSpec) -> pd.DataFrame:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [_cell_text(name, None) for name in next(rows, ())]
        kinds = [_kind_of(spec, name) for name in header]
        cells = [
            [_cell_text(value, kind) for value, kind in zip(row, kinds, strict=False)]
            for row in rows
        ]
    finally:
        workbook.close()
    cells = [row + [""] * (len(header) - len(row)) for row in cells if any(row)]
    return pd.DataFrame(cells, columns=header, dtype=object)


def _kind_of(spec: FileSpec, name: str) -> Kind | None:
    return next((column.kind for column in spec.columns if column.name == name), None)


def _cell_text(value: object, kind: Kind | None) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m" if kind is Kind.period else "%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_problems(file: str, header: list[str], spec: FileSpec) -> pd.DataFrame:
    found: list[pd.DataFrame] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            found.append(one_problem(file, 1, name, name, "duplicate_column"))
        seen.add(name)
        if name not in spec.column_names:
            found.append(one_problem(file, 1, name, name, "unknown_column"))
    for column in spec.columns:
        if column.required and column.name not in seen:
            found.append(one_problem(file, 1, column.name, "", "missing_column"))
    return combine(found)
