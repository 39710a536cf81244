"""Hostile contract files, built byte by byte: small on the wire, huge once read."""

import zipfile
from pathlib import Path

from service.imports.spec import PAYROLL

OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OOXML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OOXML}.worksheet+xml"/>'
    "{shared_type}"
    "</Types>"
)
SHARED_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="payroll" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "{shared_rel}"
    "</Relationships>"
)
SHARED_REL = (
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
COLUMN_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _inline(reference: str, value: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'


def _row(number: int, values: list[str]) -> str:
    cells = "".join(
        _inline(f"{COLUMN_LETTERS[i]}{number}", value) for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def write_workbook(
    path: Path,
    sheet_rows: str,
    *,
    dimension: str | None = None,
    shared_strings: bytes | None = None,
) -> Path:
    """A real .xlsx with one sheet whose <sheetData> is `sheet_rows`."""
    dimension_tag = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = f"{SHEET_OPEN}{dimension_tag}<sheetData>{sheet_rows}</sheetData></worksheet>"
    has_shared = shared_strings is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml", CONTENT_TYPES.format(shared_type=SHARED_TYPE * has_shared)
        )
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr(
            "xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(shared_rel=SHARED_REL * has_shared)
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if has_shared:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return path


def payroll_values(employer: str, worker: str) -> list[str]:
    return [employer, worker, "2026-10", "5200", "5200", "2026-11-10", ""]


def dimension_bomb(path: Path, rows: list[list[str]] | None = None) -> Path:
    """The header, `rows`, and one cell at row 1,048,576, declared as A1:XFD1048576."""
    body = _row(1, list(PAYROLL.column_names))
    body += "".join(_row(number, values) for number, values in enumerate(rows or [], start=2))
    body += _row(1_048_576, ["x"])
    return write_workbook(path, body, dimension="A1:XFD1048576")


def undeclared_far_cell(path: Path) -> Path:
    """No dimension at all; the header, then one cell far right and far down."""
    body = _row(1, list(PAYROLL.column_names))
    body += '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return write_workbook(path, body)


def shared_strings_bomb(path: Path, unpacked_mb: int = 250) -> Path:
    """A shared-strings part of `unpacked_mb` MB of one repeated string (a zip bomb)."""
    item = b"<si><t>aaaaaaaaaaaaaaaa</t></si>"
    count = unpacked_mb * 2**20 // len(item)
    strings = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + item * count
        + b"</sst>"
    )
    header = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return write_workbook(path, header, dimension="A1", shared_strings=strings)


def entity_bomb(path: Path) -> Path:
    """The "billion laughs": ten levels of ten-fold entity expansion in shared strings."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<!DOCTYPE sst [{''.join(levels)}]>"
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>&lol9;</t></si></sst>"
    ).encode()
    header = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return write_workbook(path, header, dimension="A1", shared_strings=strings)


def wide_csv(path: Path, columns: int = 40_000) -> Path:
    """A CSV whose header has `columns` columns, and one row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = ",".join(f"c{i}" for i in range(columns))
    path.write_text(names + "\n" + "," * (columns - 1) + "\n")
    return path


def narrow_but_many_columns_csv(path: Path, columns: int = 1_000) -> Path:
    """A short header line (2 bytes a name) with many columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(",".join("a" for _ in range(columns)) + "\n")
    return path


def long_line_csv(path: Path, megabytes: int = 50) -> Path:
    """A valid payroll header, then one line of `megabytes` MB."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(",".join(PAYROLL.column_names).encode() + b"\n")
        chunk = b"a" * 2**20
        for _ in range(megabytes):
            handle.write(chunk)
        handle.write(b"\n")
    return path
