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


def test_a_critical_e_mail_is_keyed_by_the_openings_it_tells():
    recipient = keys.user(2)
    told = keys.alert_critical(3, [40, 7], recipient)

    assert told == "alert_critical:3:7-40:user:2"
    assert keys.alert_critical(3, [7, 40], recipient) == told  # the same openings again
    assert keys.alert_critical(3, [7, 41], recipient) != told  # an alert reopened


def test_many_openings_are_keyed_by_their_digest_within_the_column():
    recipient = keys.user(2)
    many = list(range(1_000_000, 1_000_400))
    key = keys.alert_critical(3, many, recipient)

    assert len(key) <= 200 and key.startswith("alert_critical:3:sha256-")
    assert keys.alert_critical(3, many[::-1], recipient) == key
    assert keys.alert_critical(3, [*many[:-1], 2_000_000], recipient) != key


def test_an_extended_mediation_period_earns_its_own_reminders():
    recipient = keys.committee(5)
    before = keys.case_reminder(9, date(2026, 12, 10), 3, recipient)
    after = keys.case_reminder(9, date(2026, 12, 25), 3, recipient)

    assert before == "case_reminder:9:2026-12-10:3:committee:5"
    assert before != after
