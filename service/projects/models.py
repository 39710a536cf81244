from datetime import date

from sqlalchemy import BigInteger, CheckConstraint
from sqlmodel import Field, SQLModel


class Project(SQLModel, table=True):
    """A construction project; its general contractor (施工总承包单位) holds the deposit."""

    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint("contract_value_fen >= 0", name="contract_value_nonnegative"),
        CheckConstraint(
            "completion_date IS NULL OR completion_date >= contract_signed_date",
            name="completion_after_signing",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_code: str = Field(unique=True, max_length=64)
    name: str
    contractor_id: int = Field(foreign_key="employer.id", index=True)
    county_code: str = Field(foreign_key="jurisdiction.code", index=True, max_length=12)
    industry_code: str = Field(max_length=4)
    contract_value_fen: int = Field(sa_type=BigInteger)
    contract_signed_date: date
    permit_date: date | None = None
    completion_date: date | None = None
