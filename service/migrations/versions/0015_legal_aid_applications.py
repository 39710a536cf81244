"""legal_aid_application and legal_aid_event; the legal_aid role

Revision ID: 0015
Revises: 0012
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from service.migrations.role_check import replace_role_check

revision: str = "0015"
# TEMPORARY: 0013 and 0014 (other branches) are not on main yet; the merger re-chains this.
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("admin", "inspector", "employer", "mediator", "supervisor")
AFTER = (*BEFORE, "legal_aid")


def upgrade() -> None:
    replace_role_check(BEFORE, AFTER)
    op.create_table(
        "legal_aid_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("tracking_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("pin_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("pin_failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("applicant_name", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("id_number", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("matter", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("employer_text", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("hardship_check_exempt", sa.Boolean(), nullable=False),
        sa.Column("hardship_statement", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("refusal_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("lawyer_name", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "matter IN ('unpaid_wages', 'work_injury', 'other')",
            name=op.f("ck_legal_aid_application_matter_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('received', 'accepted', 'refused', 'lawyer_assigned', 'closed')",
            name=op.f("ck_legal_aid_application_status_valid"),
        ),
        sa.CheckConstraint(
            "amount_fen >= 0", name=op.f("ck_legal_aid_application_amount_nonnegative")
        ),
        sa.CheckConstraint(
            "complaint_id IS NOT NULL OR tracking_code IS NOT NULL",
            name=op.f("ck_legal_aid_application_tracked"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_legal_aid_application_complaint_id_complaint"),
        ),
        sa.ForeignKeyConstraint(
            ["county_code"],
            ["jurisdiction.code"],
            name=op.f("fk_legal_aid_application_county_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["app_user.id"],
            name=op.f("fk_legal_aid_application_decided_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_aid_application")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_legal_aid_application_tracking_code")),
    )
    with op.batch_alter_table("legal_aid_application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_legal_aid_application_complaint_id"), ["complaint_id"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_legal_aid_application_county_code"), ["county_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_legal_aid_application_status"), ["status"], unique=False
        )
    op.create_table(
        "legal_aid_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_legal_aid_event_actor_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["legal_aid_application.id"],
            name=op.f("fk_legal_aid_event_application_id_legal_aid_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_aid_event")),
    )
    with op.batch_alter_table("legal_aid_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_legal_aid_event_application_id"), ["application_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("legal_aid_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_aid_event_application_id"))
    op.drop_table("legal_aid_event")
    with op.batch_alter_table("legal_aid_application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_aid_application_status"))
        batch_op.drop_index(batch_op.f("ix_legal_aid_application_county_code"))
        batch_op.drop_index(batch_op.f("ix_legal_aid_application_complaint_id"))
    op.drop_table("legal_aid_application")
    replace_role_check(AFTER, BEFORE)
