"""Tables as XLSX workbooks (openpyxl, write-only: a 50,000-row export stays small in memory).

A text cell can never become a formula: every string is stored as a string, and one that a
spreadsheet would run as a formula (the cases ``service.spreadsheets.safe_cell`` names) also
carries Excel's quote prefix, so it stays text even after someone edits it. Unlike the CSV
export no apostrophe is added: the cell shows exactly the name on record.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from service.spreadsheets import safe_cell

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
HEADING_FONT = Font(bold=True)
HEADING_FILL = PatternFill("solid", fgColor="DDDDDD")
SHEET_TITLE_FORBIDDEN = str.maketrans({character: "_" for character in "[]:*?/\\"})
MAX_COLUMN_WIDTH = 60


@dataclass(frozen=True)
class Sheet:
    """One worksheet: headings, then rows of plain values (str, int, float, Decimal, bool,
    date, datetime or None). ``number_formats`` optionally gives a column's Excel format by
    position, e.g. ``{2: "#,##0.00"}`` for yuan."""

    title: str
    headings: Sequence[str]
    rows: Iterable[Sequence[object]]
    number_formats: dict[int, str] = field(default_factory=dict)


def table_to_xlsx(
    headings: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str = "Sheet1",
    number_formats: dict[int, str] | None = None,
) -> bytes:
    """A one-sheet workbook: a bold heading row (frozen, with filters), then the rows."""
    return workbook_to_xlsx([Sheet(title, headings, rows, number_formats or {})])


def workbook_to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one worksheet per ``Sheet``, in order (e.g. scores, then evidence)."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(_sheet_title(sheet.title))
        try:
            _write_sheet(worksheet, sheet)
        except Exception:
            worksheet.close()  # finishes its temporary file, which would otherwise leak
            raise
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(worksheet: Worksheet, sheet: Sheet) -> None:
    width = len(sheet.headings)
    for position, heading in enumerate(sheet.headings, start=1):
        letter = get_column_letter(position)
        worksheet.column_dimensions[letter].width = _column_width(heading)
    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = f"A1:{get_column_letter(max(width, 1))}1"
    worksheet.append([_heading_cell(worksheet, heading) for heading in sheet.headings])
    for row in sheet.rows:
        if len(row) != width:
            raise ValueError(f"a row has {len(row)} values, the headings {width}")
        worksheet.append(
            [
                _value_cell(worksheet, value, sheet.number_formats.get(position))
                for position, value in enumerate(row)
            ]
        )


def _heading_cell(worksheet: Worksheet, heading: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=ILLEGAL_CHARACTERS_RE.sub("", heading))
    cell.data_type = "s"
    cell.font = HEADING_FONT
    cell.fill = HEADING_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _value_cell(
    worksheet: Worksheet, value: object, number_format: str | None
) -> WriteOnlyCell | object:
    """A styled cell where one is needed; otherwise the plain value, which openpyxl writes
    several times faster (a large export is mostly plain text and numbers)."""
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters corrupt the file
        if safe_cell(text) is text:
            return text  # stored as a string: nothing a spreadsheet would run
    elif value is None or (isinstance(value, int | float | Decimal) and not number_format):
        return value  # bool is an int too
    cell = WriteOnlyCell(worksheet)
    if isinstance(value, str):
        cell.value = text
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        cell.quotePrefix = safe_cell(text) is not text
        return cell
    if isinstance(value, datetime):
        # Excel has no time zones: an aware time is written as UTC.
        cell.value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        cell.number_format = number_format or DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell.value = value
        cell.number_format = number_format or DATE_FORMAT
        return cell
    if value is None or isinstance(value, bool | int | float | Decimal):
        cell.value = value
    else:
        cell.value = str(value)
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def _column_width(heading: str) -> float:
    """Wide enough for the heading: a CJK character takes about two Latin widths."""
    units = sum(2 if ord(character) > 0x2E7F else 1 for character in heading)
    return min(max(units + 2, 10), MAX_COLUMN_WIDTH)


def _sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    return title.translate(SHEET_TITLE_FORBIDDEN)[:31] or "Sheet1"
