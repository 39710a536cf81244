"""data_change.period: a change recorded by the payroll rows it wrote (employer, worker and
month), so that frames kept beside the database are brought up to date by reading those rows
again, not every row of their employers: 1 % of the payroll changed anywhere reaches most
employers (issue 14, item 1)

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("data_change") as batch:
        batch.add_column(sa.Column("period", sa.String(length=7), nullable=True))


def downgrade() -> None:
    # Rows naming a payroll row would read as a changed worker: every employer instead.
    op.get_bind().execute(
        sa.text(
            "UPDATE data_change SET employer_id = NULL, worker_id = NULL WHERE period IS NOT NULL"
        )
    )
    with op.batch_alter_table("data_change") as batch:
        batch.drop_column("period")
