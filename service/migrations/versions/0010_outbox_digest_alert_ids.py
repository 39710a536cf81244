"""outbox: a digest's alert ids stored as data

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28

A digest's alerts were read back from the links in its rendered text; they are now a
column. Digests already queued get theirs from those links, once, here.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The link every digest's alert carried (notifications.service.INSPECTOR_ALERT).
ALERT_LINK = re.compile(r"/inspector/alerts/(\d+)")


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alert_ids", sa.JSON(), nullable=True))
    outbox = sa.table(
        "outbox_message",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("body_text", sa.String),
        sa.column("alert_ids", sa.JSON),
    )
    connection = op.get_bind()
    digests = connection.execute(
        sa.select(outbox.c.id, outbox.c.body_text).where(outbox.c.kind == "alert_digest")
    ).all()
    for message_id, body_text in digests:
        listed = sorted({int(found) for found in ALERT_LINK.findall(body_text)})
        connection.execute(
            sa.update(outbox).where(outbox.c.id == message_id).values(alert_ids=listed)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("alert_ids")
