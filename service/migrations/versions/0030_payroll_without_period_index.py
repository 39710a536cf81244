"""payroll_entry: the index on the period alone dropped. No query reads payroll by period
without the employer (the key, which leads with the employer, serves those that do), and
keeping the index cost a tenth of a large import on both databases (issue 14, item 4)

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_payroll_entry_period", table_name="payroll_entry")


def downgrade() -> None:
    op.create_index("ix_payroll_entry_period", "payroll_entry", ["period"], unique=False)
