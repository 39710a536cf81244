"""institution.missing: more than 100 active migrants (101 or more), office and liaison."""

from datetime import date
from typing import Any

import pytest

from monitors.base import Snapshot
from monitors.engine import evaluate
from monitors.reference import load_reference
from monitors.registry import RULES
from monitors.rules.institutions import institution_missing
from tests.monitors.snapshots import contract, employer, make_snapshot, worker

AS_OF = date(2026, 6, 30)
THRESHOLD = int(load_reference().value("migrant_service_office_threshold_workers", on=AS_OF))
MIGRANT_HUKOU = "510122"  # Sichuan: outside Wenzhou
LOCAL_HUKOU = "330324"  # Yongjia: inside Wenzhou


def snap(migrants: int, *, locals_: int = 0, as_of: date = AS_OF, **office: Any) -> Snapshot:
    """Employer 1 (Lucheng) with `migrants` migrant and `locals_` local active workers."""
    hukous = [MIGRANT_HUKOU] * migrants + [LOCAL_HUKOU] * locals_
    ids = range(1, len(hukous) + 1)
    return make_snapshot(
        as_of,
        employers=[employer(1, **office)],
        workers=[worker(i, hukou_county_code=h) for i, h in zip(ids, hukous, strict=True)],
        contracts=[contract(i, 1, i, start_date="2026-01-05") for i in ids],
    )


def test_the_threshold_is_one_hundred_workers() -> None:
    assert THRESHOLD == 100


@pytest.mark.parametrize(("migrants", "fires"), [(99, False), (100, False), (101, True)])
def test_institution_missing_fires_only_above_one_hundred_migrants(
    migrants: int, fires: bool
) -> None:
    found = institution_missing(snap(migrants))

    assert len(found) == int(fires)
    if fires:
        alert = found.iloc[0]
        assert (alert["employer_id"], alert["subject_count"]) == (1, 101)
        evidence = alert["evidence"]
        assert evidence["active_migrant_workers"] == 101
        assert evidence["threshold"] == THRESHOLD
        assert (evidence["service_office"], evidence["liaison_named"]) == (False, False)
        assert len(evidence["workers"]) == 50


def test_institution_missing_does_not_count_local_workers() -> None:
    assert institution_missing(snap(100, locals_=20)).empty


def test_institution_missing_is_clean_with_an_office_and_a_liaison() -> None:
    assert institution_missing(snap(101, service_office=True, liaison_name="王伟")).empty


@pytest.mark.parametrize(
    "office",
    [
        {"service_office": True},
        {"service_office": True, "liaison_name": "  "},
        {"liaison_name": "王伟"},
    ],
)
def test_institution_missing_needs_both_the_office_and_the_liaison(office: dict) -> None:
    found = institution_missing(snap(101, **office))

    assert len(found) == 1


def test_institution_missing_counts_workers_active_on_the_day() -> None:
    # All started 2026-01-05: the day before, nobody was active.
    assert institution_missing(snap(101, as_of=date(2026, 1, 4))).empty
    assert len(institution_missing(snap(101, as_of=date(2026, 1, 5)))) == 1


def test_institution_missing_is_empty_on_empty_frames() -> None:
    assert institution_missing(make_snapshot(AS_OF)).empty


def test_institution_missing_passes_through_the_engine_with_its_basis() -> None:
    rules = {"institution.missing": RULES["institution.missing"]}
    [alert] = evaluate(snap(101), rules).to_dict("records")

    assert alert["severity"] == "low"
    assert "108号" in alert["legal_basis_zh"]
    assert load_reference().basis("migrant_service_office_threshold_workers").status == (
        "unconfirmed"
    )
