from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel


class EmployerBase(SQLModel):
    uscc: str = Field(max_length=18, unique=True)
    name: str
    industry_code: str = Field(max_length=4)
    county_code: str = Field(foreign_key="jurisdiction.code", index=True, max_length=12)
    town: str | None = None
    leased_premises: bool = False
    contact_email: str | None = None
    # Record that sets the deposit rate (65号 Art. 12): the serious-dishonesty list for wage
    # arrears, real-name management and a dedicated wage account in place.
    dishonesty_listed: bool = False
    real_name_management: bool = False
    dedicated_wage_account: bool = False
    # Data contract v2 (seed policy 十八): a migrant-population service office ("yes"; empty or
    # "no" = none known) and the named liaison for migrant-population matters.
    service_office: str | None = Field(default=None, max_length=3)
    liaison_name: str | None = Field(default=None, max_length=100)


class Employer(EmployerBase, table=True):
    __tablename__ = "employer"
    __table_args__ = (
        CheckConstraint("length(uscc) = 18", name="uscc_length"),
        CheckConstraint("length(industry_code) BETWEEN 2 AND 4", name="industry_code_length"),
        # The employer list A→Z, walked to its page (service/flows/employer_overview.py).
        Index("ix_employer_name_id", "name", "id"),
        # The list of one tier A→Z, and the list by tier (red first, then A→Z), walked to
        # their page, first or last, without reading the tier history.
        Index("ix_employer_risk_rank_name_id", "risk_rank", "name", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The current risk tier: a copy of the employer's latest employer_risk_tier row, written
    # in the same transaction as that row (service/risk/service.py `store`). risk_rank orders
    # it: red 0 … green 3, and 4 before the employer's first tier.
    risk_tier: str | None = Field(default=None, max_length=6)
    risk_rank: int = Field(default=4, sa_column_kwargs={"server_default": "4"})


class EmployerPublic(EmployerBase):
    id: int
