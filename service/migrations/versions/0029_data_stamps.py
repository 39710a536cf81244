"""data_stamp: a random stamp for every data version, so a copy of the monitored frames kept
outside the database (monitoring/kept_frames.py) can tell that it holds this database's data
at that version, and not another database's that reached the same number (issue 14: a
columnar snapshot beside the database)

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-29
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_stamp",
        sa.Column("version", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_data_stamp")),
    )
    op.get_bind().execute(
        sa.text("INSERT INTO data_stamp (version, stamp) SELECT version, :stamp FROM data_version"),
        {"stamp": uuid.uuid4().hex},
    )


def downgrade() -> None:
    op.drop_table("data_stamp")
