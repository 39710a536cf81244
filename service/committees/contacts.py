"""How to reach a mediation committee: phone and address, from data/mediation_contacts.csv.

Committees are records (imported with the contract files); their contacts are reference data
with a source, like the legal-aid centres' (service/legal_aid/reference.py). A row is for a
kind of committee (`county_centre`, `people`) in a county, or in one town of it; the city's
row (330300) answers for every county without one. Where no direct line is verified, the row
gives the hotline that answers for such bodies (`phone_is_direct` false) rather than a guessed
number, and no address (the page then says to ask for it by phone). An enterprise committee is
the employer's own: reached through the e-mail on its record.
"""

import functools
from dataclasses import asdict, dataclass
from pathlib import Path

from monitors.reference import (
    BASIS_COLUMNS,
    COUNTY_CODE,
    DEFAULT_DATA_DIR,
    LAW,
    PHONE,
    STATUSES,
    Column,
    Kind,
    Sourced,
    TableSpec,
    _read_table,
    _with_status_markers,
)
from service.committees.models import MediationCommittee
from service.legal_aid.reference import load_legal_aid

CITY = "330300"
CONTACT_KINDS = ("county_centre", "people")

MEDIATION_CONTACTS = TableSpec(
    "mediation_contacts.csv",
    (
        Column("kind", Kind.CHOICE, choices=CONTACT_KINDS),
        Column("county_code", pattern=COUNTY_CODE),
        Column("town", required=False),
        Column("phone", pattern=PHONE),
        Column("phone_is_direct", Kind.BOOLEAN),
        Column("address_zh", required=False),
        Column("status", Kind.CHOICE, choices=STATUSES),
        *BASIS_COLUMNS,
    ),
    key=("kind", "county_code", "town"),
)


@dataclass(frozen=True)
class Contact(Sourced):
    """Where a worker or employer reaches the body a case went to."""

    name: str
    phone: str | None
    phone_is_direct: bool
    address_zh: str | None  # None: not known, ask by phone
    email: str | None


@dataclass(frozen=True)
class _Row(Sourced):
    phone: str
    phone_is_direct: bool
    address_zh: str | None


def _load(data_dir: Path) -> dict[tuple[str, str, str], _Row]:
    table = _read_table(MEDIATION_CONTACTS, data_dir)
    # A row without its own line gives one of the hotlines of hotlines.csv, never a guess.
    hotlines = {hotline.phone for hotline in load_legal_aid(data_dir).hotlines.values()}
    frame = table.frame
    table.fail(
        table.problems_where(
            ~frame["phone_is_direct"] & ~frame["phone"].isin(sorted(hotlines)),
            "phone {phone} is not a direct line (phone_is_direct false), so it must be a "
            f"hotline of hotlines.csv ({', '.join(sorted(hotlines))})",
        )
    )
    table = _with_status_markers(table)
    rows = {}
    for row in table.frame.to_dict("records"):
        key = (str(row["kind"]), str(row["county_code"]), str(row["town"] or ""))
        rows[key] = _Row(
            phone=str(row["phone"]),
            phone_is_direct=bool(row["phone_is_direct"]),
            address_zh=str(row["address_zh"]) if row["address_zh"] else None,
            status=str(row["status"]),
            legal_basis_zh=str(row["legal_basis_zh"]),
            legal_basis_en=str(row["legal_basis_en"]),
            source=str(row["source"]),
        )
    return rows


@functools.cache
def _load_default() -> dict[tuple[str, str, str], _Row]:
    return _load(DEFAULT_DATA_DIR)


def load_contacts(data_dir: Path | None = None) -> dict[tuple[str, str, str], _Row]:
    """Load and check the file; the repository's data/ is read once and cached."""
    return _load_default() if data_dir is None else _load(Path(data_dir))


def contact_for(committee: MediationCommittee, *, data_dir: Path | None = None) -> Contact:
    """The committee's phone and address: its town's row, its county's, else the city's."""
    rows = load_contacts(data_dir)
    town = committee.town or ""
    candidates = [(committee.kind, committee.county_code, town)] if town else []
    candidates += [(committee.kind, committee.county_code, ""), (committee.kind, CITY, "")]
    row = next((rows[key] for key in candidates if key in rows), None)
    if row is None:  # an enterprise committee: the employer's own, reached by its e-mail
        return Contact(
            name=committee.name,
            phone=None,
            phone_is_direct=False,
            address_zh=None,
            email=committee.contact_email,
            status=LAW,
            legal_basis_zh="",
            legal_basis_en="",
            source="the committee's record",
        )
    return Contact(name=committee.name, email=committee.contact_email, **asdict(row))
