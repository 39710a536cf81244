"""What is wrong with an import, row by row, in Chinese and English."""

import pandas as pd

PROBLEM_COLUMNS = ["file", "row", "column", "value", "code", "reason_zh", "reason_en"]
# Kept on a "more_rows" line until the report is final: how many rows it counts, of which code.
MORE, OF = "_more", "_of"
# Built once: a new empty frame costs 20 times a copy of this one, and each column of each
# file asks for one per reason it checks (a quarter of a small upload's time).
_NO_PROBLEMS = pd.DataFrame(columns=PROBLEM_COLUMNS)


def no_problems() -> pd.DataFrame:
    """An empty problem list of one's own (a copy: the caller may add to it)."""
    return _NO_PROBLEMS.copy()


# code -> (Chinese, English); {detail} is filled per problem.
REASONS: dict[str, tuple[str, str]] = {
    "required": ("必填项为空", "is required but empty"),
    "unknown_column": ("未知的列（请检查拼写）", "unknown column (check the spelling)"),
    "missing_column": ("缺少必需的列", "required column is missing"),
    "duplicate_column": ("列名重复", "column appears twice"),
    "unknown_file": (
        "无法识别的文件名；可用文件：{detail}",
        "unrecognised file name; expected one of: {detail}",
    ),
    "ambiguous_file": (
        "同名的 CSV 与 XLSX 文件同时存在",
        "both a CSV and an XLSX file of this name",
    ),
    "unreadable": ("文件无法读取：{detail}", "the file cannot be read: {detail}"),
    "uscc": (
        "统一社会信用代码无效（应为 18 位且校验码正确）",
        "not a valid unified social credit code (18 characters with a correct check character)",
    ),
    "id_number": (
        "居民身份证号码无效（应为 18 位、出生日期真实且校验码正确）",
        "not a valid resident identity number (18 characters, a real birth date, "
        "a correct check digit)",
    ),
    "date": (
        "应为真实的日期，写作“年-月-日”，如 2026-11-30",
        "must be a real date written YYYY-MM-DD",
    ),
    "period": ("应为月份，写作“年-月”，如 2026-10", "must be a month written YYYY-MM"),
    "money": (
        "金额应为非负数，最多两位小数",
        "must be an amount in CNY, not negative, with at most two decimals",
    ),
    "positive_money": (
        "金额应为正数，最多两位小数",
        "must be a positive amount in CNY with at most two decimals",
    ),
    "hours": ("工时应为非负数", "must be a number of hours, not negative"),
    "boolean": ("应为 true 或 false", "must be true or false"),
    "enum": ("取值应为：{detail}", "must be one of: {detail}"),
    "day_of_month": ("应为 1 到 31 之间的整数", "must be a whole number from 1 to 31"),
    "county": (
        "不是温州市的县级行政区划代码（GB/T 2260）",
        "not a GB/T 2260 code of a county-level division of Wenzhou",
    ),
    "region_code": ("应为 6 位行政区划代码", "must be a 6-digit administrative division code"),
    "industry": (
        "不是有效的国民经济行业分类代码（GB/T 4754-2017 门类下的 2–4 位代码）",
        "not a GB/T 4754-2017 industry code (2 to 4 digits under a known division)",
    ),
    "email": ("电子邮箱地址无效", "not a valid e-mail address"),
    "phone": ("电话号码无效", "not a valid phone number"),
    "count": ("应为非负整数", "must be a whole number, not negative"),
    "year": ("应为 2000 至 2100 之间的四位年份", "must be a year from 2000 to 2100"),
    "too_long": ("内容过长（最多 {detail} 个字符）", "too long (at most {detail} characters)"),
    "duplicate_key": (
        "与第 {detail} 行的键重复",
        "repeats the key of row {detail}",
    ),
    "unknown_reference": (
        "引用的{detail}既不在本次导入中，也不在数据库中",
        "names a {detail} that is neither in this import nor in the database",
    ),
    "end_after_start": ("结束日期早于开始日期", "ends before it starts"),
    "left_after_start": ("离职日期早于用工开始日期", "left before the first day of work"),
    "probation_after_start": ("试用期结束日早于用工开始日期", "probation ends before work starts"),
    "completion_after_signing": (
        "竣工日期早于合同签订日期",
        "completed before the construction contract was signed",
    ),
    "expiry_after_date": ("保函到期日早于出具日期", "the guarantee expires before its date"),
    "covers_someone": (
        "工人身份证号与项目编号不能同时为空",
        "names neither a worker nor a project",
    ),
    "enterprise_names_employer": (
        "企业劳动争议调解委员会必须填写所属用人单位",
        "an enterprise committee must name its employer",
    ),
    # An employer importing through its portal may write only its own rows.
    "other_employer": (
        "只能导入本单位（统一社会信用代码 {detail}）的数据，此行属于其他用人单位",
        "you may import only your own organisation's rows (USCC {detail}); "
        "this row names another employer",
    ),
    "employer_file_not_allowed": (
        "用人单位不能导入此文件；可导入的文件：{detail}",
        "employers may not import this file; files you may import: {detail}",
    ),
    # Files refused before they are read (guards.py): too big once unpacked or parsed.
    "unpacked_too_large": (
        "工作簿解压后超过 {detail}（疑似压缩炸弹），已拒绝；请另存为 CSV 后再导入",
        "the workbook unpacks to more than {detail} (a possible zip bomb) and was refused; "
        "save it as CSV and import that",
    ),
    "too_many_parts": (
        "工作簿内部文件超过 {detail} 个，已拒绝",
        "the workbook holds more than {detail} parts and was refused",
    ),
    "too_many_rows": (
        "文件（或其声明的表格范围）超过 {detail} 行，已拒绝；请拆分后分批导入或改用 CSV",
        "the file has (or its sheet declares) more than {detail} rows and was refused; "
        "split it or import it as CSV",
    ),
    "too_many_columns": (
        "文件（或其声明的表格范围）超过 {detail} 列，已拒绝",
        "the file has (or its sheet declares) more than {detail} columns and was refused",
    ),
    "too_many_cells": (
        "文件（或其声明的表格范围）超过 {detail} 个单元格，已拒绝；请拆分后分批导入或改用 CSV",
        "the file has (or its sheet declares) more than {detail} cells and was refused; "
        "split it or import it as CSV",
    ),
    "line_too_long": (
        "文件中有一行超过 {detail}，已拒绝",
        "a line of the file is longer than {detail} and was refused",
    ),
    "unsafe_xml": (
        "工作簿含有不安全的 XML（实体或文档类型声明），已拒绝",
        "the workbook contains unsafe XML (entity or document type declarations) and was refused",
    ),
    "more_rows": (
        "自此行起还有 {detail} 行存在同样的问题（未逐行列出）：",
        "from this row on, {detail} more rows have the same problem (not listed one by one): ",
    ),
    "no_files": ("没有选择文件", "no file was chosen"),
    "duplicate_file": ("同一文件上传了两次", "this file was uploaded twice"),
    "file_too_large": (
        "文件过大（最大 {detail} MB）",
        "the file is too large (at most {detail} MB)",
    ),
    # The same answer whether the worker or project is unknown or someone else's (scope.py).
    "worker_not_yours": (
        "不是本单位登记的劳动者：新招用的劳动者请在同一次导入的 workers 文件中登记",
        "not one of your organisation's workers: register a new hire in workers in the same import",
    ),
    "project_not_yours": (
        "不是本单位作为施工总承包单位的工程项目（分包单位由总承包单位或劳动保障监察员关联）",
        "not a project your organisation is the general contractor of (a subcontractor "
        "is linked to a project by the contractor or a labour inspector)",
    ),
}

REFERENCE_NAMES = {
    "employers": ("用人单位", "employer"),
    "workers": ("劳动者", "worker"),
    "projects": ("工程项目", "project"),
}


# A file of junk would otherwise report, and hold in memory, one problem per cell: each
# reason of a column is listed for its first rows, then the rest are counted in one line.
MAX_ROWS_PER_REASON = 1000


def problems(
    file: str,
    rows: pd.Series,
    column: str,
    values: pd.Series,
    code: str,
    detail: str | tuple[str, str] | pd.Series = "",
) -> pd.DataFrame:
    """Problem rows for every flagged row of one column, all with the same reason.

    `detail` fills the reason's blank: one text, a (Chinese, English) pair, or a text per row.
    Past MAX_ROWS_PER_REASON rows, one more row says how many more have this problem.
    """
    if rows.empty:
        return no_problems()  # the common case
    more = len(rows) - MAX_ROWS_PER_REASON
    if more > 0:
        next_row = int(rows.iloc[MAX_ROWS_PER_REASON])
        rows, values = rows.iloc[:MAX_ROWS_PER_REASON], values.iloc[:MAX_ROWS_PER_REASON]
        if isinstance(detail, pd.Series):
            detail = detail.iloc[:MAX_ROWS_PER_REASON]
    zh, en = REASONS[code]
    if isinstance(detail, tuple):
        reason_zh, reason_en = zh.format(detail=detail[0]), en.format(detail=detail[1])
    elif isinstance(detail, pd.Series):
        reason_zh = pd.Series([zh.format(detail=d) for d in detail], index=rows.index)
        reason_en = pd.Series([en.format(detail=d) for d in detail], index=rows.index)
    else:
        reason_zh, reason_en = zh.format(detail=detail), en.format(detail=detail)
    listed = pd.DataFrame(
        {
            "file": file,
            "row": rows.astype("int64"),
            "column": column,
            "value": values.astype(str),
            "code": code,
            "reason_zh": reason_zh,
            "reason_en": reason_en,
        }
    )
    if more <= 0:
        return listed
    return pd.concat([listed, _more_rows(listed, next_row, more, code)], ignore_index=True)


def _more_rows(listed: pd.DataFrame, next_row: int, more: int, code: str) -> pd.DataFrame:
    """The line counting a reason's rows past the listed ones. It keeps the count and the
    reason's code as data (MORE, OF: dropped from the final report) for recap()."""
    first = listed.iloc[0]
    summary = {
        "file": first["file"],
        "row": next_row,
        "column": first["column"],
        "value": "",
        "code": "more_rows",
        "reason_zh": REASONS["more_rows"][0].format(detail=f"{more:,}") + first["reason_zh"],
        "reason_en": REASONS["more_rows"][1].format(detail=f"{more:,}") + first["reason_en"],
        MORE: more,
        OF: code,
    }
    return pd.DataFrame([summary])


def recap(found: pd.DataFrame) -> pd.DataFrame:
    """A file's problems gathered chunk by chunk, each reason of a column listed again for
    its first MAX_ROWS_PER_REASON rows only, and the rest counted in one line."""
    if found.empty:
        return found
    found = found.reindex(columns=[*PROBLEM_COLUMNS, MORE, OF])
    counted = found["code"] == "more_rows"
    summaries, listed = found[counted], found[~counted].sort_values("row", kind="stable")
    capped = []
    for (column, code), rows in listed.groupby(["column", "code"], sort=False):
        earlier = summaries[(summaries["column"] == column) & (summaries[OF] == code)]
        more = len(rows) - MAX_ROWS_PER_REASON + int(earlier[MORE].sum())
        capped.append(rows.iloc[:MAX_ROWS_PER_REASON])
        if more > 0:
            unlisted = [*earlier["row"], *rows["row"].iloc[MAX_ROWS_PER_REASON:]]
            capped.append(_more_rows(rows, int(min(unlisted)), more, str(code)))
    return combine(capped)


def for_report(found: pd.DataFrame) -> pd.DataFrame:
    """The problems as the report shows them: its columns only."""
    return found.reindex(columns=PROBLEM_COLUMNS)


def one_problem(
    file: str, row: int, column: str, value: str, code: str, detail: str = ""
) -> pd.DataFrame:
    return problems(file, pd.Series([row]), column, pd.Series([value]), code, detail)


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return no_problems()
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["file", "row", "column"], kind="stable", ignore_index=True)
