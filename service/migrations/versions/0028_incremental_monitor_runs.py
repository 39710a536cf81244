"""data_change (what each data version changed: employers, projects, workers) and the run's
basis, data version, employers evaluated and (a shard's) counties on monitor_run: a run on the
day of the latest one re-evaluates only the employers the changes since it reach (issue 14:
incremental runs)

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("employer_id", sa.BigInteger(), nullable=True),
        sa.Column("project_id", sa.BigInteger(), nullable=True),
        sa.Column("worker_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_change")),
    )
    op.create_index(op.f("ix_data_change_version"), "data_change", ["version"])
    op.add_column(
        "monitor_run", sa.Column("basis", sa.String(length=64), nullable=False, server_default="")
    )
    op.add_column("monitor_run", sa.Column("data_version", sa.BigInteger(), nullable=True))
    op.add_column("monitor_run", sa.Column("employers_evaluated", sa.Integer(), nullable=True))
    op.add_column(
        "monitor_run", sa.Column("counties", sa.Text(), nullable=False, server_default="")
    )


def downgrade() -> None:
    with op.batch_alter_table("monitor_run") as batch:  # SQLite drops columns by copying
        batch.drop_column("counties")
        batch.drop_column("employers_evaluated")
        batch.drop_column("data_version")
        batch.drop_column("basis")
    op.drop_index(op.f("ix_data_change_version"), table_name="data_change")
    op.drop_table("data_change")
