"""Downloadable import templates: one XLSX workbook per contract file.

The first sheet is what the importer reads: row 1 holds the contract's column keys, row 2
their Chinese headings (the reader recognises that row and skips it, see reading.py), data
from row 3. A choice column offers its values as a list. The second sheet describes each
column in Chinese and English.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from service.imports.columns import describe

DATA_SHEET = "数据"
HELP_SHEET = "说明"
# Rows a choice list is offered on (an empty row past them is still read).
CHOICE_ROWS = 5000
HEADING_FILL = PatternFill("solid", fgColor="DDE7F3")


def template_xlsx(name: str) -> bytes:
    """The template workbook of the import file `name` (KeyError for an unknown file)."""
    doc = describe(name)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = DATA_SHEET
    sheet.append([column.name for column in doc.columns])
    sheet.append([column.heading.zh for column in doc.columns])
    for index, column in enumerate(doc.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, 2 * len(column.heading.zh) + 4)
        sheet.cell(1, index).font = Font(bold=True)
        sheet.cell(2, index).fill = HEADING_FILL
        sheet.cell(2, index).font = Font(bold=column.required)
        if column.choices:
            values = ",".join(value for value, _ in column.choices)
            rule = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True)
            rule.add(f"{letter}3:{letter}{CHOICE_ROWS}")
            sheet.add_data_validation(rule)
        # Dates, periods and codes stay text: a spreadsheet must not turn 330302 into a
        # number or 2026-10 into a date. (A column style, so no empty cells are made.)
        sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A3"

    help_sheet = workbook.create_sheet(HELP_SHEET)
    help_sheet.append(
        ["列名（第1行）", "中文名称", "必填", "格式", "说明", "Column", "Format", "Meaning"]
    )
    for column in doc.columns:
        choices_zh = "；".join(f"{value} = {words.zh}" for value, words in column.choices)
        choices_en = "; ".join(f"{value} = {words.en}" for value, words in column.choices)
        help_sheet.append(
            [
                column.name,
                column.heading.zh,
                "是" if column.required else "否",
                column.kind.zh + (f"：{choices_zh}" if choices_zh else ""),
                column.meaning.zh,
                column.heading.en,
                column.kind.en + (f": {choices_en}" if choices_en else ""),
                column.meaning.en,
            ]
        )
    key = "、".join(doc.key)
    help_sheet.append([])
    help_sheet.append(
        [f"每行的唯一标识：{key}。第2行中文名称供填写参考，导入时自动跳过；数据从第3行开始。"]
    )
    for letter, width in zip("ABCDEFGH", (22, 22, 6, 36, 50, 22, 36, 50), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
