"""City → county → town: the places inspectors are responsible for."""

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel


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


def town_code(county_code: str, town_name: str) -> str:
    """Towns have no code in the contract: county code and name make a stable one."""
    return f"{county_code}/{town_name}"
