"""mediation.overdue and complaints.cluster: the due day, the window's edges, the threshold,
and evidence that names no one."""

from datetime import date
from typing import Any

import pandas as pd

from monitors.base import (
    SNAPSHOT_COLUMNS,
    Snapshot,
    typed_frame,
)
from monitors.engine import evaluate
from monitors.reference import load_reference
from monitors.registry import RULES
from monitors.rules.complaints import complaints_cluster, mediation_overdue
from tests.monitors.snapshots import Row, employer, make_snapshot

OVERDUE, CLUSTER = "mediation.overdue", "complaints.cluster"
COMPLAINT_RULES = {rule_id: RULES[rule_id] for rule_id in (OVERDUE, CLUSTER)}
AS_OF = date(2026, 10, 20)
REFERENCE = load_reference()
THRESHOLD = int(REFERENCE.value("complaints_cluster_threshold", on=AS_OF))
WINDOW = int(REFERENCE.value("complaints_cluster_window_days", on=AS_OF))
WINDOW_FIRST = AS_OF - pd.Timedelta(days=WINDOW - 1)  # the window's first day
IDENTITY_WORDS = ("name", "phone", "tracking", "description", "worker")


def complaint(complaint_id: int = 1, employer_id: int | None = 1, **overrides: Any) -> Row:
    """An open wage complaint received on 2026-10-01, due 2026-10-16, CNY 5,000 owed."""
    return {
        "complaint_id": complaint_id,
        "employer_id": employer_id,
        "kind": "unpaid_wages",
        "county_code": "330302",
        "received_on": "2026-10-01",
        "status": "received",
        "mediation_due_on": "2026-10-16",
        "closed_on": None,
        "amount_owed_fen": 500_000,
        "workers_affected": 1,
        **overrides,
    }


def complaints_frame(rows: list[Row]) -> pd.DataFrame:
    columns = list(SNAPSHOT_COLUMNS["complaints"])
    return typed_frame("complaints", pd.DataFrame(rows, columns=columns))


def snap(*rows: Row, as_of: date = AS_OF) -> Snapshot:
    snapshot = make_snapshot(as_of, employers=[employer(1), employer(2)])
    snapshot.frames["complaints"] = complaints_frame(list(rows))
    return snapshot


def on(day: pd.Timestamp | date) -> str:
    return pd.Timestamp(day).date().isoformat()


def assert_names_no_one(evidence: dict) -> None:
    keys = set(evidence) | {key for item in evidence["complaints"] for key in item}
    assert not [key for key in keys if any(word in key for word in IDENTITY_WORDS)]


# --- mediation.overdue --------------------------------------------------------------------------


def test_overdue_is_clean_on_the_last_day_of_the_period() -> None:
    assert mediation_overdue(snap(complaint(mediation_due_on="2026-10-20"))).empty


def test_overdue_fires_the_day_after_the_last_day() -> None:
    found = mediation_overdue(snap(complaint(mediation_due_on="2026-10-19")))

    [alert] = found.to_dict("records")
    assert alert["employer_id"] == 1
    assert alert["subject_count"] == 1
    assert alert["amount_fen"] == 500_000
    assert alert["evidence"]["overdue_cases"] == 1
    assert alert["evidence"]["complaints"] == [
        {
            "received_on": "2026-10-01",
            "mediation_due_on": "2026-10-19",
            "days_overdue": 1,
            "amount_owed_fen": 500_000,
        }
    ]


def test_overdue_counts_accepted_cases_too() -> None:
    found = mediation_overdue(snap(complaint(status="accepted")))

    assert found.iloc[0]["subject_count"] == 1


def test_overdue_ignores_a_case_closed_by_the_day() -> None:
    closed = complaint(status="closed", closed_on="2026-10-20")

    assert mediation_overdue(snap(closed)).empty


def test_overdue_sees_a_case_closed_later_as_open_on_an_earlier_day() -> None:
    closed_later = complaint(status="closed", closed_on="2026-10-25")

    assert len(mediation_overdue(snap(closed_later))) == 1


def test_overdue_treats_a_closed_case_without_a_closing_day_as_closed() -> None:
    assert mediation_overdue(snap(complaint(status="closed"))).empty


def test_overdue_skips_complaints_without_a_known_employer() -> None:
    assert mediation_overdue(snap(complaint(employer_id=None))).empty


def test_overdue_skips_cases_without_a_deadline() -> None:
    assert mediation_overdue(snap(complaint(mediation_due_on=None))).empty


def test_overdue_raises_one_alert_per_employer_with_its_cases_and_amounts() -> None:
    found = mediation_overdue(
        snap(
            complaint(1, amount_owed_fen=100_000),
            complaint(2, amount_owed_fen=250_050, mediation_due_on="2026-10-05"),
            complaint(3, employer_id=2),
            complaint(4, mediation_due_on="2026-10-20"),  # due today: not yet
        )
    ).set_index("employer_id")

    assert found["subject_count"].to_dict() == {1: 2, 2: 1}
    assert found.loc[1, "amount_fen"] == 350_050
    listed = found.loc[1, "evidence"]["complaints"]
    assert [item["mediation_due_on"] for item in listed] == ["2026-10-05", "2026-10-16"]
    assert_names_no_one(found.loc[1, "evidence"])


def test_overdue_is_empty_on_an_empty_frame() -> None:
    assert mediation_overdue(snap()).empty


def test_overdue_passes_through_the_engine() -> None:
    findings = evaluate(snap(complaint()), {OVERDUE: COMPLAINT_RULES[OVERDUE]})

    [alert] = findings.to_dict("records")
    assert (alert["rule"], alert["severity"]) == (OVERDUE, "high")
    assert (alert["project_code"], alert["period"]) == ("", "")
    assert "第十四条" in alert["legal_basis_zh"]
    assert "Art. 14" in alert["legal_basis_en"]


# --- complaints.cluster -------------------------------------------------------------------------


def cluster(count: int, *, received_on: str = "2026-10-10", first_id: int = 1, **fields: Any):
    return [
        complaint(i, received_on=received_on, **fields) for i in range(first_id, first_id + count)
    ]


def test_cluster_fires_at_exactly_the_threshold() -> None:
    found = complaints_cluster(snap(*cluster(THRESHOLD, amount_owed_fen=100_000)))

    [alert] = found.to_dict("records")
    assert alert["employer_id"] == 1
    assert alert["subject_count"] == THRESHOLD
    assert alert["amount_fen"] == THRESHOLD * 100_000
    evidence = alert["evidence"]
    assert evidence["complaints_in_window"] == THRESHOLD
    assert evidence["threshold"] == THRESHOLD
    assert evidence["window_days"] == WINDOW
    assert (evidence["window_from"], evidence["window_to"]) == (on(WINDOW_FIRST), on(AS_OF))
    assert evidence["complaints"][0] == {"received_on": "2026-10-10", "amount_owed_fen": 100_000}
    assert_names_no_one(evidence)


def test_cluster_is_clean_one_below_the_threshold() -> None:
    assert complaints_cluster(snap(*cluster(THRESHOLD - 1))).empty


def test_cluster_counts_a_complaint_on_the_first_day_of_the_window() -> None:
    edge = complaint(99, received_on=on(WINDOW_FIRST))

    assert len(complaints_cluster(snap(*cluster(THRESHOLD - 1), edge))) == 1


def test_cluster_does_not_count_the_day_before_the_window() -> None:
    outside = complaint(99, received_on=on(WINDOW_FIRST - pd.Timedelta(days=1)))

    assert complaints_cluster(snap(*cluster(THRESHOLD - 1), outside)).empty


def test_cluster_counts_a_complaint_received_on_the_day_itself() -> None:
    today = complaint(99, received_on=on(AS_OF))

    assert len(complaints_cluster(snap(*cluster(THRESHOLD - 1), today))) == 1


def test_cluster_does_not_count_complaints_received_after_the_day() -> None:
    later = complaint(99, received_on="2026-10-21")

    assert complaints_cluster(snap(*cluster(THRESHOLD - 1), later)).empty


def test_cluster_counts_closed_and_withdrawn_complaints_received_in_the_window() -> None:
    closed = cluster(THRESHOLD, status="closed", closed_on="2026-10-12")

    assert len(complaints_cluster(snap(*closed))) == 1


def test_cluster_counts_only_wage_complaints() -> None:
    injury = complaint(99, received_on="2026-10-10", kind="work_injury")

    assert complaints_cluster(snap(*cluster(THRESHOLD - 1), injury)).empty


def test_cluster_counts_per_employer() -> None:
    split = [*cluster(THRESHOLD - 1), *cluster(1, first_id=50, employer_id=2)]

    assert complaints_cluster(snap(*split)).empty


def test_cluster_skips_complaints_without_a_known_employer() -> None:
    assert complaints_cluster(snap(*cluster(THRESHOLD, employer_id=None))).empty


def test_cluster_passes_through_the_engine() -> None:
    findings = evaluate(snap(*cluster(THRESHOLD)), {CLUSTER: COMPLAINT_RULES[CLUSTER]})

    [alert] = findings.to_dict("records")
    assert (alert["rule"], alert["severity"]) == (CLUSTER, "high")
    assert alert["subject_count"] == THRESHOLD
    assert alert["amount_fen"] == THRESHOLD * 500_000
    assert "第十条" in alert["legal_basis_zh"]
