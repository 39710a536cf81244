"""Migration 0005 on a database that already holds complaints and queued e-mail: every
complaint gets its own random public reference, and pending messages stay sendable."""

import re

from sqlalchemy import text

from service.db import make_engine
from tests.service.migration_steps import upgrade

COMPLAINT = (
    "INSERT INTO complaint (tracking_code, pin_hash, kind, county_code, amount_owed_fen, "
    "workers_affected, description, disclose_identity, agrees_to_enterprise_mediation, "
    "language, received_at, received_on, status, pin_failures) VALUES (:code, 'x', "
    "'unpaid_wages', '330302', 100, 1, 'd', false, false, 'zh-CN', '2026-11-20 02:00:00', "
    "'2026-11-20', 'received', 0)"
)
MESSAGE = (
    "INSERT INTO outbox_message (kind, dedupe_key, message_id, to_address, language, subject, "
    "body_text, body_html, created_at, not_before, status, attempts, next_attempt_at) VALUES "
    "('case_new', 'k', 'm', 'a@example.org', 'zh-CN', 's', 't', 'h', '2026-11-20 02:00:00', "
    "'2026-11-20 02:00:00', 'pending', 0, '2026-11-20 02:00:00')"
)


def test_existing_complaints_get_distinct_random_references(empty_db_url):
    engine = make_engine(empty_db_url)
    upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO jurisdiction (code, level, name_zh, name_en) "
                "VALUES ('330302', 'county', '鹿城区', 'Lucheng District')"
            )
        )
        for n in range(5):
            conn.execute(text(COMPLAINT), {"code": f"WGCODE{n:04d}"})
        conn.execute(text(MESSAGE))
    upgrade(engine, "0005")
    with engine.begin() as conn:
        references = conn.execute(text("SELECT public_reference FROM complaint")).scalars().all()
        audience = conn.execute(
            text("SELECT status, recipient_user_id, about_place FROM outbox_message")
        ).one()
        conn.execute(text("UPDATE outbox_message SET status = 'withdrawn'"))
    assert len(set(references)) == 5
    assert all(re.fullmatch(r"R[2-9A-HJKMNP-Z]{8}", r) for r in references)
    assert tuple(audience) == ("pending", None, None)  # sent as addressed, as before
    engine.dispose()
