"""The one export helper: a list an inspector sees, as CSV or XLSX, with headings in the
viewer's language, and an audit-log entry saying who exported what, with which filters.

The rows come from the same scoped service functions as the pages (`readable(actor)`), so an
export never holds a row its page would not show. Text that a spreadsheet would run as a
formula is neutralised: in the CSV by a leading apostrophe (`service.spreadsheets.safe_cell`),
in the XLSX by storing it as text with Excel's quote prefix (`service.reports.xlsx`).
"""

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from service import clock
from service.audit import service as audit
from service.auth.actors import Actor
from service.i18n import translate
from service.reports.xlsx import table_to_xlsx
from service.spreadsheets import safe_cell

ExportFormat = Literal["csv", "xlsx"]
# An export is for a spreadsheet, not a data dump: beyond this many rows, narrow the filters.
EXPORT_MAX_ROWS = 100_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YUAN_FORMAT = "#,##0.00"


def can_export(actor: Actor) -> bool:
    """Who may export the lists they see (each export keeps to the viewer's scope)."""
    return actor.role in ("inspector", "admin", "supervisor")


def yuan_amount(fen: int | None) -> Decimal | None:
    """Fen as a yuan number for a spreadsheet cell (exact, two decimals)."""
    return None if fen is None else (Decimal(fen) / 100).quantize(Decimal("0.01"))


def export_response(
    *,
    request: Request,
    session: Session,
    actor: Actor,
    what: str,
    language: str,
    fmt: ExportFormat,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    money_columns: Sequence[int] = (),
) -> Response:
    """The rows as a download, after an audit entry (`export.<what>`) with the filters; each
    column headed by its key's `exports.col.<key>` text."""
    headings = [translate(language, f"exports.col.{key}") for key in columns]
    filters = {k: v for k, v in request.query_params.items() if k not in ("format", "lang")}
    audit.record(
        session,
        actor,
        f"export.{what}",
        "export",
        what,
        after={"format": fmt, "rows": len(rows), "filters": filters, "language": language},
    )
    name = f"{translate(language, f'exports.file.{what}')}-{clock.today().isoformat()}.{fmt}"
    if fmt == "csv":
        body = csv_bytes(headings, rows)
        media_type = "text/csv; charset=utf-8"
    else:
        formats = dict.fromkeys(money_columns, YUAN_FORMAT)
        body = table_to_xlsx(headings, rows, title=name.rsplit(".", 1)[0], number_formats=formats)
        media_type = XLSX_TYPE
    return Response(
        body,
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="export.{fmt}"; '
            f"filename*=UTF-8''{quote(name)}",
            "cache-control": "no-store",
        },
    )


def csv_bytes(headings: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel and WPS read the Chinese), CRLF line ends, and
    no cell a spreadsheet would run as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in headings])
    for row in rows:
        writer.writerow([safe_cell(_csv_text(value)) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return clock.shown(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
