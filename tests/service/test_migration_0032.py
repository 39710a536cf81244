"""Migration 0032 (alert e-mails worded as they leave) undone: the code before cannot word a
message, so one still unworded is withdrawn, kept for the record and never sent empty."""

from sqlalchemy import text

from service.db import make_engine
from tests.service.migration_steps import downgrade, upgrade

QUEUE = (
    "INSERT INTO outbox_message (kind, dedupe_key, message_id, to_address, language, subject, "
    "body_text, body_html, created_at, not_before, status, attempts, next_attempt_at) VALUES "
    "(:kind, :key, :key, 'a@example.cn', 'zh-CN', :subject, :subject, :subject, "
    "'2026-12-01', '2026-12-01', 'pending', 0, '2026-12-01')"
)


def test_unworded_mail_is_withdrawn_when_undone(empty_db_url):
    engine = make_engine(empty_db_url)
    upgrade(engine, "0032")
    with engine.begin() as conn:
        conn.execute(text(QUEUE), {"kind": "alert_critical", "key": "k1", "subject": None})
        conn.execute(text(QUEUE), {"kind": "case_new", "key": "k2", "subject": "新案件"})
    downgrade(engine, "0031")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT status, subject, last_error FROM outbox_message ORDER BY id")
        ).all()
    assert [tuple(row) for row in rows] == [
        ("withdrawn", "", "not worded: queued by a later version"),
        ("pending", "新案件", None),
    ]
    engine.dispose()
