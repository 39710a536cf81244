"""mediation.committee_missing: the migrant-worker threshold, who counts, and the committee."""

from datetime import date
from typing import Any

import pandas as pd
import pytest

from monitors.base import Snapshot
from monitors.engine import evaluate
from monitors.reference import load_reference
from monitors.registry import RULES
from monitors.rules.mediation import mediation_committee_missing
from tests.monitors.snapshots import Row, committee, contract, employer, make_snapshot, worker

AS_OF = date(2026, 6, 30)
RULE_ID = "mediation.committee_missing"
THRESHOLD = int(load_reference().value("mediation_committee_migrant_threshold", on=AS_OF))
MIGRANT_HUKOU = "510122"  # Sichuan: outside Wenzhou
LOCAL_HUKOU = "330324"  # Yongjia: Wenzhou (3303), though not the employer's county


def staff(
    count: int,
    *,
    first_id: int = 1,
    employer_id: int = 1,
    hukou: str | None = MIGRANT_HUKOU,
    **contract_fields: Any,
) -> tuple[list[Row], list[Row]]:
    """`count` workers with household registration `hukou` and active contracts."""
    ids = range(first_id, first_id + count)
    workers = [worker(i, hukou_county_code=hukou) for i in ids]
    contracts = [contract(i, employer_id=employer_id, worker_id=i, **contract_fields) for i in ids]
    return workers, contracts


def snap(*groups: tuple[list[Row], list[Row]], committees: list[Row] | None = None) -> Snapshot:
    """Employer 1 in Lucheng (330302) and employer 2 in Yongjia (330324)."""
    return make_snapshot(
        AS_OF,
        employers=[employer(1), employer(2, county_code="330324")],
        workers=[row for workers, _ in groups for row in workers],
        contracts=[row for _, contracts in groups for row in contracts],
        committees=committees or [],
    )


def test_committee_missing_fires_at_exactly_the_migrant_threshold() -> None:
    found = mediation_committee_missing(snap(staff(THRESHOLD)))

    assert len(found) == 1
    alert = found.iloc[0]
    assert alert["employer_id"] == 1
    assert "project_id" not in found and "amount_fen" not in found
    assert alert["subject_count"] == THRESHOLD
    evidence = alert["evidence"]
    assert evidence["active_migrant_workers"] == THRESHOLD
    assert evidence["threshold"] == THRESHOLD
    assert len(evidence["workers"]) == min(THRESHOLD, 50)
    assert all("*" in masked for masked in evidence["workers"])


def test_committee_missing_is_clean_one_migrant_below_the_threshold() -> None:
    assert mediation_committee_missing(snap(staff(THRESHOLD - 1))).empty


def test_committee_missing_does_not_count_workers_registered_in_the_same_city() -> None:
    group = snap(staff(THRESHOLD - 1), staff(1, first_id=THRESHOLD, hukou=LOCAL_HUKOU))

    assert mediation_committee_missing(group).empty


def test_committee_missing_compares_with_the_employers_own_city() -> None:
    # Employer 2 is in Yongjia: a Lucheng (330302) worker is local there too.
    local = staff(THRESHOLD, employer_id=2, hukou="330302")

    assert mediation_committee_missing(snap(local)).empty


@pytest.mark.parametrize("hukou", [None, "", "5101", "51012x", " 510122", "5101221"])
def test_committee_missing_does_not_count_workers_of_unknown_registration(hukou) -> None:
    unknown = staff(1, first_id=THRESHOLD, hukou=hukou)

    assert mediation_committee_missing(snap(staff(THRESHOLD - 1), unknown)).empty


def test_committee_missing_does_not_count_workers_who_left_or_have_not_started() -> None:
    left = staff(1, first_id=THRESHOLD, left_date="2026-06-29")
    not_started = staff(1, first_id=THRESHOLD + 1, start_date="2026-07-01")

    assert mediation_committee_missing(snap(staff(THRESHOLD - 1), left, not_started)).empty


def test_committee_missing_counts_a_worker_on_the_last_day_of_work() -> None:
    leaving = staff(1, first_id=THRESHOLD, left_date="2026-06-30")

    found = mediation_committee_missing(snap(staff(THRESHOLD - 1), leaving))

    assert found.iloc[0]["subject_count"] == THRESHOLD


def test_committee_missing_is_clean_with_an_enterprise_committee() -> None:
    assert mediation_committee_missing(
        snap(staff(THRESHOLD), committees=[committee(1, employer_id=1)])
    ).empty


def test_committee_missing_ignores_other_committees() -> None:
    others = [
        committee(1, employer_id=2),
        committee(2, employer_id=None, kind="township"),
        committee(3, employer_id=1, kind="regional"),
    ]

    found = mediation_committee_missing(snap(staff(THRESHOLD), committees=others))

    assert found.iloc[0]["employer_id"] == 1


def test_committee_missing_raises_one_alert_per_employer() -> None:
    found = mediation_committee_missing(
        snap(staff(THRESHOLD + 1), staff(THRESHOLD, first_id=1000, employer_id=2))
    ).set_index("employer_id")

    assert found["subject_count"].to_dict() == {1: THRESHOLD + 1, 2: THRESHOLD}


def test_committee_missing_is_empty_on_empty_frames() -> None:
    assert mediation_committee_missing(make_snapshot(AS_OF)).empty


def test_committee_missing_passes_through_the_engine() -> None:
    findings = evaluate(snap(staff(THRESHOLD)), {RULE_ID: RULES[RULE_ID]})

    [alert] = findings.to_dict("records")
    assert alert["rule"] == RULE_ID
    assert alert["severity"] == "low"
    assert (alert["project_code"], alert["period"]) == ("", "")
    assert alert["subject_count"] == THRESHOLD
    assert pd.isna(alert["amount_fen"])
    assert "第十三条" in alert["legal_basis_zh"]
