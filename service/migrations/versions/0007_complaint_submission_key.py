"""complaint submission key: idempotent intake

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A unique index rather than a constraint: SQLite adds it without rebuilding the table.
    op.add_column(
        "complaint",
        sa.Column("submission_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column(
        "complaint",
        sa.Column(
            "submission_fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
        ),
    )
    op.create_index(
        op.f("ix_complaint_submission_key"), "complaint", ["submission_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_complaint_submission_key"), table_name="complaint")
    op.drop_column("complaint", "submission_fingerprint")
    op.drop_column("complaint", "submission_key")
