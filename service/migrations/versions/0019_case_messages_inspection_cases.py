"""case_message, inspection_case, complaint.sms_consent: the worker and the handlers talk on a
case; inspectors take a failed or overdue mediation over as an inspection case (立案)

Revision ID: 0019
Revises: 0012
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
# TEMPORARY: 0013-0018 are on other branches; the merger re-chains this one.
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sms_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "case_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_role", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("seen_by_worker_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("sms_status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
        sa.CheckConstraint(
            "direction IN ('from_worker', 'to_worker')",
            name=op.f("ck_case_message_direction_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_case_message_author_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaint.id"], name=op.f("fk_case_message_complaint_id_complaint")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_message")),
    )
    op.create_index(
        op.f("ix_case_message_complaint_id"), "case_message", ["complaint_id"], unique=False
    )
    op.create_table(
        "inspection_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("grounds", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "grounds IN ('mediation_failed', 'mediation_overdue')",
            name=op.f("ck_inspection_case_grounds_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_inspection_case_complaint_id_complaint"),
        ),
        sa.ForeignKeyConstraint(
            ["county_code"],
            ["jurisdiction.code"],
            name=op.f("fk_inspection_case_county_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employer.id"], name=op.f("fk_inspection_case_employer_id_employer")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["app_user.id"], name=op.f("fk_inspection_case_opened_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_case")),
        sa.UniqueConstraint("complaint_id", name=op.f("uq_inspection_case_complaint_id")),
    )
    for column in ("county_code", "employer_id", "opened_on"):
        op.create_index(
            op.f(f"ix_inspection_case_{column}"), "inspection_case", [column], unique=False
        )


def downgrade() -> None:
    for column in ("county_code", "employer_id", "opened_on"):
        op.drop_index(op.f(f"ix_inspection_case_{column}"), table_name="inspection_case")
    op.drop_table("inspection_case")
    op.drop_index(op.f("ix_case_message_complaint_id"), table_name="case_message")
    op.drop_table("case_message")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_column("sms_consent")
