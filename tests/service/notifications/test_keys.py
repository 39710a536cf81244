"""The outbox's dedupe keys: one event, one key; another run, hold or due date, another key."""

from datetime import date

from service.notifications import keys


def test_a_digest_key_gives_back_its_day():
    key = keys.digest(7, date(2026, 12, 1))

    assert key == "digest:7:2026-12-01"
    assert keys.digest_day(key) == date(2026, 12, 1)


def test_an_employer_notice_held_back_is_another_message():
    sent_at_once = keys.employer_alerts(3, [12, 4], None)
    held = keys.employer_alerts(3, [4, 12], date(2026, 12, 7))

    assert sent_at_once == "employer_alerts:3:run:4-12"
    assert held == "employer_alerts:3:run:4-12:held:2026-12-07"


def test_an_extended_mediation_period_earns_its_own_reminders():
    recipient = keys.committee(5)
    before = keys.case_reminder(9, date(2026, 12, 10), 3, recipient)
    after = keys.case_reminder(9, date(2026, 12, 25), 3, recipient)

    assert before == "case_reminder:9:2026-12-10:3:committee:5"
    assert before != after
