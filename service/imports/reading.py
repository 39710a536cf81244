"""Read one contract file (CSV with or without BOM, or XLSX) into a frame of strings.

Both readers check the file against its limits (guards.py) before the work grows: a CSV's
lines and header width before pandas reads it; a workbook's zip directory, declared
dimension and tags before openpyxl parses it, then row by row while streaming.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
from defusedxml import DefusedXmlException
from openpyxl.utils.exceptions import InvalidFileException

from service.imports import guards
from service.imports.columns import headings_zh
from service.imports.guards import FileLimits, FileRefused
from service.imports.problems import combine, one_problem
from service.imports.spec import FileSpec, Kind

# openpyxl parses with defusedxml when it is installed (entity declarations, the "billion
# laughs", are then refused); never read a workbook without it.
if not openpyxl.DEFUSEDXML:
    raise ImportError("defusedxml must be installed (and OPENPYXL_DEFUSEDXML not False)")


class UnreadableFile(Exception):
    pass


def read_table(
    path: Path, spec: FileSpec, limits: FileLimits | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (cells as stripped strings, '' = empty; header problems).

    The frame's index is the row number a spreadsheet shows (header = row 1).
    """
    limits = limits or FileLimits.from_settings()
    try:
        if path.suffix.lower() == ".csv":
            raw = _read_csv(path, limits)
        else:
            raw = _read_xlsx(path, spec, limits)
    except FileRefused as refused:
        return pd.DataFrame(), one_problem(path.name, 0, "", "", refused.code, refused.detail)
    except (
        UnicodeDecodeError,
        pd.errors.ParserError,
        ValueError,
        OSError,
        KeyError,
        zipfile.BadZipFile,
        InvalidFileException,
    ) as error:
        # openpyxl wraps defusedxml's refusal in its own ValueError
        if _caused_by(error, DefusedXmlException):
            return pd.DataFrame(), one_problem(path.name, 0, "", "", "unsafe_xml")
        # the reader's message names the server's folder: show the file's name only
        message = str(error).replace(str(path), path.name).splitlines()[0][:200]
        return pd.DataFrame(), one_problem(path.name, 1, "", "", "unreadable", message)
    header_problems = _header_problems(path.name, list(raw.columns), spec)
    if path.suffix.lower() == ".csv":
        raw.index = pd.RangeIndex(2, len(raw) + 2)
    return _without_heading_row(raw, spec), header_problems


def _without_heading_row(raw: pd.DataFrame, spec: FileSpec) -> pd.DataFrame:
    """The frame without the templates' row 2 of Chinese headings (templates.py), when it
    is there: every cell of row 2 empty or its column's heading, at least one a heading."""
    if raw.empty or raw.index[0] != 2:
        return raw
    headings = headings_zh(spec)
    first = raw.iloc[0]
    cells = [(headings.get(str(name)), str(first[name])) for name in raw.columns]
    if all(text in ("", heading) for heading, text in cells) and any(
        heading and text == heading for heading, text in cells
    ):
        return raw.iloc[1:]
    return raw


def _read_csv(path: Path, limits: FileLimits) -> pd.DataFrame:
    guards.check_csv_lines(path, limits)
    header = _csv_header(path)
    guards.check_header_width(len(header), limits)
    frame = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
        engine="pyarrow",
    )
    # pandas renames a repeated header "a" to "a.1": keep the names as written, so a
    # duplicate is reported as such.
    if len(header) == len(frame.columns):
        frame.columns = [name.strip() for name in header]
    return frame.apply(lambda column: column.fillna("").str.strip())


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _csv_header(path: Path) -> list[str]:
    """The header's names (quoted ones too); its line is already known to be short."""
    with path.open("rb") as handle:
        line = handle.readline()
    text = line.decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)), [])


def _read_xlsx(path: Path, spec: FileSpec, limits: FileLimits) -> pd.DataFrame:
    guards.check_workbook_archive(path, limits)
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        guards.check_sheet(workbook._archive, sheet._worksheet_path, limits)
        # Never pad rows to the declared size: a sheet may lie about it.
        sheet.reset_dimensions()
        header, cells, numbers = _stream_rows(sheet.iter_rows(values_only=True), spec, limits)
    finally:
        workbook.close()
    cells = [row + [""] * (len(header) - len(row)) for row in cells]
    # The index is the row number the spreadsheet shows, empty rows left out.
    return pd.DataFrame(cells, columns=header, dtype=object, index=pd.Index(numbers, dtype="int64"))


def _stream_rows(
    rows: Iterator[tuple[object, ...]], spec: FileSpec, limits: FileLimits
) -> tuple[list[str], list[list[str]], list[int]]:
    """The header, the non-empty rows as text and their row numbers, stopping at the first
    row past a limit."""
    first = next(rows, ())
    guards.check_row(1, len(first), len(first), limits)
    header = [_cell_text(name, None) for name in first]
    kinds = [_kind_of(spec, name) for name in header]
    cells: list[list[str]] = []
    numbers: list[int] = []
    seen = len(header)
    for row_number, row in enumerate(rows, start=2):
        seen += len(row)
        guards.check_row(row_number, len(row), seen, limits)
        texts = [_cell_text(value, kind) for value, kind in zip(row, kinds, strict=False)]
        if any(texts):
            cells.append(texts)
            numbers.append(row_number)
    return header, cells, numbers


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
