"""What an employer may learn: weeks instead of days, and complaint-derived alert figures
withheld (the pages, the API and the e-mails use these)."""

from datetime import date

import pytest

from service.alerts.models import Alert
from service.complaints.disclosure import alert_for_employer, is_complaint_derived, week_of


@pytest.mark.parametrize(
    ("day", "iso", "zh", "en"),
    [
        (date(2026, 11, 20), "2026-W47", "2026年第47周", "week of 2026-11-16"),
        (date(2026, 11, 16), "2026-W47", "2026年第47周", "week of 2026-11-16"),
        (date(2026, 11, 22), "2026-W47", "2026年第47周", "week of 2026-11-16"),
        # ISO weeks cross the new year: the week's year, not the day's.
        (date(2027, 1, 1), "2026-W53", "2026年第53周", "week of 2026-12-28"),
        (date(2025, 12, 29), "2026-W01", "2026年第1周", "week of 2025-12-29"),
    ],
)
def test_a_day_is_told_only_as_its_week(day, iso, zh, en):
    week = week_of(day)
    assert (week.iso, week.label("zh-CN"), week.label("en")) == (iso, zh, en)


def alert(rule: str) -> Alert:
    return Alert(
        id=7,
        rule=rule,
        employer_id=1,
        period="2026-08",
        severity="high",
        subject_count=3,
        amount_fen=319_277,
        legal_basis_zh="x",
        legal_basis_en="x",
        first_seen=date(2026, 11, 20),
        last_seen=date(2026, 11, 20),
    )


@pytest.mark.parametrize("rule", ["mediation.overdue", "complaints.cluster", "gone.rule"])
def test_complaint_derived_alerts_reach_the_employer_without_figures(rule):
    facts = alert_for_employer(alert(rule))
    assert is_complaint_derived(rule)
    assert facts.__dict__ == dict.fromkeys(facts.__dict__)  # every figure withheld


def test_alerts_about_the_employers_own_records_keep_their_figures():
    facts = alert_for_employer(alert("wages.unpaid"))
    assert not is_complaint_derived("wages.unpaid")
    assert (facts.alert_id, facts.period, facts.amount_fen) == (7, "2026-08", 319_277)
    assert (facts.subject_count, facts.first_seen) == (3, date(2026, 11, 20))
