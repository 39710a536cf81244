"""Reference data: the legal figures, codes and tiers under ``data/``, loaded and checked once.

Every figure the monitors use lives in exactly one CSV row under ``data/`` (data/README.md is
the data dictionary). This module reads those files, refuses a malformed one with a message
naming the file, the line (as a text editor counts it, header = line 1) and the problem, and
answers the monitors' questions with vectorised pandas: a parameter in force on a day, an
industry's flags by longest code prefix, the minimum wage of a county in a period.

Pure: standard library and pandas only; it never imports ``service``.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"

Problem = tuple[int | None, str]  # (line, message); line None = the file as a whole


class ReferenceDataError(Exception):
    """A reference file is missing or malformed, or a name is unknown.

    ``str()`` reads like ``data/minimum_wages.csv line 4: monthly_fen 'abc' is not an integer``;
    when a file has several problems they follow one per line, earliest line first.
    """

    def __init__(self, file: str, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems = sorted(problems, key=lambda problem: problem[0] or 0)
        self.line = self.problems[0][0] if self.problems else None
        self.message = "\n".join(_describe(file, line, text) for line, text in self.problems)
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError (mixed in below) would otherwise quote the message
        return self.message


class UnknownParameter(ReferenceDataError, KeyError):
    """A parameter name that no reference file defines; also catchable as ``KeyError``."""


def _describe(file: str, line: int | None, text: str) -> str:
    return f"{file}: {text}" if line is None else f"{file} line {line}: {text}"


@dataclass(frozen=True)
class LegalBasis:
    """The article(s) a figure implements, shown to users in Chinese and English."""

    zh: str
    en: str
    source: str
    status: str  # law, policy (set by WageGuard, not by law) or unconfirmed (see STATUSES)


@dataclass(frozen=True)
class Parameter:
    """One named legal or policy figure, as in force from ``valid_from``."""

    name: str
    value: int | float
    unit: str
    valid_from: date
    basis: LegalBasis
    note: str


# --- file schemas -------------------------------------------------------------------------


class Kind(StrEnum):
    """How a column's text is checked and typed."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"


@dataclass(frozen=True)
class Column:
    """One CSV column: its kind, whether it may be empty, and its format or bounds."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = True
    pattern: str | None = None  # full-match regular expression for TEXT
    choices: tuple[str, ...] = ()
    low: int | None = None  # inclusive bounds for INTEGER
    high: int | None = None


@dataclass(frozen=True)
class TableSpec:
    """One reference file: its exact column set and its unique key."""

    file: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique; for effective-dated tables it includes valid_from

    @property
    def names(self) -> frozenset[str]:
        return frozenset(column.name for column in self.columns)


def _choice(name: str, *choices: str) -> Column:
    return Column(name, Kind.CHOICE, choices=choices)


def _integer(
    name: str, low: int | None = 0, high: int | None = None, required: bool = True
) -> Column:
    return Column(name, Kind.INTEGER, required=required, low=low, high=high)


# How far a figure can be relied on: `law` (as the cited source says), `unconfirmed` (the
# rules reference marks it UNCONFIRMED or best knowledge) and, for parameters, `policy` (set by
# WageGuard itself). `confirmed`, the earlier word for `law`, is still read as `law`.
STATUSES = ("law", "unconfirmed", "confirmed")
LAW, POLICY, UNCONFIRMED = "law", "policy", "unconfirmed"
# Said wherever a figure that is not plainly the law's is shown: appended to each part of its
# legal basis, so alerts, exports, e-mails and pages carry it without a template knowing.
STATUS_MARKERS = {  # from the stronger to the weaker standing
    POLICY: ("（本系统设定）", " (set by this service)"),
    UNCONFIRMED: ("（待核实）", " (to be confirmed)"),
}
COUNTY_CODE = r"\d{6}"  # GB/T 2260
# A short service number (12348) or a landline with its area code (0577-88888888).
PHONE = r"\d{5}|0\d{2,3}-\d{7,8}"
BASIS_COLUMNS = (Column("legal_basis_zh"), Column("legal_basis_en"), Column("source"))
# Units whose values must be whole numbers; only the 21.75 paid days per month is fractional.
INTEGER_UNITS = (
    "bp", "bp_per_day", "fen", "days", "working_days", "months", "years", "workers",
    "complaints", "times_per_month", "months_of_min_wage", "direction", "tier", "count",
)  # fmt: skip
FRACTIONAL_UNITS = ("days_per_month",)


@dataclass(frozen=True, kw_only=True)
class Sourced:
    """A fact read from data/ with its legal basis and how far it can be relied on."""

    status: str
    legal_basis_zh: str
    legal_basis_en: str
    source: str

    @property
    def is_confirmed(self) -> bool:
        return self.status == LAW


JURISDICTIONS = TableSpec(
    "jurisdictions.csv",
    (
        Column("code", pattern=COUNTY_CODE),
        Column("parent_code", pattern=COUNTY_CODE),
        _choice("level", "city", "county"),
        Column("name_zh"),
        Column("name_en"),
        _integer("min_wage_tier", low=1, high=3, required=False),
        _choice("status", *STATUSES),
        *BASIS_COLUMNS,
    ),
    key=("code",),
)
TOWNS = TableSpec(
    "towns.csv",
    (
        Column("county_code", pattern=COUNTY_CODE),
        Column("name_zh"),
        Column("name_en"),
        _choice("status", *STATUSES),
        *BASIS_COLUMNS,
    ),
    key=("county_code", "name_zh"),
)
MINIMUM_WAGES = TableSpec(
    "minimum_wages.csv",
    (
        _integer("tier", low=1, high=3),
        Column("valid_from", Kind.DATE),
        Column("valid_to", Kind.DATE, required=False),
        _integer("monthly_fen"),
        _integer("hourly_fen"),
        _choice("status", *STATUSES),
        *BASIS_COLUMNS,
    ),
    key=("tier", "valid_from"),
)
INDUSTRIES = TableSpec(
    "industries.csv",
    (
        Column("code", pattern=r"\d{2}|\d{3}|\d{4}"),  # GB/T 4754-2017 division/group/class
        Column("section", pattern=r"[A-T]"),
        _choice("level", "division", "group", "class"),
        Column("name_zh"),
        Column("name_en"),
        _integer("wi_class", low=1, high=8, required=False),
        Column("high_risk", Kind.BOOLEAN),
        Column("deposit_sector", Kind.BOOLEAN),
        Column("inspection_focus", Kind.BOOLEAN),
        _choice("status", *STATUSES),
        *BASIS_COLUMNS,
    ),
    key=("code",),
)
PARAMETERS = TableSpec(
    "parameters.csv",
    (
        Column("name", pattern=r"[a-z][a-z0-9_]*"),
        Column("value", Kind.NUMBER),
        _choice("unit", *INTEGER_UNITS, *FRACTIONAL_UNITS),
        Column("valid_from", Kind.DATE),
        _choice("status", *STATUSES, POLICY),
        *BASIS_COLUMNS,
        Column("note", required=False),
    ),
    key=("name", "valid_from"),
)
LEASED_PREMISES_DEPOSIT = TableSpec(
    "leased_premises_deposit.csv",
    (
        Column("county_code", pattern=COUNTY_CODE),
        _integer("per_worker_fen"),
        _integer("min_fen"),
        _integer("max_fen"),
        _integer("due_working_days"),
        Column("valid_from", Kind.DATE),
        _choice("status", *STATUSES),
        *BASIS_COLUMNS,
    ),
    key=("county_code", "valid_from"),
)
SPECS = (JURISDICTIONS, TOWNS, MINIMUM_WAGES, INDUSTRIES, PARAMETERS, LEASED_PREMISES_DEPOSIT)

# Codes seen in older or statistical lists that are not GB/T 2260 counties (rules-reference §7).
NOT_COUNTIES = {
    "330322": "is the former 洞头县, replaced by 洞头区 330305",
    "330371": "is a statistical code (温州经济技术开发区), not a GB/T 2260 county",
}
MINIMUM_WAGE_COLUMNS = {"monthly": "monthly_fen", "hourly": "hourly_fen"}
FLAG_COLUMNS = ("high_risk", "deposit_sector", "inspection_focus")
# §10 names the Ouhai leased-premises figures; they are read from that table, keyed by county.
LEASED_PARAMETER_PREFIX = {"330304": "ouhai_leased_deposit"}
LEASED_PARAMETER_UNITS = {
    "per_worker_fen": "fen", "min_fen": "fen", "max_fen": "fen", "due_working_days": "working_days",
}  # fmt: skip


# --- reading and checking one file --------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A file's rows with ``line``, the editor line on which each row starts."""

    label: str
    frame: pd.DataFrame

    def problems_where(self, mask: pd.Series, template: str, **extra: pd.Series) -> list[Problem]:
        """One problem per row where ``mask`` holds; ``template`` is formatted with the row's
        cells and the ``extra`` columns (only bad rows are formatted, so this stays cheap)."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():  # the usual case: ~150 checks at every start of the app or CLI
            return []
        bad = self.frame.assign(**extra)[mask]
        return [
            (
                int(row["line"]),
                template.format(**{str(key): _shown(value) for key, value in row.items()}),
            )
            for row in bad.to_dict("records")
        ]

    def fail(self, problems: Sequence[Problem]) -> None:
        if problems:
            raise ReferenceDataError(self.label, problems)


def _shown(value: object) -> object:
    """Cells as a user wrote them: dates without a time of day."""
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else value


def _read_rows(path: Path, label: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, rows and the line on which each row starts (blank lines are skipped)."""
    if not path.is_file():
        raise ReferenceDataError(label, [(None, "file is missing")])
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:  # a BOM is tolerated
            reader = csv.reader(handle, strict=True)
            header = next(reader, [])
            end_of_previous = reader.line_num
            for record in reader:
                if record:
                    rows.append(record)
                    lines.append(end_of_previous + 1)
                end_of_previous = reader.line_num
    except UnicodeDecodeError as error:
        raise ReferenceDataError(label, [(None, f"is not UTF-8 ({error.reason})")]) from error
    except csv.Error as error:
        problem = (end_of_previous + 1, f"is not valid CSV ({error})")
        raise ReferenceDataError(label, [problem]) from error
    return header, rows, lines


def _header_problems(spec: TableSpec, header: list[str]) -> list[Problem]:
    if not header:
        return [(1, "the header row is missing")]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    unknown = [name for name in header if name not in spec.names]
    missing = [column.name for column in spec.columns if column.name not in header]
    return [
        (1, f"{what} column(s) {', '.join(names)}")
        for what, names in (("duplicate", duplicated), ("unknown", unknown), ("missing", missing))
        if names
    ]


def _raw_table(spec: TableSpec, data_dir: Path) -> Table:
    label = f"{data_dir.name}/{spec.file}"
    header, rows, lines = _read_rows(data_dir / spec.file, label)
    problems = _header_problems(spec, header)
    problems += [
        (line, f"has {len(row)} fields, the header has {len(header)}")
        for row, line in zip(rows, lines, strict=True)
        if len(row) != len(header)
    ]
    if problems:
        raise ReferenceDataError(label, problems)
    frame = pd.DataFrame(rows, columns=header, dtype="str")
    frame["line"] = pd.Series(lines, dtype="int64")
    return Table(label, frame)


def _invalid(column: Column, values: pd.Series) -> tuple[pd.Series, str]:
    """Mask of (stripped, non-blank) values that are not of the column's kind, and why."""
    if column.kind is Kind.INTEGER:
        return ~values.str.fullmatch(r"-?\d+"), "is not an integer"
    if column.kind is Kind.NUMBER:
        return ~values.str.fullmatch(r"-?\d+(\.\d+)?"), "is not a number"
    if column.kind is Kind.DATE:
        parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        iso = values.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
        return ~iso | parsed.isna(), "is not a date YYYY-MM-DD"
    if column.kind is Kind.BOOLEAN:
        return ~values.isin(["true", "false"]), "is not true or false"
    if column.kind is Kind.CHOICE:
        return ~values.isin(column.choices), f"is not one of {', '.join(column.choices)}"
    if column.pattern is not None:
        return ~values.str.fullmatch(column.pattern), f"does not match {column.pattern}"
    return pd.Series(False, index=values.index), ""


def _cell_problems(table: Table, column: Column) -> list[Problem]:
    values = table.frame[column.name].str.strip()
    blank = values == ""
    invalid, why = _invalid(column, values)
    name = column.name
    problems = table.problems_where(blank & column.required, f"{name} is empty")
    why = why.replace("{", "{{").replace("}", "}}")  # a pattern's \d{6} is no placeholder
    return problems + table.problems_where(invalid & ~blank, f"{name} {{{name}!r}} {why}")


def _typed(column: Column, values: pd.Series) -> pd.Series:
    text = values.str.strip().replace("", None)
    if column.kind is Kind.INTEGER:
        return pd.to_numeric(text).astype("Int64")
    if column.kind is Kind.NUMBER:  # ints stay ints: a fen or day count must not become 3.0
        numbers = [raw if pd.isna(raw) else float(raw) if "." in raw else int(raw) for raw in text]
        return pd.Series(numbers, index=values.index, dtype="object")
    if column.kind is Kind.DATE:
        return pd.to_datetime(text, format="%Y-%m-%d").astype("datetime64[ns]")
    if column.kind is Kind.BOOLEAN:
        return text == "true"
    return values.str.strip()


def _bound_problems(table: Table, column: Column) -> list[Problem]:
    values, shown = table.frame[column.name], f"{column.name} {{{column.name}}}"
    problems: list[Problem] = []
    if column.low is not None:
        problems += table.problems_where(values < column.low, f"{shown} is below {column.low}")
    if column.high is not None:
        problems += table.problems_where(values > column.high, f"{shown} is above {column.high}")
    return problems


def _key_problems(table: Table, key: tuple[str, ...]) -> list[Problem]:
    columns = list(key)
    repeated = table.frame.duplicated(subset=columns, keep="first")
    first = table.frame.groupby(columns, dropna=False)["line"].transform("min")
    shown = " / ".join(f"{{{name}}}" for name in key)
    template = f"duplicate {' / '.join(key)} {shown} (first on line {{first}})"
    return table.problems_where(repeated, template, first=first)


def _period_problems(table: Table, group: str) -> list[Problem]:
    """valid_to before valid_from, or two periods of the same group that overlap."""
    ordered = Table(table.label, table.frame.sort_values([group, "valid_from"]))
    frame = ordered.frame
    previous_to = frame.groupby(group)["valid_to"].shift()
    previous_line = frame.groupby(group)["line"].shift()
    # an open previous period (no valid_to) overlaps everything after it
    overlaps = previous_line.notna() & (previous_to.isna() | (frame["valid_from"] <= previous_to))
    reversed_period = frame["valid_to"] < frame["valid_from"]
    problems = ordered.problems_where(reversed_period, "valid_to is before valid_from")
    template = f"{group} {{{group}}}: period overlaps the one on line {{previous_line:.0f}}"
    return problems + ordered.problems_where(overlaps, template, previous_line=previous_line)


def _read_table(spec: TableSpec, data_dir: Path) -> Table:
    raw = _raw_table(spec, data_dir)
    raw.fail([problem for column in spec.columns for problem in _cell_problems(raw, column)])
    typed = {column.name: _typed(column, raw.frame[column.name]) for column in spec.columns}
    table = Table(raw.label, raw.frame.assign(**typed))
    integers = [column for column in spec.columns if column.kind is Kind.INTEGER]
    table.fail([problem for column in integers for problem in _bound_problems(table, column)])
    table.fail(_key_problems(table, spec.key))
    if "valid_to" in spec.names:
        table.fail(_period_problems(table, spec.key[0]))
    return table


# --- checks across rows and files ---------------------------------------------------------


def _check_jurisdictions(table: Table, tiers: pd.Series) -> None:
    frame = table.frame
    is_city = frame["level"] == "city"
    city_codes = set(frame.loc[is_city, "code"])
    not_county = frame["code"].map(NOT_COUNTIES)
    tier = frame["min_wage_tier"]
    problems = table.problems_where(not_county.notna(), "code {code} {why}", why=not_county)
    problems += table.problems_where(
        ~is_city & ~frame["parent_code"].isin(city_codes), "parent_code is not a city row"
    )
    problems += table.problems_where(~is_city & tier.isna(), "a county needs min_wage_tier")
    problems += table.problems_where(is_city & tier.notna(), "a city has no min_wage_tier")
    problems += table.problems_where(
        tier.notna() & ~tier.isin(tiers), "min_wage_tier has no row in minimum_wages.csv"
    )
    # Wenzhou is the one city of data/; a benchmark's province (bench/province/) lists several,
    # each county falling back on its own city's leased-premises terms.
    if not city_codes:
        problems.append((None, "needs a city row"))
    table.fail(problems)


def _check_industries(table: Table) -> None:
    frame = table.frame
    divisions = frame[frame["level"] == "division"].set_index("code")["section"]
    division = frame["code"].str.slice(0, 2)
    division_section = division.map(divisions)
    length = frame["level"].map({"division": 2, "group": 3, "class": 4})
    problems = table.problems_where(
        frame["code"].str.len() != length, "code {code} is too long or short for a {level}"
    )
    problems += table.problems_where(
        division_section.isna(), "division {division} of {code} is not listed", division=division
    )
    problems += table.problems_where(
        division_section.notna() & (division_section != frame["section"]),
        "section {section} differs from the section of its division",
    )
    table.fail(problems)


def _check_parameters(table: Table) -> None:
    frame = table.frame
    fractional = frame["value"].map(lambda value: isinstance(value, float)).astype(bool)
    must_be_whole = frame["unit"].isin(INTEGER_UNITS)
    table.fail(
        table.problems_where(
            fractional & must_be_whole, "value {value} is not a whole number of {unit}"
        )
    )


def _check_member(table: Table, column: str, allowed: pd.Series, what: str) -> None:
    unknown = ~table.frame[column].isin(allowed)
    table.fail(table.problems_where(unknown, f"{column} {{{column}}} is not {what}"))


def _check_across(tables: dict[str, Table]) -> None:
    jurisdictions = tables[JURISDICTIONS.file]
    _check_jurisdictions(jurisdictions, tables[MINIMUM_WAGES.file].frame["tier"])
    codes = jurisdictions.frame["code"]
    counties = codes[jurisdictions.frame["level"] == "county"]
    _check_member(tables[TOWNS.file], "county_code", counties, "a county in jurisdictions.csv")
    leased = tables[LEASED_PREMISES_DEPOSIT.file]
    _check_member(leased, "county_code", codes, "a code in jurisdictions.csv")
    leased.fail(
        leased.problems_where(
            leased.frame["min_fen"] > leased.frame["max_fen"], "min_fen > max_fen"
        )
    )
    _check_industries(tables[INDUSTRIES.file])
    _check_parameters(tables[PARAMETERS.file])


# --- §10 figures held in their own tables --------------------------------------------------

PARAMETER_COLUMNS = [
    "name", "value", "unit", "valid_from", "status", "legal_basis_zh", "legal_basis_en",
    "source", "note", "origin", "line",
]  # fmt: skip


def _as_parameters(
    rows: pd.DataFrame, name: pd.Series | str, column: str, unit: str, origin: str
) -> pd.DataFrame:
    """Rows of another table presented as parameters named ``name``, valued from ``column``."""
    return rows.assign(
        name=name,
        value=rows[column].astype("object").map(int),
        unit=unit,
        note=f"read from {origin} ({column})",
        origin=origin,
    )[PARAMETER_COLUMNS]


def _derived_parameters(tables: dict[str, Table]) -> pd.DataFrame:
    """§10 names whose figures live in a dedicated table, so each figure is stored once."""
    wages = tables[MINIMUM_WAGES.file].frame
    tier = wages["tier"].astype("str")
    frames = [
        _as_parameters(
            wages, f"min_wage_{kind}_zj_tier" + tier + "_fen", column, "fen", MINIMUM_WAGES.file
        )
        for kind, column in MINIMUM_WAGE_COLUMNS.items()
    ]
    # tiers have no date of their own; they apply to the standards they select
    counties = tables[JURISDICTIONS.file].frame.query("level == 'county'")
    counties = counties.assign(valid_from=wages["valid_from"].min())
    frames.append(
        _as_parameters(
            counties,
            "wenzhou_county_tier_" + counties["code"],
            "min_wage_tier",
            "tier",
            JURISDICTIONS.file,
        )
    )
    leased = tables[LEASED_PREMISES_DEPOSIT.file].frame
    for county, prefix in LEASED_PARAMETER_PREFIX.items():
        rows = leased[leased["county_code"] == county]
        frames += [
            _as_parameters(rows, f"{prefix}_{column}", column, unit, LEASED_PREMISES_DEPOSIT.file)
            for column, unit in LEASED_PARAMETER_UNITS.items()
        ]
    return pd.concat(frames, ignore_index=True)


def _all_parameters(tables: dict[str, Table]) -> pd.DataFrame:
    stored = tables[PARAMETERS.file]
    derived = _derived_parameters(tables)
    clash = stored.frame["name"].isin(derived["name"])
    message = "name {name} is read from {origin}; keep each figure in one place"
    origin = stored.frame["name"].map(derived.drop_duplicates("name").set_index("name")["origin"])
    stored.fail(stored.problems_where(clash, message, origin=origin))
    own = stored.frame.assign(note=stored.frame["note"].fillna(""), origin=PARAMETERS.file)
    combined = pd.concat([own[PARAMETER_COLUMNS], derived], ignore_index=True)
    return combined.sort_values(["name", "valid_from"], ignore_index=True).drop(columns="line")


# --- the loaded reference -----------------------------------------------------------------


def _weakest(statuses: Iterable[str]) -> str:
    """The status of a joined basis: unconfirmed if any part is, then policy, else law."""
    seen = set(statuses)
    for status in (UNCONFIRMED, POLICY):
        if status in seen:
            return status
    return LAW


def _join_unique(texts: Iterable[str], separator: str) -> str:
    """Each article once; cited by figures of different standing, it keeps the weakest marker
    (an article cited for a law figure and a policy figure reads "set by this service")."""
    parts = (part.strip() for text in texts for part in text.split(separator.strip()))
    markers = [marker for pair in STATUS_MARKERS.values() for marker in pair]  # weakest last
    marked: dict[str, str] = {}
    for part in filter(None, parts):
        found = next((m for m in markers if part.endswith(m)), "")
        article = part.removesuffix(found) if found else part
        kept = marked.get(article, "")
        marked[article] = max(kept, found, key=lambda m: markers.index(m) if m else -1)
    return separator.join(article + marker for article, marker in marked.items())


# At most this many rows asked of minimum_wage_fen or industry_flags are answered from the
# per-process memo (one employer's check); more go through the vectorised lookup as a whole.
MEMO_ROWS = 5_000


def _texts(values: pd.Series) -> list[str | None]:
    """Values as text, a missing one as None: memo keys (NaN never equals itself)."""
    return [None if pd.isna(value) else str(value) for value in values.tolist()]


def _standard_in_force(asked: pd.DataFrame, standards: pd.DataFrame, column: str) -> pd.Series:
    """For each asked (tier, day), ``column`` of that tier's standard in force on the day.

    merge_asof picks the latest standard starting on or before the day; a ``valid_to`` that
    has passed means a gap, hence NA. The result is positional, like ``asked``.
    """
    known = asked.dropna().astype({"tier": "int64", "day": "datetime64[ns]"})
    matched = pd.merge_asof(
        known.sort_values("day").reset_index(names="position"),
        standards.astype({"tier": "int64"}).sort_values("valid_from"),
        left_on="day",
        right_on="valid_from",
        by="tier",
    )
    in_force = matched["valid_to"].isna() | (matched["day"] <= matched["valid_to"])
    found = pd.Series(matched[column].where(in_force).array, index=matched["position"])
    return found.reindex(range(len(asked))).astype("Int64")


def _parameter(name: str, row: Mapping[Hashable, Any]) -> Parameter:
    basis = LegalBasis(row["legal_basis_zh"], row["legal_basis_en"], row["source"], row["status"])
    return Parameter(name, row["value"], row["unit"], row["valid_from"].date(), basis, row["note"])


def _normalise_industry_codes(codes: pd.Series) -> pd.Series:
    """``C1952``, `` 1952`` → ``1952``; anything that is not 2-4 digits becomes NA."""
    text = codes.astype("str").str.strip().str.upper().str.replace(r"^[A-T]", "", regex=True)
    return text.where(text.str.fullmatch(r"\d{2,4}").fillna(False))


class Reference:
    """The reference tables, checked; treat the frames as read-only (the default load is shared)."""

    jurisdictions: pd.DataFrame  # index code
    towns: pd.DataFrame
    minimum_wages: pd.DataFrame
    industries: pd.DataFrame  # index code
    leased_premises_deposit: pd.DataFrame
    parameters: pd.DataFrame  # parameters.csv plus the §10 figures read from the tables above

    def __init__(self, tables: dict[str, Table], data_label: str) -> None:
        def public(spec: TableSpec) -> pd.DataFrame:
            return tables[spec.file].frame.drop(columns="line").reset_index(drop=True)

        self.data_label = data_label
        self.jurisdictions = public(JURISDICTIONS).set_index("code")
        self.towns = public(TOWNS)
        self.minimum_wages = public(MINIMUM_WAGES)
        self.industries = public(INDUSTRIES).set_index("code")
        self.leased_premises_deposit = public(LEASED_PREMISES_DEPOSIT)
        self.parameters = _all_parameters(tables)
        self._parameter_rows: dict[str, list[Parameter]] = {}
        for row in self.parameters.to_dict("records"):  # in file order, as `param` expects
            name = str(row["name"])
            self._parameter_rows.setdefault(name, []).append(_parameter(name, row))
        self._parent_code = self.jurisdictions["parent_code"].astype("str").to_dict()
        # Lookups remembered per process for small inputs (MEMO_ROWS): the tables never change.
        self._memo: dict[str, dict[Any, Any]] = {}

    # parameters

    def param(self, name: str, on: date | None = None) -> Parameter:
        """The parameter in force on ``on``; without ``on``, its most recent row."""
        # Built once per Reference: a pandas filter per call cost milliseconds, and every
        # complaint filed asks for several parameters.
        rows = self._parameter_rows.get(name)
        if rows is None:
            raise UnknownParameter(
                self._label(PARAMETERS.file), [(None, f"no parameter named {name!r}")]
            )
        if on is not None:
            day = on.date() if isinstance(on, datetime) else on
            rows = [row for row in rows if row.valid_from <= day]
        if not rows:
            problem = f"parameter {name!r} is not in force on {on}"
            raise ReferenceDataError(self._label(PARAMETERS.file), [(None, problem)])
        return rows[-1]

    def value(self, name: str, on: date | None = None) -> int | float:
        return self.param(name, on).value

    def basis(self, *names: str) -> LegalBasis:
        """The joined legal basis of one or more parameters, each part named once."""
        if not names:
            raise ValueError("basis() needs at least one parameter name")
        parts = [self.param(name).basis for name in names]
        return LegalBasis(
            zh=_join_unique((part.zh for part in parts), "；"),
            en=_join_unique((part.en for part in parts), "; "),
            source=_join_unique((part.source for part in parts), "; "),
            status=_weakest(part.status for part in parts),
        )

    # jurisdictions

    def county_codes(self) -> frozenset[str]:
        return frozenset(self.jurisdictions.index[self.jurisdictions["level"] == "county"])

    def minimum_wage_fen(
        self, county_codes: pd.Series, periods: pd.Series, kind: str = "monthly"
    ) -> pd.Series:
        """Minimum wage (fen) in force on the first day of each ``YYYY-MM`` period for the
        county's tier, aligned with ``county_codes``; NA for an unknown county or period."""
        if kind not in MINIMUM_WAGE_COLUMNS:
            raise ValueError(f"kind must be one of {', '.join(MINIMUM_WAGE_COLUMNS)}, not {kind!r}")
        if len(county_codes) != len(periods):
            raise ValueError("county_codes and periods must have the same length")
        if len(county_codes) <= MEMO_ROWS:
            return self._minimum_wage_memo(county_codes, periods, kind)
        return self._minimum_wage_fen(county_codes, periods, kind)

    def _minimum_wage_fen(
        self, county_codes: pd.Series, periods: pd.Series, kind: str
    ) -> pd.Series:
        column = MINIMUM_WAGE_COLUMNS[kind]
        # Hundreds of thousands of rows hold a few hundred (county, month) pairs: each pair is
        # looked up once.
        county, counties = pd.factorize(county_codes.astype("str"), use_na_sentinel=False)
        month, months = pd.factorize(periods.astype("str"), use_na_sentinel=False)
        each, _ = pd.factorize(county.astype("int64") * len(months) + month)
        first = pd.Series(each).drop_duplicates().index.to_numpy()  # a row of each pair
        tiers = pd.Series(counties[county[first]]).map(self.jurisdictions["min_wage_tier"])
        first_days = pd.to_datetime(
            pd.Series(months[month[first]]) + "-01", format="%Y-%m-%d", errors="coerce"
        )
        asked = pd.DataFrame({"tier": tiers.to_numpy(), "day": first_days.to_numpy()})
        amounts = _standard_in_force(asked, self.minimum_wages, column)
        return pd.Series(amounts.array[each], index=county_codes.index, name=column)

    def _minimum_wage_memo(
        self, county_codes: pd.Series, periods: pd.Series, kind: str
    ) -> pd.Series:
        """minimum_wage_fen for a few rows (one employer's): each (county, period) is looked up
        once per process and remembered, as pandas' fixed cost per call dwarfs the lookup."""
        keys = list(zip(_texts(county_codes), _texts(periods), strict=True))
        memo = self._memo.setdefault(f"minimum_wage:{kind}", {})
        if missing := [key for key in dict.fromkeys(keys) if key not in memo]:
            counties = pd.Series([county for county, _ in missing], dtype=object)
            months = pd.Series([month for _, month in missing], dtype=object)
            found = self._minimum_wage_fen(counties, months, kind).tolist()
            memo.update(zip(missing, found, strict=True))
        values = pd.array([memo[key] for key in keys], dtype="Int64")
        return pd.Series(values, index=county_codes.index, name=MINIMUM_WAGE_COLUMNS[kind])

    def leased_deposit_terms(self, county_code: str, on: date | None = None) -> pd.Series:
        """The county's leased-premises deposit terms, else its city's fallback row."""
        table = self.leased_premises_deposit
        if on is not None:
            table = table[table["valid_from"] <= pd.Timestamp(on)]
        for code in (county_code, self._parent_code.get(county_code)):
            rows = table[table["county_code"] == code].sort_values("valid_from")
            if not rows.empty:
                return rows.iloc[-1]
        problem = f"no leased-premises deposit terms for {county_code} on {on}"
        raise ReferenceDataError(self._label(LEASED_PREMISES_DEPOSIT.file), [(None, problem)])

    # industries

    def _longest_prefix(self, codes: pd.Series) -> pd.Series:
        """For normalised codes, the longest listed code each one starts with (NA if none)."""
        matched = pd.Series(index=codes.index, dtype="str")
        for length in (4, 3, 2):  # a class overrides its group, a group its division
            prefix = codes.str.slice(0, length)
            listed = (codes.str.len() >= length).fillna(False) & prefix.isin(self.industries.index)
            matched = matched.fillna(prefix.where(listed))
        return matched

    def industry(self, code: str) -> pd.Series | None:
        """The row of the longest listed code that ``code`` starts with, or None. Each code
        is matched once per process (the match takes ~8 ms; every employer file asks)."""
        memo = self._memo.setdefault("industry", {})
        if code not in memo:
            normalised = _normalise_industry_codes(pd.Series([code]))
            memo[code] = self._longest_prefix(normalised).iloc[0]
        matched = memo[code]
        return None if pd.isna(matched) else self.industries.loc[matched]

    def industry_flags(self, codes: pd.Series) -> pd.DataFrame:
        """Flags of each code by longest prefix, aligned with ``codes``; unknown codes get
        False flags, NA ``wi_class`` and ``division_known`` False. Pass codes as text: an
        integer 610 has lost the leading zero of class 0610."""
        if len(codes) <= MEMO_ROWS:
            return self._industry_flags_memo(codes)
        # Many rows, a few hundred distinct codes: each looked up once (NA: the extra last).
        position, distinct = pd.factorize(codes)
        found = self._industry_flags(pd.Series([*distinct, None], dtype=object))
        return found.iloc[position].set_axis(codes.index)

    def _industry_flags_memo(self, codes: pd.Series) -> pd.DataFrame:
        """industry_flags for a few rows, each code looked up once per process."""
        keys = _texts(codes)
        memo = self._memo.setdefault("industry_flags", {})
        if missing := [key for key in dict.fromkeys(keys) if key not in memo]:
            found = self._industry_flags(pd.Series(missing, dtype=object))
            memo.update(zip(missing, found.itertuples(index=False, name=None), strict=True))
        columns = [*FLAG_COLUMNS, "wi_class", "division_known"]
        rows = [memo[key] for key in keys]
        values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
        flags = pd.DataFrame(
            {column: list(found) for column, found in zip(columns, values, strict=True)},
            index=codes.index,
        )
        return flags.astype(
            {**dict.fromkeys(FLAG_COLUMNS, bool), "wi_class": "Int64", "division_known": bool}
        )

    def _industry_flags(self, codes: pd.Series) -> pd.DataFrame:
        normalised = _normalise_industry_codes(codes)
        matched = self._longest_prefix(normalised)
        flags = pd.DataFrame(index=codes.index)
        for flag in FLAG_COLUMNS:
            # an unmatched code maps to NaN: as a nullable boolean it fills with False
            found = matched.map(self.industries[flag]).astype("boolean")
            flags[flag] = found.fillna(False).astype(bool)
        flags["wi_class"] = matched.map(self.industries["wi_class"]).astype("Int64")
        divisions = self.industries.index[self.industries["level"] == "division"]
        flags["division_known"] = (
            normalised.str.slice(0, 2).isin(divisions).fillna(False).astype(bool)
        )
        return flags

    def _label(self, file: str) -> str:
        return f"{self.data_label}/{file}"


def _with_status_markers(table: Table) -> Table:
    """`confirmed` read as `law`; every part of a policy or unconfirmed row's legal basis marked
    as such, in both languages."""
    frame = table.frame.assign(status=table.frame["status"].replace("confirmed", LAW))
    for status, (zh, en) in STATUS_MARKERS.items():
        rows = frame["status"] == status
        for column, separator, marker in (
            ("legal_basis_zh", "；", zh),
            ("legal_basis_en", "; ", en),
        ):
            frame.loc[rows, column] = frame.loc[rows, column].map(
                lambda text, sep=separator, mark=marker: _marked(text, sep, mark)
            )
    return Table(table.label, frame)


def _marked(text: str, separator: str, marker: str) -> str:
    """Each part of a joined basis followed by `marker`; a separator inside brackets is part
    of the text ("(in force 2013-01-11; whether still in force is not verified)")."""
    outside_brackets = re.escape(separator.strip()) + r"\s*(?![^()（）]*[)）])"
    parts = (part.strip() for part in re.split(outside_brackets, text))
    return separator.join(part + marker for part in parts if part)


def _load(data_dir: Path) -> Reference:
    tables = {spec.file: _read_table(spec, data_dir) for spec in SPECS}
    _check_across(tables)
    tables = {name: _with_status_markers(table) for name, table in tables.items()}
    return Reference(tables, data_dir.name)


@functools.cache
def _load_default() -> Reference:
    return _load(DEFAULT_DATA_DIR)


def load_reference(data_dir: Path | None = None) -> Reference:
    """Load and check every reference file; the repository's ``data/`` is loaded once and cached
    (also when named: the app passes its settings' data_dir, and a load costs seconds)."""
    if data_dir is None or Path(data_dir).resolve() == DEFAULT_DATA_DIR:
        return _load_default()
    return _load(Path(data_dir))


# --- supervision tables: employer risk tiers and the county assessment (考核) -------------------
# Read by their own loaders, not by load_reference(): no monitor uses them, and their rows name
# parameters, which are checked against the loaded reference.

TIERS = ("red", "orange", "yellow", "green")  # the strongest first
# What a risk-tier row measures for an employer, and the unit of its threshold (None: no
# threshold). data/README.md defines each measure.
TIER_MEASURES = {
    "open_alerts": "count",
    "arrears_outstanding_fen": "fen",
    "arrears_longest_months": "months",
    "arrears_periods": "count",
    "always": None,
}
# The county assessment's measures and their unit: a share in basis points or a median in days.
ASSESSMENT_MEASURES = {
    "deposit_coverage": "bp",
    "arrears_settled_share": "bp",
    "arrears_settlement_days": "days",
    "mediation_within_period": "bp",
    "work_injury_coverage_high_risk": "bp",
    "coordinator_staffing": "bp",
    "service_office_compliance": "bp",
    "alert_handling_days": "days",
}
ASSESSMENT_TOTAL_WEIGHT = 100
NOT_APPLICABLE = "n/a"  # a basis that names no article gets no status marker
_RULE_ID = r"[a-z_]+\.[a-z_]+"
_SEVERITY = r"(critical|high|medium|low)"
_NAMES = r"[a-z][a-z0-9_]*( [a-z][a-z0-9_]*)*"

RISK_TIERS = TableSpec(
    "risk_tiers.csv",
    (
        _integer("order", low=1),
        Column("rule_id", pattern=r"[a-z][a-z0-9_]{0,39}"),
        _choice("tier", *TIERS),
        _choice("measure", *TIER_MEASURES),
        Column("alert_rules", required=False, pattern=rf"{_RULE_ID}( {_RULE_ID})*"),
        Column("alert_severities", required=False, pattern=rf"{_SEVERITY}( {_SEVERITY})*"),
        _integer("threshold", low=1, required=False),
        Column("threshold_parameter", required=False, pattern=r"[a-z][a-z0-9_]*"),
        _integer("window_months", low=1, high=120, required=False),
        Column("valid_from", Kind.DATE),
        Column("valid_to", Kind.DATE, required=False),
        _choice("status", *STATUSES, POLICY),
        Column("reason_zh"),
        Column("reason_en"),
        *BASIS_COLUMNS,
    ),
    key=("rule_id", "valid_from"),
)
ASSESSMENT = TableSpec(
    "assessment.csv",
    (
        _integer("order", low=1),
        Column("indicator_id", pattern=r"[a-z][a-z0-9_]{0,39}"),
        Column("name_zh"),
        Column("name_en"),
        _integer("weight", low=1, high=ASSESSMENT_TOTAL_WEIGHT),
        _choice("measure", *ASSESSMENT_MEASURES),
        _choice("unit", "bp", "days"),
        _integer("target"),
        _integer("floor"),
        Column("parameters", required=False, pattern=_NAMES),
        Column("valid_from", Kind.DATE),
        Column("valid_to", Kind.DATE, required=False),
        _choice("status", *STATUSES, POLICY),
        Column("definition_zh"),
        Column("definition_en"),
        *BASIS_COLUMNS,
    ),
    key=("indicator_id", "valid_from"),
)


def load_risk_tiers(data_dir: Path | None = None) -> pd.DataFrame:
    """data/risk_tiers.csv, checked: one row per (rule_id, valid_from), legal bases marked."""
    table = _read_table(RISK_TIERS, Path(data_dir or DEFAULT_DATA_DIR))
    _check_risk_tiers(table, load_reference(data_dir))
    return _supervision_frame(table, "order")


def load_assessment(data_dir: Path | None = None) -> pd.DataFrame:
    """data/assessment.csv, checked: weights in force add up to 100 on every day."""
    table = _read_table(ASSESSMENT, Path(data_dir or DEFAULT_DATA_DIR))
    _check_assessment(table, load_reference(data_dir))
    return _supervision_frame(table, "order")


def in_force(rows: pd.DataFrame, on: date) -> pd.DataFrame:
    """The rows of an effective-dated table that apply on ``on``."""
    day = pd.Timestamp(on)
    started = rows["valid_from"] <= day
    not_ended = rows["valid_to"].isna() | (day <= rows["valid_to"])
    return rows[started & not_ended]


def indicator_points(value: float | None, *, weight: int, target: int, floor: int) -> float | None:
    """Points for one assessment indicator: the full weight at or beyond ``target``, none at
    or beyond ``floor``, linear between. The same formula serves shares (target above floor)
    and durations (target below floor). None (no case to measure) stays None: the county's
    score is then taken over the weights of the indicators it has (``county_score``)."""
    if value is None:
        return None
    reached = (value - floor) / (target - floor)
    return weight * min(max(reached, 0.0), 1.0)


def county_score(points: dict[str, float | None], weights: dict[str, int]) -> float | None:
    """A county's score out of 100: its points over the weights of the indicators that had
    cases to measure, so a county is neither rewarded nor punished for having none."""
    measured = [name for name, value in points.items() if value is not None]
    possible = sum(weights[name] for name in measured)
    if possible == 0:
        return None
    return ASSESSMENT_TOTAL_WEIGHT * sum(points[name] or 0.0 for name in measured) / possible


def _supervision_frame(table: Table, order: str) -> pd.DataFrame:
    frame = _with_status_markers(table).frame
    for column in ("legal_basis_zh", "legal_basis_en"):  # "n/a" names no article to mark
        plain = table.frame[column] == NOT_APPLICABLE
        frame.loc[plain, column] = NOT_APPLICABLE
    return frame.drop(columns="line").sort_values([order, "valid_from"], ignore_index=True)


def _parameter_problems(
    table: Table, names: pd.Series, reference: Reference, units: pd.Series | None = None
) -> list[Problem]:
    """Each named parameter must exist (and, where ``units`` is given, have that unit)."""
    known = reference.parameters.drop_duplicates("name").set_index("name")["unit"]
    names = names.fillna("").str.strip()
    exploded = names.str.split().explode().dropna()  # an empty cell explodes to NaN
    unknown = exploded[(exploded != "") & ~exploded.isin(known.index)]
    missing = pd.Series(False, index=table.frame.index)
    missing[unknown.index.unique()] = True
    first_unknown = unknown.groupby(level=0).first().reindex(table.frame.index)
    problems = table.problems_where(
        missing, "parameter {parameter} is not in parameters.csv", parameter=first_unknown
    )
    if units is not None:
        unit = names.map(known)
        wrong = (names != "") & unit.notna() & (unit != units)
        problems += table.problems_where(
            wrong,
            "parameter {p} is in {unit}, the measure needs {needed}",
            p=names,
            unit=unit,
            needed=units,
        )
    return problems


def _given(texts: pd.Series) -> pd.Series:
    """An optional text cell that is filled in."""
    return texts.fillna("").str.strip() != ""


def _check_risk_tiers(table: Table, reference: Reference) -> None:
    frame = table.frame
    unit = frame["measure"].map(TIER_MEASURES)
    always = frame["measure"] == "always"
    rules, severities = _given(frame["alert_rules"]), _given(frame["alert_severities"])
    given = frame["threshold"].notna().astype(int) + _given(frame["threshold_parameter"])
    problems = _key_problems(table, ("order", "valid_from"))
    problems += table.problems_where(
        always & (given > 0), "measure always takes no threshold or threshold_parameter"
    )
    problems += table.problems_where(
        ~always & (given != 1), "give exactly one of threshold and threshold_parameter"
    )
    problems += table.problems_where(always & (frame["tier"] != "green"), "measure always is green")
    periods = frame["measure"] == "arrears_periods"
    problems += table.problems_where(
        periods & (frame["window_months"].isna() | ~rules),
        "measure arrears_periods needs window_months and alert_rules",
    )
    problems += table.problems_where(
        ~periods & frame["window_months"].notna(), "only arrears_periods takes window_months"
    )
    alert_filters = rules | severities
    problems += table.problems_where(
        alert_filters & ~frame["measure"].isin(["open_alerts", "arrears_periods"]),
        "alert_rules and alert_severities apply to open_alerts and arrears_periods only",
    )
    problems += _parameter_problems(table, frame["threshold_parameter"], reference, units=unit)
    if not (always & frame["valid_to"].isna()).any():
        problems.append((None, "needs a row with measure always and no valid_to (the default)"))
    table.fail(problems)


def _check_assessment(table: Table, reference: Reference) -> None:
    frame = table.frame
    expected_unit = frame["measure"].map(ASSESSMENT_MEASURES)
    is_share = frame["unit"] == "bp"
    problems = table.problems_where(
        frame["unit"] != expected_unit, "measure {measure} is in {needed}", needed=expected_unit
    )
    problems += table.problems_where(frame["target"] == frame["floor"], "target equals floor")
    for column in ("target", "floor"):
        problems += table.problems_where(
            is_share & (frame[column] > 10000), f"{column} {{{column}}} is above 10000 bp"
        )
    problems += _parameter_problems(table, frame["parameters"], reference)
    problems += _weight_problems(table)
    table.fail(problems)


def _weight_problems(table: Table) -> list[Problem]:
    """On the first day of every version of the table, the weights in force add up to 100."""
    frame = table.frame
    days = set(frame["valid_from"]) | {
        end + pd.Timedelta(days=1) for end in frame["valid_to"].dropna()
    }
    problems: list[Problem] = []
    for day in sorted(days):
        rows = in_force(frame, day.date())
        total = int(rows["weight"].sum())
        if rows.empty and day > frame["valid_from"].min():
            continue  # the table was retired
        if total != ASSESSMENT_TOTAL_WEIGHT:
            problems.append(
                (
                    int(rows["line"].min()) if not rows.empty else None,
                    f"weights in force on {day.date()} add up to {total}, not 100",
                )
            )
    return problems
