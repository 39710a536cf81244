"""outbox_message.subject, body_text, body_html may be empty until the message leaves: a
monitors run queues its alert e-mails unworded and the sender words them (issue 14, item 1:
rendering 62,000 alerts' e-mails was a fifth of a run that opened them)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORDS = ("subject", "body_text", "body_html")


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        for column in WORDS:
            batch.alter_column(column, existing_type=sa.String(), nullable=True)


def downgrade() -> None:
    # The code before cannot word a message: one not yet worded is kept, never sent.
    op.get_bind().execute(
        sa.text(
            "UPDATE outbox_message SET status = 'withdrawn', subject = '', body_text = '', "
            "body_html = '', last_error = 'not worded: queued by a later version' "
            "WHERE subject IS NULL"
        )
    )
    with op.batch_alter_table("outbox_message") as batch:
        for column in WORDS:
            batch.alter_column(column, existing_type=sa.String(), nullable=False)
