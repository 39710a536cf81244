"""complaint.notices_pending: a filed complaint's e-mails (committee, employer, inspectors)
are queued by the outbox sender's next round, not by the worker's request (issue 8: a flood
of complaints)

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
# The lead re-chains this one onto the head at merge.
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("notices_pending")


def upgrade() -> None:
    # Complaints filed before this revision had their e-mails queued as they were filed.
    op.add_column(
        "complaint",
        sa.Column("notices_pending", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_complaint_notices_pending",
        "complaint",
        ["id"],
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_complaint_notices_pending", table_name="complaint")
    op.drop_column("complaint", "notices_pending")
