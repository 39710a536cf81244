"""assessment_figures: the county assessment's computed figures per period, cut-off day and
input versions, so a repeated view reads one row; audit_log (entity, action), so counting the
alert-handling entries for its key reads only those (issue 11, part 3)

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessment_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_key", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("cut_off", sa.Date(), nullable=False),
        sa.Column("inputs_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("computed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_figures")),
    )
    with op.batch_alter_table("assessment_figures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_figures_inputs_key"), ["inputs_key"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_figures_period_key"), ["period_key"], unique=False
        )
    op.create_index("ix_audit_log_entity_action", "audit_log", ["entity", "action"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_entity_action", table_name="audit_log")
    op.drop_table("assessment_figures")
