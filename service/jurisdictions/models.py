"""City → county → town: the places inspectors are responsible for."""

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select


class Jurisdiction(SQLModel, table=True):
    __tablename__ = "jurisdiction"
    __table_args__ = (
        CheckConstraint("level IN ('city', 'county', 'town')", name="level_valid"),
        CheckConstraint(
            "min_wage_tier IS NULL OR min_wage_tier BETWEEN 1 AND 3", name="tier_valid"
        ),
    )

    code: str = Field(primary_key=True, max_length=64)
    parent_code: str | None = Field(default=None, foreign_key="jurisdiction.code", index=True)
    level: str = Field(max_length=8)
    name_zh: str
    name_en: str
    min_wage_tier: int | None = None


class CountyCoordinators(SQLModel, table=True):
    """A county's migrant-population coordinators (协管员) in post in a year, beside the
    migrants registered there the year before (data contract v2, coordinators.csv): staffing
    is adequate at one coordinator per 500 (seed policy 二十). A county indicator for the
    supervision reports, not an employer alert."""

    __tablename__ = "county_coordinators"
    __table_args__ = (
        UniqueConstraint("county_code", "year"),
        CheckConstraint("coordinators >= 0", name="coordinators_nonnegative"),
        CheckConstraint("registered_migrants >= 0", name="registered_nonnegative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(foreign_key="jurisdiction.code", index=True, max_length=64)
    year: int
    coordinators: int
    registered_migrants: int


def town_code(county_code: str, town_name: str) -> str:
    """Towns have no code in the contract: county code and name make a stable one."""
    return f"{county_code}/{town_name}"


def place_names(session: Session, language: str) -> dict[str, str]:
    """Every place's name in `language`, by its code: what a page shows instead of a code."""
    rows = session.exec(select(Jurisdiction)).all()
    return {row.code: row.name_en if language == "en" else row.name_zh for row in rows}
