"""insurance.work_injury_uncovered: fires, clean, cover boundaries, grace period, severity."""

from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest

from monitors.base import Snapshot
from monitors.engine import evaluate
from monitors.identifiers import mask_id_numbers
from monitors.registry import RULES
from monitors.rules.insurance import insurance_work_injury_uncovered
from tests.monitors.snapshots import (
    Row,
    contract,
    coverage,
    employer,
    make_id_number,
    make_snapshot,
    project,
    worker,
)

AS_OF = date(2026, 6, 30)
RULE_ID = "insurance.work_injury_uncovered"


def snap(
    *contracts: Row,
    insurance: list[Row] | None = None,
    employers: list[Row] | None = None,
    projects: list[Row] | None = None,
    as_of: date = AS_OF,
) -> Snapshot:
    """Employer 1 (shoes, 1952) unless given, and a worker row for every contract."""
    worker_ids = sorted({row["worker_id"] for row in contracts})
    return make_snapshot(
        as_of,
        employers=employers or [employer(1)],
        workers=[worker(worker_id) for worker_id in worker_ids],
        contracts=list(contracts),
        insurance=insurance or [],
        projects=projects or [],
    )


def hired(worker_id: int = 1, start: str = "2026-01-05", **overrides: Any) -> Row:
    return contract(worker_id, worker_id=worker_id, start_date=start, **overrides)


def masked(worker_id: int) -> str:
    return mask_id_numbers(pd.Series([make_id_number(worker_id)])).iloc[0]


def on_engine(snapshot: Snapshot) -> pd.DataFrame:
    return evaluate(snapshot, {RULE_ID: RULES[RULE_ID]})


def test_work_injury_uncovered_fires_for_an_active_worker_without_cover() -> None:
    found = insurance_work_injury_uncovered(snap(hired(1), hired(2)))

    assert len(found) == 1
    alert = found.iloc[0]
    assert alert["employer_id"] == 1
    assert pd.isna(alert["project_id"])
    assert alert["subject_count"] == 2
    assert "amount_fen" not in found
    assert alert["evidence"]["high_risk_industry"] is False
    first = alert["evidence"]["uncovered_workers"][0]
    assert set(first) == {"worker", "start", "insure_by", "cover_ended_on"}
    listed = sorted(record["worker"] for record in alert["evidence"]["uncovered_workers"])
    assert listed == sorted([masked(1), masked(2)])


def test_work_injury_uncovered_is_clean_with_personal_cover() -> None:
    assert insurance_work_injury_uncovered(snap(hired(), insurance=[coverage(1, 1)])).empty


def test_work_injury_uncovered_fires_when_cover_ended_the_day_before() -> None:
    cover = coverage(1, 1, end_date="2026-06-29")

    found = insurance_work_injury_uncovered(snap(hired(), insurance=[cover]))

    [record] = found.iloc[0]["evidence"]["uncovered_workers"]
    assert record["cover_ended_on"] == "2026-06-29"


def test_work_injury_uncovered_is_clean_when_cover_ends_on_as_of() -> None:
    cover = coverage(1, 1, end_date="2026-06-30")

    assert insurance_work_injury_uncovered(snap(hired(), insurance=[cover])).empty


def test_work_injury_uncovered_is_clean_when_cover_starts_on_as_of() -> None:
    cover = coverage(1, 1, start_date="2026-06-30")

    assert insurance_work_injury_uncovered(snap(hired(), insurance=[cover])).empty


def test_work_injury_uncovered_fires_when_cover_starts_after_as_of() -> None:
    cover = coverage(1, 1, start_date="2026-07-01")

    found = insurance_work_injury_uncovered(snap(hired(), insurance=[cover]))

    assert found.iloc[0]["evidence"]["uncovered_workers"][0]["cover_ended_on"] is None


def test_work_injury_uncovered_ignores_cover_bought_by_another_employer() -> None:
    cover = coverage(2, 1)

    found = insurance_work_injury_uncovered(
        snap(hired(), insurance=[cover], employers=[employer(1), employer(2)])
    )

    assert found.iloc[0]["subject_count"] == 1


def test_work_injury_uncovered_is_clean_with_a_project_wide_policy() -> None:
    policy = coverage(1, None, project_id=1)

    found = insurance_work_injury_uncovered(
        snap(hired(project_id=1), insurance=[policy], projects=[project(1, contractor_id=1)])
    )

    assert found.empty


def test_work_injury_uncovered_accepts_the_general_contractors_project_policy() -> None:
    # 按项目参保: the general contractor (employer 2) insures everyone on the site.
    policy = coverage(2, None, project_id=1)

    found = insurance_work_injury_uncovered(
        snap(
            hired(project_id=1),
            insurance=[policy],
            employers=[employer(1), employer(2, industry_code="4710")],
            projects=[project(1, contractor_id=2)],
        )
    )

    assert found.empty


def test_work_injury_uncovered_ignores_the_policy_of_another_project() -> None:
    policy = coverage(1, None, project_id=2)

    found = insurance_work_injury_uncovered(
        snap(hired(project_id=1), insurance=[policy], projects=[project(1), project(2)])
    )

    assert found.iloc[0]["project_id"] == 1


def test_work_injury_uncovered_ignores_an_expired_project_policy() -> None:
    policy = coverage(1, None, project_id=1, end_date="2026-06-29")

    found = insurance_work_injury_uncovered(
        snap(hired(project_id=1), insurance=[policy], projects=[project(1)])
    )

    assert found.iloc[0]["evidence"]["uncovered_workers"][0]["cover_ended_on"] == "2026-06-29"


@pytest.mark.parametrize(("days_since_hire", "fires"), [(29, False), (30, False), (31, True)])
def test_work_injury_uncovered_gives_an_off_site_worker_30_days_to_enrol(
    days_since_hire: int, fires: bool
) -> None:
    # SIL Art. 58: within 30 days of hiring, counted from the next day.
    start = AS_OF - timedelta(days=days_since_hire)

    found = insurance_work_injury_uncovered(snap(hired(start=start.isoformat())))

    assert (not found.empty) is fires
    if fires:
        [record] = found.iloc[0]["evidence"]["uncovered_workers"]
        assert record["insure_by"] == (start + timedelta(days=30)).isoformat()


@pytest.mark.parametrize("days_since_hire", [0, 29, 30])
def test_work_injury_uncovered_gives_a_project_worker_no_grace(days_since_hire: int) -> None:
    # 人社部发〔2014〕103号: insure first, then start work.
    start = AS_OF - timedelta(days=days_since_hire)

    found = insurance_work_injury_uncovered(
        snap(hired(start=start.isoformat(), project_id=1), projects=[project(1)])
    )

    [record] = found.iloc[0]["evidence"]["uncovered_workers"]
    assert record["insure_by"] == start.isoformat()


def test_work_injury_uncovered_ignores_workers_who_left_before_as_of() -> None:
    assert insurance_work_injury_uncovered(snap(hired(left_date="2026-06-29"))).empty


def test_work_injury_uncovered_counts_a_worker_on_the_last_day_of_work() -> None:
    found = insurance_work_injury_uncovered(snap(hired(left_date="2026-06-30")))

    assert found.iloc[0]["subject_count"] == 1


def test_work_injury_uncovered_ignores_workers_starting_after_as_of() -> None:
    found = insurance_work_injury_uncovered(
        snap(hired(start="2026-07-01", project_id=1), projects=[project(1)])
    )

    assert found.empty


def test_work_injury_uncovered_raises_one_alert_per_employer_and_project() -> None:
    found = insurance_work_injury_uncovered(
        snap(
            hired(1),
            hired(2, project_id=1),
            hired(3, project_id=1),
            hired(4, project_id=2),
            hired(5, employer_id=2),
            employers=[employer(1), employer(2)],
            projects=[project(1), project(2)],
        )
    )

    counts = {
        (row.employer_id, None if pd.isna(row.project_id) else row.project_id): row.subject_count
        for row in found.itertuples()
    }
    assert counts == {(1, None): 1, (1, 1): 2, (1, 2): 1, (2, None): 1}


def test_work_injury_uncovered_is_empty_on_empty_frames() -> None:
    assert insurance_work_injury_uncovered(make_snapshot(AS_OF)).empty


@pytest.mark.parametrize(
    ("industry_code", "severity"),
    [("4710", "critical"), ("0610", "critical"), ("2672", "critical"), ("1952", "high")],
)
def test_work_injury_uncovered_is_critical_in_high_risk_industries(
    industry_code: str, severity: str
) -> None:
    findings = on_engine(snap(hired(), employers=[employer(1, industry_code=industry_code)]))

    [alert] = findings.to_dict("records")
    assert alert["rule"] == RULE_ID
    assert alert["severity"] == severity
    assert alert["project_code"] == ""
    assert alert["subject_count"] == 1
    assert pd.isna(alert["amount_fen"])
    assert "第五十八条" in alert["legal_basis_zh"]


def test_work_injury_uncovered_is_critical_on_a_high_risk_project() -> None:
    # A shoe company's worker on a building site (project industry 4710).
    findings = on_engine(snap(hired(project_id=1), projects=[project(1, industry_code="4710")]))

    [alert] = findings.to_dict("records")
    assert (alert["project_code"], alert["severity"]) == ("P0001", "critical")
