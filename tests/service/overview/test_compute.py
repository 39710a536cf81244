"""The overview's complaint figures and months, pure pandas: where each boundary falls."""

from datetime import date

import pandas as pd

from service.overview.compute import complaint_figures, months_up_to

AS_OF = date(2026, 11, 30)


def _complaints(*rows: dict) -> pd.DataFrame:
    base = {
        "county_code": "330302",
        "town": "五马街道",
        "kind": "unpaid_wages",
        "received_on": "2026-11-01",
        "status": "received",
        "mediation_due_on": "2026-11-16",
        "closed_on": None,
        "outcome": None,
    }
    frame = pd.DataFrame([base | row for row in rows])
    for column in ("received_on", "mediation_due_on", "closed_on"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def test_months_are_the_twelve_ending_with_the_as_of_month():
    months = months_up_to(AS_OF)
    assert months[0] == "2025-12" and months[-1] == "2026-11" and len(months) == 12
    assert months_up_to(date(2026, 1, 5), 2) == ["2025-12", "2026-01"]


def test_a_case_closed_on_its_last_day_is_mediated_in_time_and_the_day_after_is_not():
    figures = complaint_figures(
        _complaints(
            {"status": "closed", "closed_on": "2026-11-16", "outcome": "agreement"},
            {"status": "closed", "closed_on": "2026-11-17", "outcome": "agreement"},
            {"status": "closed", "closed_on": "2026-11-10", "outcome": "withdrawal"},
        ),
        AS_OF,
    )
    assert figures["complaints_received"].tolist() == [1, 1, 1]
    assert figures["complaints_mediated_in_time"].tolist() == [1, 0, 0]
    assert figures["complaints_overdue"].sum() == 0


def test_an_open_case_is_overdue_only_after_its_last_day():
    figures = complaint_figures(
        _complaints({"mediation_due_on": "2026-11-30"}, {"mediation_due_on": "2026-11-29"}),
        AS_OF,
    )
    assert figures["complaints_overdue"].tolist() == [0, 1]
    # unpaid wages, overdue: the tracking page sends the worker to legal aid
    assert figures["legal_aid_referrals"].tolist() == [0, 1]


def test_legal_aid_counts_failed_wage_and_injury_cases_not_other_kinds():
    figures = complaint_figures(
        _complaints(
            {"status": "closed", "closed_on": "2026-11-10", "outcome": "failure"},
            {"kind": "work_injury", "status": "closed", "closed_on": "2026-11-10",
             "outcome": "failure"},
            {"kind": "other", "status": "closed", "closed_on": "2026-11-10", "outcome": "failure"},
        ),
        AS_OF,
    )  # fmt: skip
    assert figures["legal_aid_referrals"].tolist() == [1, 1, 0]


def test_a_complaint_a_year_old_is_no_longer_received_within_twelve_months():
    figures = complaint_figures(
        _complaints({"received_on": "2025-11-30"}, {"received_on": "2025-12-01"}), AS_OF
    )
    assert figures["complaints_received"].tolist() == [0, 1]
