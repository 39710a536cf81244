"""complainant shield: a random public reference per complaint; the outbox's audience,
checked again at send time, and the 'withdrawn' status

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As service.complaints.service.new_public_reference (copied: a migration must not change
# when the code does).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _reference() -> str:
    return "R" + "".join(secrets.choice(ALPHABET) for _ in range(8))


def upgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "public_reference", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True
            )
        )
    complaint = sa.table("complaint", sa.column("id"), sa.column("public_reference"))
    conn = op.get_bind()
    ids = conn.execute(sa.select(complaint.c.id)).scalars().all()
    used: set[str] = set()
    for complaint_id in ids:
        reference = _reference()
        while reference in used:
            reference = _reference()
        used.add(reference)
        conn.execute(
            complaint.update()
            .where(complaint.c.id == complaint_id)
            .values(public_reference=reference)
        )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.alter_column(
            "public_reference",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=16),
            nullable=False,
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_complaint_public_reference"), ["public_reference"]
        )

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("about_place", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("about_committee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("about_employer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_recipient_user_id_app_user"),
            "app_user",
            ["recipient_user_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_about_committee_id_mediation_committee"),
            "mediation_committee",
            ["about_committee_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_about_employer_id_employer"),
            "employer",
            ["about_employer_id"],
            ["id"],
        )
        batch_op.drop_constraint(op.f("ck_outbox_message_status_valid"), type_="check")
        batch_op.create_check_constraint(
            "status_valid", "status IN ('pending', 'sending', 'sent', 'failed', 'withdrawn')"
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_status_valid"), type_="check")
        batch_op.create_check_constraint(
            "status_valid", "status IN ('pending', 'sending', 'sent', 'failed')"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_about_employer_id_employer"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_about_committee_id_mediation_committee"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_recipient_user_id_app_user"), type_="foreignkey"
        )
        batch_op.drop_column("about_employer_id")
        batch_op.drop_column("about_committee_id")
        batch_op.drop_column("about_place")
        batch_op.drop_column("recipient_user_id")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_complaint_public_reference"), type_="unique")
        batch_op.drop_column("public_reference")
