"""employer.risk_tier and .risk_rank: the current risk tier stored on the employer, kept in
step with its latest employer_risk_tier row, and an index (risk_rank, name, id) the employer
list walks to filter and sort by tier (issue 14: pages at scale; the green tier's last page
took 550 ms p95 at L through an anti-join over the tier history)

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
# The lead re-chains this one onto the head at merge.
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each employer's latest tier row: its current tier (as service/risk/service.py `store`).
LATEST = (
    "(SELECT t.tier FROM employer_risk_tier t WHERE t.employer_id = employer.id "
    "ORDER BY t.id DESC LIMIT 1)"
)
RANK = (
    f"CASE {LATEST} WHEN 'red' THEN 0 WHEN 'orange' THEN 1 WHEN 'yellow' THEN 2 "
    "WHEN 'green' THEN 3 ELSE 4 END"
)


def upgrade() -> None:
    op.add_column("employer", sa.Column("risk_tier", sa.String(length=6), nullable=True))
    op.add_column(
        "employer", sa.Column("risk_rank", sa.Integer(), nullable=False, server_default="4")
    )
    op.execute(
        f"UPDATE employer SET risk_tier = {LATEST}, risk_rank = {RANK} "
        "WHERE id IN (SELECT employer_id FROM employer_risk_tier)"
    )
    op.create_index("ix_employer_risk_rank_name_id", "employer", ["risk_rank", "name", "id"])


def downgrade() -> None:
    op.drop_index("ix_employer_risk_rank_name_id", table_name="employer")
    op.drop_column("employer", "risk_rank")
    op.drop_column("employer", "risk_tier")
