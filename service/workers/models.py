from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel


class Worker(SQLModel, table=True):
    __tablename__ = "worker"
    __table_args__ = (CheckConstraint("length(id_number) = 18", name="id_number_length"),)

    id: int | None = Field(default=None, primary_key=True)
    id_number: str = Field(max_length=18, unique=True)
    name: str
    phone: str | None = None
    # Outside the employer's city = a migrant worker (流动人口).
    hukou_county_code: str | None = Field(default=None, max_length=6)
