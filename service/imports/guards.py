"""Limits a contract file must meet before it is parsed, checked cheaply and early.

A hostile file is small on the wire and huge once read: a 5 KB workbook declaring its sheet
as A1:XFD1048576 made the reader pad 17 billion cells, a zip part of repeated bytes unpacks
a thousand-fold, an XML entity expands exponentially, and a CSV header of 40,000 columns
makes pandas build 40,000 columns. Each such file is refused here with a clear reason,
from the zip directory, a bounded look at the first bytes or a byte-level scan, before
openpyxl or pandas start.
"""

import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.config import Settings, get_settings

SCAN_CHUNK_BYTES = 1024 * 1024
NEWLINE = ord("\n")
# The <dimension> element comes before <sheetData>; a real sheet names it in the first
# few hundred bytes.
DIMENSION_LOOKAHEAD_BYTES = 64 * 1024
DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Za-z]+)?\$?(\d+)?(?::\$?([A-Za-z]+)\$?(\d+))?\""
)
# Upper bounds of rows, cells and shared strings, counted on the raw XML (any prefix).
ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
# The addresses rows and cells give themselves: a far one makes the reader pad up to it.
ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\s[^>]*?\br=\"(\d{1,9})\"")
CELL_COLUMN = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Za-z]{1,9})\d")
STRING_TAG = re.compile(rb"<(?:\w+:)?si[\s>/]")
# Parts smaller than this cannot hold a bomb whatever their ratio (tiny XML compresses well).
RATIO_FLOOR_BYTES = 1024 * 1024


class FileRefused(Exception):
    """A file beyond a limit: `code` names the reason in problems.REASONS."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class FileLimits:
    max_columns: int
    max_line_bytes: int
    xlsx_max_rows: int
    xlsx_max_cells: int
    xlsx_max_unpacked_bytes: int
    xlsx_max_members: int
    xlsx_max_ratio: int
    # Rows of any file; None for `wageguard import`, whose bulk files have millions.
    max_rows: int | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, *, upload: bool = False
    ) -> "FileLimits":
        """The limits of the settings; `upload`: those of a file an employer uploaded."""
        settings = settings or get_settings()
        max_rows = settings.import_upload_max_rows if upload else None
        return cls(
            max_columns=settings.import_max_columns,
            max_line_bytes=settings.import_max_line_bytes,
            xlsx_max_rows=min(settings.import_xlsx_max_rows, max_rows or sys.maxsize),
            xlsx_max_cells=settings.import_xlsx_max_cells,
            xlsx_max_unpacked_bytes=settings.import_xlsx_max_unpacked_bytes,
            xlsx_max_members=settings.import_xlsx_max_members,
            xlsx_max_ratio=settings.import_xlsx_max_ratio,
            max_rows=max_rows,
        )


# --- CSV ----------------------------------------------------------------------------------


def check_csv_lines(path: Path, limits: FileLimits) -> None:
    """Every physical line within the byte limit, and no more lines than rows allowed (a
    quoted line break counts too: an upper bound), read in chunks (a 50 MB line is never
    held as one string)."""
    longest = lines = 0
    with path.open("rb") as handle:
        current = 0
        while chunk := handle.read(SCAN_CHUNK_BYTES):
            lines += chunk.count(b"\n")
            if limits.max_rows is not None and lines > limits.max_rows + 1:  # and the header
                raise FileRefused("too_many_rows", f"{limits.max_rows:,}")
            # Where the line breaks are, found in C: a loop over 1.5 M lines took 0.5 s.
            breaks = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == NEWLINE)
            if len(breaks):
                inner = int(np.diff(breaks).max(initial=1)) - 1  # lines wholly in the chunk
                longest = max(longest, current + int(breaks[0]), inner)
                current = len(chunk) - int(breaks[-1]) - 1
            else:
                current += len(chunk)
            if max(longest, current) > limits.max_line_bytes:
                raise FileRefused("line_too_long", _kib(limits.max_line_bytes))


def check_header_width(width: int, limits: FileLimits) -> None:
    if width > limits.max_columns:
        raise FileRefused("too_many_columns", str(limits.max_columns))


# --- XLSX ---------------------------------------------------------------------------------


def check_workbook_archive(path: Path, limits: FileLimits) -> None:
    """The zip directory within limits: parts, unpacked bytes, ratio of each large part.

    Python's zipfile stops reading a part at its declared size, so the declared sizes bound
    what openpyxl can unpack.
    """
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > limits.xlsx_max_members:
            raise FileRefused("too_many_parts", str(limits.xlsx_max_members))
        unpacked = sum(member.file_size for member in members)
        if unpacked > limits.xlsx_max_unpacked_bytes:
            raise FileRefused("unpacked_too_large", _mib(limits.xlsx_max_unpacked_bytes))
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > RATIO_FLOOR_BYTES and ratio > limits.xlsx_max_ratio:
                raise FileRefused("unpacked_too_large", _mib(limits.xlsx_max_unpacked_bytes))
        shared = [m for m in members if m.filename.lower().endswith("sharedstrings.xml")]
        for member in shared:
            if _count(archive, member.filename, STRING_TAG) > limits.xlsx_max_cells:
                raise FileRefused("too_many_cells", f"{limits.xlsx_max_cells:,}")


def check_sheet(archive: zipfile.ZipFile, member: str, limits: FileLimits) -> None:
    """The sheet's declared dimension, then the rows, cells and cell addresses its XML
    holds, within the limits: one byte-level pass, before any cell is parsed."""
    with archive.open(member) as handle:
        start = handle.read(DIMENSION_LOOKAHEAD_BYTES)
    found = DIMENSION.search(start)
    if found:
        last_column, last_row = found.group(3) or found.group(1), found.group(4) or found.group(2)
        _check_extent(_column_number(last_column or b"A"), int(last_row or 1), limits)
    rows = cells = last_row_number = last_column_number = 0
    for piece in _pieces(archive, member):
        rows += len(ROW_TAG.findall(piece))
        cells += len(CELL_TAG.findall(piece))
        numbers = ROW_NUMBER.findall(piece)
        if numbers:
            last_row_number = max(last_row_number, *map(int, numbers))
        letters = CELL_COLUMN.findall(piece)
        if letters:
            widest = max(letters, key=lambda column: (len(column), column))
            last_column_number = max(last_column_number, _column_number(widest))
        if rows > limits.xlsx_max_rows or last_row_number > limits.xlsx_max_rows:
            raise FileRefused("too_many_rows", f"{limits.xlsx_max_rows:,}")
        if last_column_number > limits.max_columns:
            raise FileRefused("too_many_columns", str(limits.max_columns))
        if cells > limits.xlsx_max_cells:
            raise FileRefused("too_many_cells", f"{limits.xlsx_max_cells:,}")


def check_row(row_number: int, width: int, cells_so_far: int, limits: FileLimits) -> None:
    """While streaming: stop at the first row past a limit (a sheet may lie about its size)."""
    _check_extent(width, row_number, limits)
    if cells_so_far > limits.xlsx_max_cells:
        raise FileRefused("too_many_cells", f"{limits.xlsx_max_cells:,}")


def _check_extent(columns: int, rows: int, limits: FileLimits) -> None:
    if columns > limits.max_columns:
        raise FileRefused("too_many_columns", str(limits.max_columns))
    if rows > limits.xlsx_max_rows:
        raise FileRefused("too_many_rows", f"{limits.xlsx_max_rows:,}")
    if columns * rows > limits.xlsx_max_cells:
        raise FileRefused("too_many_cells", f"{limits.xlsx_max_cells:,}")


def _count(archive: zipfile.ZipFile, member: str, tag: re.Pattern[bytes]) -> int:
    return sum(len(tag.findall(piece)) for piece in _pieces(archive, member))


def _pieces(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The part in chunks cut before a '<', so no tag is split between two chunks."""
    rest = b""
    with archive.open(member) as handle:
        while chunk := handle.read(SCAN_CHUNK_BYTES):
            chunk = rest + chunk
            cut = chunk.rfind(b"<")
            if cut <= 0:
                rest = b""
                yield chunk
            else:
                rest = chunk[cut:]
                yield chunk[:cut]
    if rest:
        yield rest


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


def _kib(size: int) -> str:
    return f"{size // 1024:,} KB"


def _mib(size: int) -> str:
    return f"{size // 2**20:,} MB"
