"""Read one contract file (CSV with or without BOM, or XLSX) as frames of strings.

Both readers check the file against its limits (guards.py) before the work grows: a CSV's
lines and header width before pyarrow reads it; a workbook's zip directory, declared
dimension and tags before openpyxl parses it, then row by row while streaming.

A CSV is read in chunks of about CHUNK_ROWS rows (a city's payroll file holds tens of
millions: the importer checks and writes one chunk before reading the next); a workbook,
bounded by its limits, is one chunk.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow
import pyarrow.compute
import pyarrow.csv
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


# Rows per chunk: its strings and checked values stay within tens of megabytes, and each
# chunk is still large enough for the vectorised checks to pay.
CHUNK_ROWS = 250_000
# pyarrow reads up to 32 blocks ahead in the background: small blocks keep that bounded.
READ_BLOCK_BYTES = 1024 * 1024

_READ_ERRORS = (
    UnicodeDecodeError,
    pd.errors.ParserError,
    ValueError,  # pyarrow.ArrowInvalid too
    OSError,
    KeyError,
    zipfile.BadZipFile,
    InvalidFileException,
)


@dataclass
class Table:
    """A file's header problems and its rows, chunk after chunk: cells as stripped strings
    ('' = empty), indexed by the row number a spreadsheet shows (header = row 1). Reading
    may still fail part-way: `chunks` then raises UnreadableFile with the problem."""

    header_problems: pd.DataFrame
    chunks: Iterator[pd.DataFrame]


class UnreadableFile(Exception):
    def __init__(self, problem: pd.DataFrame) -> None:
        super().__init__(problem["reason_en"].iloc[0])
        self.problem = problem


def open_table(path: Path, spec: FileSpec, limits: FileLimits | None = None) -> Table:
    limits = limits or FileLimits.from_settings()
    try:
        if path.suffix.lower() == ".csv":
            header, chunks = _open_csv(path, limits)
        else:
            raw = _read_xlsx(path, spec, limits)
            header, chunks = list(raw.columns), iter([raw])
    except (*_READ_ERRORS, FileRefused) as error:
        return Table(_unreadable(path, error), iter(()))
    header_problems = _header_problems(path.name, header, spec)
    if len(set(header)) < len(header):
        # Without a clear header the cells cannot be told apart: report the header only.
        return Table(header_problems, iter(()))
    return Table(header_problems, _checked_chunks(path, spec, chunks))


def read_table(
    path: Path, spec: FileSpec, limits: FileLimits | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole file as one frame, and its header problems (or the reason it cannot be
    read): for a file known to be small."""
    table = open_table(path, spec, limits)
    try:
        frames = list(table.chunks)
    except UnreadableFile as unreadable:
        return pd.DataFrame(), combine([table.header_problems, unreadable.problem])
    if not frames:
        return pd.DataFrame(), table.header_problems
    return pd.concat(frames), table.header_problems


def _checked_chunks(
    path: Path, spec: FileSpec, chunks: Iterator[pd.DataFrame]
) -> Iterator[pd.DataFrame]:
    """The chunks, the templates' row of Chinese headings left out of the first; a read
    error becomes UnreadableFile."""
    first = True
    try:
        for chunk in chunks:
            yield _without_heading_row(chunk, spec) if first else chunk
            first = False
    except _READ_ERRORS as error:
        raise UnreadableFile(_unreadable(path, error)) from error


def _unreadable(path: Path, error: BaseException) -> pd.DataFrame:
    if isinstance(error, FileRefused):
        return one_problem(path.name, 0, "", "", error.code, error.detail)
    # openpyxl wraps defusedxml's refusal in its own ValueError
    if _caused_by(error, DefusedXmlException):
        return one_problem(path.name, 0, "", "", "unsafe_xml")
    # the reader's message names the server's folder: show the file's name only
    message = str(error).replace(str(path), path.name).splitlines()[0][:200]
    return one_problem(path.name, 1, "", "", "unreadable", message)


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


def _open_csv(path: Path, limits: FileLimits) -> tuple[list[str], Iterator[pd.DataFrame]]:
    guards.check_csv_lines(path, limits)
    header = [name.strip() for name in _csv_header(path)]
    guards.check_header_width(len(header), limits)
    # Our own column names, the header line skipped: a repeated name stays as written (and
    # is reported as such), and a byte-order mark goes with the header line.
    positions = [f"c{place}" for place in range(len(header))]
    reader = pyarrow.csv.open_csv(
        path,
        read_options=pyarrow.csv.ReadOptions(
            column_names=positions,
            skip_rows=1,
            block_size=max(READ_BLOCK_BYTES, 2 * limits.max_line_bytes),
        ),
        convert_options=pyarrow.csv.ConvertOptions(
            column_types={name: pyarrow.string() for name in positions},
            null_values=[],
            strings_can_be_null=False,
        ),
    )
    return header, _csv_frames(reader, header)


def _csv_frames(
    reader: pyarrow.csv.CSVStreamingReader, header: list[str]
) -> Iterator[pd.DataFrame]:
    next_row = 2  # the first row after the header, as a spreadsheet numbers it
    for batches in _gathered(reader):
        table = pyarrow.Table.from_batches(batches)
        # Every cell stripped in Arrow, as pandas' str.strip would do it, column by column.
        stripped = [pyarrow.compute.utf8_trim_whitespace(column) for column in table.columns]
        frame = pyarrow.Table.from_arrays(stripped, names=table.column_names).to_pandas()
        frame.columns = header
        frame.index = pd.RangeIndex(next_row, next_row + len(frame))
        next_row += len(frame)
        yield frame


def _gathered(reader: pyarrow.csv.CSVStreamingReader) -> Iterator[list[pyarrow.RecordBatch]]:
    """The reader's small batches, gathered into chunks of about CHUNK_ROWS rows."""
    pending: list[pyarrow.RecordBatch] = []
    rows = 0
    for batch in reader:
        pending.append(batch)
        rows += batch.num_rows
        if rows >= CHUNK_ROWS:
            yield pending
            pending, rows = [], 0
    if pending:
        yield pending


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
