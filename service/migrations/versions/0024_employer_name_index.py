"""employer (name, id) index: the employer list walks it A→Z to its page, first or last,
instead of sorting every employer in scope for each page (issue 14: pages at scale)

Revision ID: 0024
Revises: 0019
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
# The lead re-chains this one onto the head at merge.
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_employer_name_id", "employer", ["name", "id"])


def downgrade() -> None:
    op.drop_index("ix_employer_name_id", table_name="employer")
