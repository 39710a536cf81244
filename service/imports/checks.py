"""Vectorised checks of one file: every cell of every row, no Python loop per row.

check_file() returns the problems and the converted values (money in fen, dates as
ISO text, flags as booleans) keyed by the contract's column names.
"""

from collections.abc import Callable

import numpy as np
import pandas as pd

from monitors.identifiers import valid_id_numbers, valid_uscc
from monitors.reference import Reference
from service.imports.problems import combine, problems
from service.imports.repeats import KeyLedger
from service.imports.spec import Column, FileSpec, Kind

MONEY_PATTERN = r"\d{1,13}(?:\.\d{1,2})?"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
PERIOD_PATTERN = r"^\d{4}-(?:0[1-9]|1[0-2])$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PATTERN = r"^\+?[0-9][0-9 \-]{4,19}$"
HOURS_PATTERN = r"^\d{1,4}(?:\.\d{1,2})?$"
YEARS = (2000, 2100)  # a staffing year WageGuard can hold (its calendar runs 2000-2040)


def check_file(
    spec: FileSpec,
    frame: pd.DataFrame,
    file_name: str,
    reference: Reference,
    keys: KeyLedger | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`keys`: the keys of the file's earlier chunks, when it is read in chunks."""
    found: list[pd.DataFrame] = []
    converted: dict[str, pd.Series] = {}
    rows = pd.Series(frame.index, index=frame.index)
    for column in spec.columns:
        text = frame[column.name] if column.name in frame else _absent(frame, column)
        column_problems, converted[column.name] = _check_column(
            column, text, rows, file_name, reference
        )
        found.append(column_problems)
    values = pd.DataFrame(converted, index=frame.index)
    found.append((keys or KeyLedger(spec)).repeated(values, file_name))
    found.extend(_row_checks(spec, values, rows, file_name))
    return combine(found), values


def _absent(frame: pd.DataFrame, column: Column) -> pd.Series:
    return pd.Series(column.default or "", index=frame.index, dtype=object)


def _check_column(
    column: Column, text: pd.Series, rows: pd.Series, file_name: str, reference: Reference
) -> tuple[pd.DataFrame, pd.Series]:
    text = text.astype(str)
    empty = text == ""
    if column.default is not None:
        text = text.mask(empty, column.default)
        empty = text == ""
    # Rows are selected only for a reason found: most columns of most files have none.
    any_empty = bool(empty.any())
    found = []
    if column.required and any_empty:
        found.append(problems(file_name, rows[empty], column.name, text[empty], "required"))
    present = text[~empty] if any_empty else text
    bad, value = _convert_distinct(present, column, reference)
    detail = ", ".join(column.choices) if column.kind is Kind.enum else ""
    if bad.any():
        bad_rows = rows[present.index[bad]]
        found.append(
            problems(file_name, bad_rows, column.name, present[bad], column.kind.value, detail)
        )
    too_long = present.str.len() > column.max_length
    if too_long.any():
        found.append(
            problems(
                file_name,
                rows[present.index[too_long]],
                column.name,
                present[too_long],
                "too_long",
                str(column.max_length),
            )
        )
    return combine(found), value.reindex(text.index) if any_empty else value


def _convert_distinct(
    present: pd.Series, column: Column, reference: Reference
) -> tuple[pd.Series, pd.Series]:
    """Check and convert each distinct value once: a payroll file names the same employer,
    worker, period and dates on thousands of rows."""
    codes, distinct = pd.factorize(present)
    checked = pd.Series(distinct, dtype=present.dtype)
    bad, value = CONVERTERS[column.kind](checked, column, reference)
    bad = pd.Series(bad.to_numpy()[codes], index=present.index)
    if value is checked:
        return bad, present  # kept as written (text, codes, dates): no copy of the column
    # The converter's dtype, given: pandas would otherwise infer an object column's type
    # cell by cell (a second per million-row import).
    return bad, pd.Series(value.array.take(codes), index=present.index, dtype=value.dtype)


def malformed(values: pd.Index, column: Column, reference: Reference) -> np.ndarray:
    """Which of these values the column's own check refuses."""
    bad, _ = CONVERTERS[column.kind](pd.Series(values, dtype=object), column, reference)
    return bad.to_numpy(dtype=bool)


def _text(values: pd.Series, _c: Column, _r: Reference) -> tuple[pd.Series, pd.Series]:
    return pd.Series(False, index=values.index), values


def _matching(pattern: str) -> Callable:
    def check(values: pd.Series, _c: Column, _r: Reference) -> tuple[pd.Series, pd.Series]:
        return ~values.str.fullmatch(pattern), values

    return check


def _uscc(values: pd.Series, _c: Column, _r: Reference) -> tuple[pd.Series, pd.Series]:
    return ~valid_uscc(values), values


def _id_number(values: pd.Series, _c: Column, _r: Reference) -> tuple[pd.Series, pd.Series]:
    return ~valid_id_numbers(values), values


def _date(values: pd.Series, _c: Column, _r: Reference) -> tuple[pd.Series, pd.Series]:
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    ok = values.str.fullmatch(DATE_PATTERN) & parsed.notna()
    return ~ok, values


def _money(values: pd.Series, column: Column, _r: Reference) -> tuple[pd.Series, pd.Series]:
    ok = values.str.fullmatch(MONEY_PATTERN)
    # At most 13 integer digits and 2 decimals: well inside float64's exact range, so
    # rounding the float to whole fen is exact.
    yuan = pd.to_numeric(values.where(ok, "0"), errors="coerce").to_numpy(dtype="float64")
    fen = pd.Series((yuan * 100).round(), index=values.index).astype("int64").astype("Int64")
    if column.kind is Kind.positive_money:
        ok &= fen > 0
    return ~ok, fen.where(ok)


def _hours(values: pd.Series, _c: Column, _r: Reference) -> tuple[pd.Series, pd.Series]:
    ok = values.str.fullmatch(HOURS_PATTERN)
    return ~ok, pd.to_numeric(values.where(ok), errors="coerce").astype("Float64")


def _boolean(values: pd.Series, _c: Column, _r: Reference) -> tuple[pd.Series, pd.Series]:
    ok = values.isin(("true", "false"))
    return ~ok, (values == "true").astype("boolean").where(ok)


def _enum(values: pd.Series, column: Column, _r: Reference) -> tuple[pd.Series, pd.Series]:
    return ~values.isin(column.choices), values


def _day_of_month(values: pd.Series, _c: Column, _r: Reference) -> tuple[pd.Series, pd.Series]:
    number = pd.to_numeric(values.where(values.str.fullmatch(r"\d{1,2}")), errors="coerce")
    ok = number.between(1, 31)
    return ~ok, number.where(ok).astype("Int64")


def _count(values: pd.Series, _c: Column, _r: Reference) -> tuple[pd.Series, pd.Series]:
    number = pd.to_numeric(values.where(values.str.fullmatch(r"\d{1,9}")), errors="coerce")
    ok = number.notna()
    return ~ok, number.where(ok).astype("Int64")


def _year(values: pd.Series, _c: Column, _r: Reference) -> tuple[pd.Series, pd.Series]:
    number = pd.to_numeric(values.where(values.str.fullmatch(r"\d{4}")), errors="coerce")
    ok = number.between(YEARS[0], YEARS[1])
    return ~ok, number.where(ok).astype("Int64")


def _county(values: pd.Series, _c: Column, reference: Reference) -> tuple[pd.Series, pd.Series]:
    return ~values.isin(reference.county_codes()), values


def _industry(values: pd.Series, _c: Column, reference: Reference) -> tuple[pd.Series, pd.Series]:
    shaped = values.str.fullmatch(r"\d{2,4}")
    known = reference.industry_flags(values.where(shaped, "00"))["division_known"]
    ok = shaped & known.to_numpy()
    return ~ok, values


CONVERTERS: dict[Kind, Callable] = {
    Kind.text: _text,
    Kind.uscc: _uscc,
    Kind.id_number: _id_number,
    Kind.date: _date,
    Kind.period: _matching(PERIOD_PATTERN),
    Kind.money: _money,
    Kind.positive_money: _money,
    Kind.hours: _hours,
    Kind.boolean: _boolean,
    Kind.enum: _enum,
    Kind.day_of_month: _day_of_month,
    Kind.county: _county,
    Kind.region_code: _matching(r"\d{6}"),
    Kind.industry: _industry,
    Kind.email: _matching(EMAIL_PATTERN),
    Kind.phone: _matching(PHONE_PATTERN),
    Kind.count: _count,
    Kind.year: _year,
}


def _before(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """True where both dates are given and `later` is before `earlier` (ISO text sorts)."""
    both = later.notna() & earlier.notna()
    return both & (later.fillna("") < earlier.fillna(""))


def _row_checks(
    spec: FileSpec, values: pd.DataFrame, rows: pd.Series, file_name: str
) -> list[pd.DataFrame]:
    found = []
    for check in spec.checks:
        column, bad = ROW_CHECKS[check](values)
        found.append(problems(file_name, rows[bad], column, values.loc[bad, column], check))
    return found


ROW_CHECKS: dict[str, Callable[[pd.DataFrame], tuple[str, pd.Series]]] = {
    "end_after_start": lambda v: ("end_date", _before(v["end_date"], v["start_date"])),
    "left_after_start": lambda v: ("left_date", _before(v["left_date"], v["start_date"])),
    "probation_after_start": lambda v: (
        "probation_end",
        _before(v["probation_end"], v["start_date"]),
    ),
    "completion_after_signing": lambda v: (
        "completion_date",
        _before(v["completion_date"], v["contract_signed_date"]),
    ),
    "expiry_after_date": lambda v: ("expiry_date", _before(v["expiry_date"], v["date"])),
    "covers_someone": lambda v: (
        "worker_id_number",
        v["worker_id_number"].isna() & v["project_code"].isna(),
    ),
    "enterprise_names_employer": lambda v: (
        "employer_uscc",
        (v["kind"] == "enterprise") & v["employer_uscc"].isna(),
    ),
}
