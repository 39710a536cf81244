"""overview: per-run place summaries, months and highest-risk employers; supervisor role

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from service.migrations.role_check import replace_role_check

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("admin", "inspector", "employer", "mediator")
AFTER = (*BEFORE, "supervisor")

COUNTS = (
    "employers",
    "active_workers",
    "active_migrant_workers",
    "alerts_critical",
    "alerts_high",
    "alerts_medium",
    "alerts_low",
)
MONEY = (
    "arrears_fen",
    "deposit_shortfall_fen",
    "double_wage_fen",
    "deposit_required_fen",
    "deposit_held_fen",
)
MORE_COUNTS = (
    "high_risk_workers",
    "high_risk_workers_insured",
    "complaints_received",
    "complaints_mediated_in_time",
    "complaints_overdue",
    "legal_aid_referrals",
    "tier_red",
    "tier_orange",
    "tier_yellow",
    "tier_green",
)


def upgrade() -> None:
    op.create_table(
        "place_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("place_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("town", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS],
        *[sa.Column(name, sa.BigInteger(), nullable=False) for name in MONEY],
        *[sa.Column(name, sa.Integer(), nullable=False) for name in MORE_COUNTS],
        sa.CheckConstraint(
            "level IN ('city', 'county', 'town')", name=op.f("ck_place_summary_level_valid")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["monitor_run.id"], name=op.f("fk_place_summary_run_id_monitor_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_summary")),
    )
    with op.batch_alter_table("place_summary", schema=None) as batch_op:
        batch_op.create_index("ix_place_summary_run_place", ["run_id", "place_code"], unique=True)
    op.create_table(
        "place_month",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("place_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("alerts_opened", sa.Integer(), nullable=False),
        sa.Column("alerts_resolved", sa.Integer(), nullable=False),
        sa.Column("arrears_fen", sa.BigInteger(), nullable=False),
        sa.Column("complaints_received", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["monitor_run.id"], name=op.f("fk_place_month_run_id_monitor_run")
        ),
        sa.PrimaryKeyConstraint("run_id", "place_code", "month", name=op.f("pk_place_month")),
    )
    op.create_table(
        "place_top_employer",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("place_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("at_stake_fen", sa.BigInteger(), nullable=False),
        sa.Column("open_alerts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["employer.id"],
            name=op.f("fk_place_top_employer_employer_id_employer"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["monitor_run.id"], name=op.f("fk_place_top_employer_run_id_monitor_run")
        ),
        sa.PrimaryKeyConstraint("run_id", "place_code", "rank", name=op.f("pk_place_top_employer")),
    )
    replace_role_check(BEFORE, AFTER)


def downgrade() -> None:
    replace_role_check(AFTER, BEFORE)
    op.drop_table("place_top_employer")
    op.drop_table("place_month")
    with op.batch_alter_table("place_summary", schema=None) as batch_op:
        batch_op.drop_index("ix_place_summary_run_place")
    op.drop_table("place_summary")
