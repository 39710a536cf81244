"""Migration 0010 on a database with digests already queued: each gets its alert ids from
the links of its text, once; other messages have none."""

import json

from sqlalchemy import text

from service.db import make_engine
from tests.service.migration_steps import upgrade

MESSAGE = (
    "INSERT INTO outbox_message (kind, dedupe_key, message_id, to_address, language, subject, "
    "body_text, body_html, created_at, not_before, status, attempts, next_attempt_at) VALUES "
    "(:kind, :key, :key, 'a@example.org', 'zh-CN', 's', :body, 'h', '2026-11-20 02:00:00', "
    "'2026-11-20 02:00:00', 'pending', 0, '2026-11-20 02:00:00')"
)
DIGEST = (
    "- https://wageguard.test/inspector/alerts/42\n- https://wageguard.test/inspector/alerts/7\n"
    "- https://wageguard.test/inspector/alerts/42\n"
)


def test_queued_digests_get_their_alert_ids_from_their_links(empty_db_url):
    engine = make_engine(empty_db_url)
    upgrade(engine, "0009")
    with engine.begin() as conn:
        conn.execute(text(MESSAGE), {"kind": "alert_digest", "key": "d", "body": DIGEST})
        conn.execute(text(MESSAGE), {"kind": "alert_critical", "key": "c", "body": DIGEST})
    upgrade(engine, "0010")
    with engine.begin() as conn:
        rows = dict(conn.execute(text("SELECT kind, alert_ids FROM outbox_message")).all())
        conn.execute(text("DELETE FROM outbox_message"))
    stored = rows["alert_digest"]
    assert (json.loads(stored) if isinstance(stored, str) else stored) == [7, 42]
    assert rows["alert_critical"] is None
    engine.dispose()
