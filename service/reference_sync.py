"""Mirror the reference jurisdictions (city, counties, towns) into the database, so
foreign keys and inspector scopes can refer to them."""

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from monitors.reference import Reference
from service.jurisdictions.models import Jurisdiction, town_code


def sync_reference(session: Session, reference: Reference) -> None:
    existing = {j.code: j for j in session.scalars(select(Jurisdiction))}
    for row in _jurisdiction_rows(reference):
        current = existing.get(row["code"])
        if current is None:
            session.add(Jurisdiction(**row))
        else:
            for field, value in row.items():
                setattr(current, field, value)
    session.flush()


def _jurisdiction_rows(reference: Reference) -> list[dict]:
    """City first, then counties, then towns: parents exist before their children."""
    frame = reference.jurisdictions.reset_index()
    known = set(frame["code"])
    rows = [
        {
            "code": str(r.code),
            "parent_code": str(r.parent_code) if r.parent_code in known else None,
            "level": str(r.level),
            "name_zh": str(r.name_zh),
            "name_en": str(r.name_en),
            "min_wage_tier": None if pd.isna(r.min_wage_tier) else int(r.min_wage_tier),
        }
        for r in frame.itertuples(index=False)
    ]
    rows.sort(key=lambda row: row["parent_code"] is not None)
    rows += [
        {
            "code": town_code(str(t.county_code), str(t.name_zh)),
            "parent_code": str(t.county_code),
            "level": "town",
            "name_zh": str(t.name_zh),
            "name_en": str(t.name_en),
            "min_wage_tier": None,
        }
        for t in reference.towns.itertuples(index=False)
    ]
    return rows
