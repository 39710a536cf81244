"""The legal-aid centres of Wenzhou's counties and the city's hotlines, from data/.

data/legal_aid_centres.csv has one row per county and one for the city; data/hotlines.csv the
legal-aid hotline 12348 and the labour hotline 12333; data/legal_aid_matters.csv what an online
application may be about and whether the economic-hardship check applies (Art. 41, 42);
data/README.md describes all three. Files are read and checked the way monitors/reference.py
reads the others, and refused naming file and line. A contact nobody has verified has
`status` unconfirmed, and its legal basis carries the same "（待核实）" / " (to be confirmed)"
marker as every other unconfirmed row.

Where a centre's direct line is unknown the row gives the hotline 12348 (`phone_is_direct`
false) rather than a guessed number. A county without a row of its own falls back to the city's
centre (Legal Aid Law Art. 38: the application goes to the centre where the matter arose, and
the city centre can pass it on).
"""

import functools
from dataclasses import dataclass, fields
from pathlib import Path

from monitors.reference import (
    BASIS_COLUMNS,
    COUNTY_CODE,
    DEFAULT_DATA_DIR,
    JURISDICTIONS,
    PHONE,
    STATUSES,
    Column,
    Kind,
    Problem,
    Sourced,
    Table,
    TableSpec,
    _read_table,
    _with_status_markers,
)

CITY = "330300"
HOTLINE_NAMES = ("legal_aid", "labour")
# What an application is about (data/legal_aid_matters.csv): the two a migrant worker's
# application is exempt from the hardship check for (Art. 42(3)), and everything else.
MATTERS = ("unpaid_wages", "work_injury", "other")
EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"
OPTIONAL_TEXT = ("address_zh", "email")  # empty in the file: not known

LEGAL_AID_CENTRES = TableSpec(
    "legal_aid_centres.csv",
    (
        Column("jurisdiction_code", pattern=COUNTY_CODE),
        Column("name_zh"),
        Column("name_en"),
        Column("justice_bureau_zh"),
        Column("justice_bureau_en"),
        Column("address_zh", required=False),
        Column("phone", pattern=PHONE),
        Column("phone_is_direct", Kind.BOOLEAN),
        Column("email", required=False, pattern=EMAIL),
        Column("status", Kind.CHOICE, choices=STATUSES),
        *BASIS_COLUMNS,
    ),
    key=("jurisdiction_code",),
)
HOTLINES = TableSpec(
    "hotlines.csv",
    (
        Column("name", Kind.CHOICE, choices=HOTLINE_NAMES),
        Column("phone", pattern=r"\d{5}"),
        Column("jurisdiction_code", pattern=COUNTY_CODE),
        Column("name_zh"),
        Column("name_en"),
        Column("purpose_zh"),
        Column("purpose_en"),
        Column("status", Kind.CHOICE, choices=STATUSES),
        *BASIS_COLUMNS,
    ),
    key=("name",),
)
LEGAL_AID_MATTERS = TableSpec(
    "legal_aid_matters.csv",
    (
        Column("matter", Kind.CHOICE, choices=MATTERS),
        Column("hardship_check_exempt", Kind.BOOLEAN),
        Column("name_zh"),
        Column("name_en"),
        Column("status", Kind.CHOICE, choices=STATUSES),
        *BASIS_COLUMNS,
    ),
    key=("matter",),
)


@dataclass(frozen=True)
class LegalAidMatter(Sourced):
    """What an application is about, and whether the economic-hardship check applies."""

    matter: str
    hardship_check_exempt: bool  # Art. 42(3): wages or work-injury compensation
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class LegalAidCentre(Sourced):
    """A county's (or the city's) legal-aid institution and how to reach it."""

    jurisdiction_code: str
    name_zh: str
    name_en: str
    justice_bureau_zh: str  # set the centre up (Art. 12); hears objections to it (Art. 49)
    justice_bureau_en: str
    address_zh: str | None  # None: not known
    phone: str
    phone_is_direct: bool  # False: the hotline, the centre's own line is not known
    email: str | None  # None: applications cannot be e-mailed to it


@dataclass(frozen=True)
class Hotline(Sourced):
    name: str
    phone: str
    jurisdiction_code: str
    name_zh: str
    name_en: str
    purpose_zh: str
    purpose_en: str


@dataclass(frozen=True)
class LegalAidReference:
    centres: dict[str, LegalAidCentre]
    hotlines: dict[str, Hotline]
    matters: dict[str, LegalAidMatter]

    def centre_for(self, county_code: str) -> LegalAidCentre:
        """The county's centre, or the city's when the county has no row."""
        return self.centres.get(county_code) or self.centres[CITY]

    def hotline(self, name: str) -> Hotline:
        """'legal_aid' (12348) or 'labour' (12333)."""
        return self.hotlines[name]

    def matter(self, name: str) -> LegalAidMatter:
        """'unpaid_wages', 'work_injury' or 'other'."""
        return self.matters[name]


def _records(table: Table, kind: type) -> list:
    names = [field.name for field in fields(kind)]
    return [
        kind(
            **{name: (row[name] or None) if name in OPTIONAL_TEXT else row[name] for name in names}
        )
        for row in table.frame[names].to_dict("records")
    ]


def _coverage_problems(centres: Table, jurisdictions: Table) -> list[Problem]:
    """Every county and the city has a centre; every row names one of them."""
    known = set(jurisdictions.frame["code"])
    listed = set(centres.frame["jurisdiction_code"])
    problems = centres.problems_where(
        ~centres.frame["jurisdiction_code"].isin(known),
        "jurisdiction_code {jurisdiction_code} is not in jurisdictions.csv",
    )
    missing = sorted(known - listed)
    if missing:
        problems.append((None, f"no centre for jurisdiction(s) {', '.join(missing)}"))
    return problems


def _hotline_problems(centres: Table, hotlines: Table) -> list[Problem]:
    """A row without its own line must give the legal-aid hotline, not some other number."""
    missing = sorted(set(HOTLINE_NAMES) - set(hotlines.frame["name"]))
    if missing:
        return [(None, f"hotlines.csv has no row for {', '.join(missing)}")]
    legal_aid = hotlines.frame.loc[hotlines.frame["name"] == "legal_aid", "phone"].iloc[0]
    frame = centres.frame
    return centres.problems_where(
        ~frame["phone_is_direct"] & (frame["phone"] != legal_aid),
        f"phone {{phone}} is not a direct line (phone_is_direct false), so it must be the "
        f"legal-aid hotline {legal_aid}",
    )


def _load(data_dir: Path) -> LegalAidReference:
    centres = _read_table(LEGAL_AID_CENTRES, data_dir)
    hotlines = _read_table(HOTLINES, data_dir)
    jurisdictions = _read_table(JURISDICTIONS, data_dir)
    centres.fail(_coverage_problems(centres, jurisdictions))
    centres.fail(_hotline_problems(centres, hotlines))
    matters = _read_table(LEGAL_AID_MATTERS, data_dir)
    missing = sorted(set(MATTERS) - set(matters.frame["matter"]))
    matters.fail([(None, f"no row for matter(s) {', '.join(missing)}")] if missing else [])
    centres, hotlines = _with_status_markers(centres), _with_status_markers(hotlines)
    matters = _with_status_markers(matters)
    return LegalAidReference(
        centres={c.jurisdiction_code: c for c in _records(centres, LegalAidCentre)},
        hotlines={h.name: h for h in _records(hotlines, Hotline)},
        matters={m.matter: m for m in _records(matters, LegalAidMatter)},
    )


@functools.cache
def _load_default() -> LegalAidReference:
    return _load(DEFAULT_DATA_DIR)


def load_legal_aid(data_dir: Path | None = None) -> LegalAidReference:
    """Load and check the centres and hotlines; the repository's data/ is read once and cached."""
    return _load_default() if data_dir is None else _load(Path(data_dir))


def hotline_phone(name: str) -> str:
    """The number of a hotline ('legal_aid' or 'labour') from data/hotlines.csv."""
    return load_legal_aid().hotline(name).phone
