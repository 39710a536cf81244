"""Deposit rules: deposit.missing, deposit.shortfall, deposit.not_replenished, and the positions
(required deposit, balance) they build on."""

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitors.base import Snapshot
from monitors.engine import evaluate
from monitors.identifiers import mask_id_numbers
from monitors.reference import Reference
from monitors.registry import RULES
from monitors.rules.deposits import (
    _first_on_or_after,
    _last_on_or_before,
    deposit_missing,
    deposit_not_replenished,
    deposit_positions,
    deposit_shortfall,
)
from tests.monitors.snapshots import (
    Row,
    contract,
    deposit_event,
    employer,
    make_id_number,
    make_snapshot,
    payroll,
    project,
    worker,
)

AS_OF = date(2026, 11, 30)
OUHAI = "330304"
VALUE = 2_000_000_000  # CNY 20,000,000 contract
REQUIRED = 40_000_000  # 2 % (deposit_rate_zhejiang_bp) of VALUE
WAIVER_THRESHOLD = 300_000_000  # deposit_waiver_contract_below_fen
SIGNED = "2026-01-05"  # project()'s contract_signed_date
# A permit issued just before the 2026 National Day holiday (10-01 to 10-07, make-up Saturday
# 10-10): the 20th working day after it is 2026-11-02, the 21st 2026-11-03 (Monday–Friday
# counting would give 2026-10-27).
LATE_SEPTEMBER = "2026-09-29"
TWENTIETH_WORKING_DAY = date(2026, 11, 2)
# 10 working days after LATE_SEPTEMBER (replenishment and leased-premises deadlines)
TENTH_WORKING_DAY = date(2026, 10, 19)


def snap(
    as_of: date = AS_OF,
    *,
    employers: Sequence[Row] | None = None,
    projects: Sequence[Row] = (),
    contracts: Sequence[Row] = (),
    **frames: list[Row],
) -> Snapshot:
    """Contractor 1 unless `employers` is given, plus every worker the contracts name."""
    ids = sorted({row["worker_id"] for row in contracts})
    return make_snapshot(
        as_of,
        employers=list(employers or [employer(1)]),
        workers=[worker(worker_id) for worker_id in ids],
        projects=list(projects),
        contracts=list(contracts),
        **frames,
    )


def on_project(contract_id: int, worker_id: int, employer_id: int = 1, **overrides: Any) -> Row:
    return contract(contract_id, employer_id, worker_id, project_id=1, **overrides)


def construction(as_of: date = AS_OF, *, events: Sequence[Row] = (), **overrides: Any) -> Snapshot:
    """Contractor 1, project 1 (overridable), one worker on the project, the given ledger."""
    return snap(
        as_of,
        projects=[project(1, **{"contract_value_fen": VALUE, **overrides})],
        contracts=[on_project(1, 1)],
        deposit_events=list(events),
    )


def leased(as_of: date = AS_OF, *, workers: int = 1, **frames: list[Row]) -> Snapshot:
    """Leased-premises employer 2 in Ouhai with `workers` active workers."""
    return snap(
        as_of,
        employers=[employer(2, leased_premises=True, county_code=OUHAI)],
        contracts=[contract(n, 2, n) for n in range(1, workers + 1)],
        **frames,
    )


def masked(*worker_ids: int) -> list[str]:
    return sorted(mask_id_numbers(pd.Series([make_id_number(n) for n in worker_ids])))


def keys(findings: pd.DataFrame) -> list[tuple[int, int | None]]:
    projects = findings["project_id"].astype(object).where(findings["project_id"].notna(), None)
    return list(zip(findings["employer_id"].tolist(), projects.tolist(), strict=True))


def position(snapshot: Snapshot, project_id: int | None = 1) -> dict[str, Any]:
    positions = deposit_positions(snapshot)
    rows = positions[
        positions["project_id"].isna()
        if project_id is None
        else (positions["project_id"] == project_id).fillna(False)
    ]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


class Figures:
    """The real reference with some figures replaced, to reach a clause the data cannot."""

    def __init__(self, reference: Reference, **figures: int) -> None:
        self._reference, self._figures = reference, figures

    def value(self, name: str, on: date | None = None) -> int | float:
        return self._figures[name] if name in self._figures else self._reference.value(name, on)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reference, name)


def with_figures(snapshot: Snapshot, **figures: int) -> Snapshot:
    return dataclasses.replace(snapshot, reference=Figures(snapshot.reference, **figures))


def drawdown(day: str, amount: int = 1_000_000, project_id: int | None = 1, **kw: Any) -> Row:
    return deposit_event(1, project_id, event="drawdown", event_date=day, amount_fen=amount, **kw)


def replenish(day: str, amount: int = 1_000_000, project_id: int | None = 1, **kw: Any) -> Row:
    return deposit_event(1, project_id, event="replenish", event_date=day, amount_fen=amount, **kw)


def full_deposit(amount: int = REQUIRED, **overrides: Any) -> Row:
    return deposit_event(1, 1, amount_fen=amount, **overrides)


# --- deposit.missing: projects --------------------------------------------------------------


def test_deposit_missing_fires_for_project_without_deposit_after_its_deadline() -> None:
    snapshot = snap(
        projects=[project(1, contract_value_fen=VALUE)],
        employers=[employer(1), employer(2)],
        contracts=[
            on_project(1, 1),
            on_project(2, 2, employer_id=2),  # a subcontractor's worker counts too
            on_project(3, 3, left_date="2026-06-30"),  # left before the as-of day
        ],
    )
    findings = deposit_missing(snapshot)
    assert keys(findings) == [(1, 1)]
    found = findings.iloc[0]
    assert found["subject_count"] == 2
    assert found["amount_fen"] == REQUIRED
    evidence = found["evidence"]
    assert evidence["required_fen"] == REQUIRED
    assert evidence["balance_fen"] == 0
    assert evidence["deadline_from"] == "permit_date"
    assert evidence["deadline_from_date"] == "2026-02-02"
    assert evidence["due_date"] == "2026-03-06"
    assert evidence["rate_bp"] == 200
    assert evidence["workers"] == masked(1, 2)
    assert evidence["penalty_min_fen"] == 5_000_000  # Decree 724 Art. 55


def test_deposit_missing_is_clean_when_the_deposit_is_there() -> None:
    snapshot = construction(events=[full_deposit()])
    assert deposit_missing(snapshot).empty
    assert deposit_shortfall(snapshot).empty


def test_deposit_missing_is_clean_on_the_twentieth_working_day_after_the_permit() -> None:
    # Monday–Friday counting would make it late from 2026-10-28; the holiday moves it
    for day in (date(2026, 10, 30), TWENTIETH_WORKING_DAY):
        assert deposit_missing(construction(day, permit_date=LATE_SEPTEMBER)).empty


def test_deposit_missing_fires_on_the_twenty_first_working_day_after_the_permit() -> None:
    findings = deposit_missing(construction(date(2026, 11, 3), permit_date=LATE_SEPTEMBER))
    assert keys(findings) == [(1, 1)]
    assert findings.iloc[0]["evidence"]["due_date"] == TWENTIETH_WORKING_DAY.isoformat()


def test_deposit_missing_counts_from_signing_when_there_is_no_permit() -> None:
    kw = {"permit_date": None, "contract_signed_date": LATE_SEPTEMBER}
    assert deposit_missing(construction(TWENTIETH_WORKING_DAY, **kw)).empty
    findings = deposit_missing(construction(date(2026, 11, 3), **kw))
    evidence = findings.iloc[0]["evidence"]
    assert evidence["deadline_from"] == "contract_signed_date"
    assert evidence["deadline_from_date"] == LATE_SEPTEMBER


def test_deposit_made_on_the_due_day_counts() -> None:
    event = full_deposit(event_date=TWENTIETH_WORKING_DAY.isoformat())
    snapshot = construction(date(2026, 11, 3), permit_date=LATE_SEPTEMBER, events=[event])
    assert deposit_missing(snapshot).empty


def test_deposit_missing_ignores_a_project_completed_on_or_before_the_as_of_day() -> None:
    assert deposit_missing(construction(completion_date="2026-10-31")).empty
    assert deposit_missing(construction(completion_date=AS_OF.isoformat())).empty


def test_deposit_missing_fires_for_a_project_completed_after_the_as_of_day() -> None:
    later = (AS_OF + timedelta(days=1)).isoformat()
    assert keys(deposit_missing(construction(completion_date=later))) == [(1, 1)]


def test_deposit_missing_fires_when_the_balance_was_drawn_to_below_zero() -> None:
    findings = deposit_missing(construction(events=[drawdown("2026-05-04", 500)]))
    assert findings.iloc[0]["evidence"]["balance_fen"] == -500


def test_guarantee_counts_on_its_expiry_day() -> None:
    letter = full_deposit(event="guarantee", expiry_date=AS_OF.isoformat())
    assert deposit_missing(construction(events=[letter])).empty


def test_guarantee_does_not_count_the_day_after_its_expiry() -> None:
    letter = full_deposit(event="guarantee", expiry_date=(AS_OF - timedelta(days=1)).isoformat())
    findings = deposit_missing(construction(events=[letter]))
    assert keys(findings) == [(1, 1)]
    assert findings.iloc[0]["amount_fen"] == REQUIRED


# --- exemptions (65号 Arts. 11, 12) ------------------------------------------------------------


def test_small_contract_just_below_the_threshold_is_waived() -> None:
    snapshot = construction(contract_value_fen=WAIVER_THRESHOLD - 1)
    assert deposit_missing(snapshot).empty
    assert position(snapshot)["exempt"]
    assert position(snapshot)["exemption_reason"] == "small_contract_waiver"


def test_contract_at_the_threshold_is_not_waived() -> None:
    findings = deposit_missing(construction(contract_value_fen=WAIVER_THRESHOLD))
    assert keys(findings) == [(1, 1)]
    assert findings.iloc[0]["amount_fen"] == 6_000_000


def arrears_due_on(paid_date: str, period: str, **overrides: Any) -> Snapshot:
    """A small project whose contractor paid `period` (due the 10th next month) late."""
    return snap(
        projects=[project(1, contract_value_fen=WAIVER_THRESHOLD - 1)],
        contracts=[on_project(1, 1)],
        payroll=[payroll(1, 1, period, paid_date=paid_date, **overrides)],
    )


def test_small_contract_is_not_waived_after_arrears_in_the_year_before_signing() -> None:
    # 2025-01 wages were due 2025-02-10, inside [2025-01-05, 2026-01-05); paid late
    findings = deposit_missing(arrears_due_on("2025-02-11", "2025-01"))
    assert keys(findings) == [(1, 1)]
    # arrears in the 2 years before signing also raise the rate by 50 % (Art. 12(2))
    assert findings.iloc[0]["evidence"]["rate_increase"] == "arrears"
    assert findings.iloc[0]["amount_fen"] == 9_000_000  # 299,999,999 × 3 %, to the fen


def test_small_contract_is_not_waived_after_wages_paid_short() -> None:
    snapshot = arrears_due_on("2025-02-05", "2025-01", amount_paid_fen=599_999)
    assert keys(deposit_missing(snapshot)) == [(1, 1)]


def test_small_contract_is_waived_when_the_arrears_fell_due_over_a_year_before_signing() -> None:
    # 2024-11 wages were due 2024-12-10, before 2025-01-05
    assert deposit_missing(arrears_due_on("2024-12-11", "2024-11")).empty


def clean_record(
    since: str = "2023-01-05",
    *,
    ledger: Sequence[Row] = (),
    other_county: bool = False,
    **contractor: Any,
) -> Snapshot:
    """Project 1 signed 2026-01-05; the contractor pays on time and has held a deposit on its
    project 9 since `since` (or has the given ledger)."""
    earlier = project(9, contract_signed_date="2022-01-04")
    if other_county:
        earlier["county_code"] = "330302"
    return snap(
        employers=[employer(1, **contractor)],
        projects=[project(1, contract_value_fen=VALUE), earlier],
        contracts=[on_project(1, 1)],
        deposit_events=list(ledger) or [deposit_event(1, 9, event_date=since, amount_fen=10**6)],
    )


EXEMPT_CONTRACTOR = {"real_name_management": True, "dedicated_wage_account": True}


def test_three_clean_years_with_real_name_and_wage_account_exempt_the_project() -> None:
    snapshot = clean_record("2023-01-05", **EXEMPT_CONTRACTOR)  # exactly 3 years before signing
    assert deposit_missing(snapshot).empty
    assert position(snapshot)["exemption_reason"] == "clean_record_exemption"


def test_a_deposit_in_place_one_day_short_of_three_years_does_not_exempt() -> None:
    snapshot = clean_record("2023-01-06", **EXEMPT_CONTRACTOR)
    findings = deposit_missing(snapshot)
    assert keys(findings) == [(1, 1)]
    # two clean years after depositing still halve the rate (Art. 12(1))
    evidence = findings.iloc[0]["evidence"]
    assert evidence["rate_reduced"]
    assert findings.iloc[0]["amount_fen"] == REQUIRED // 2


def test_clean_years_without_real_name_management_do_not_exempt() -> None:
    snapshot = clean_record("2023-01-05", dedicated_wage_account=True)
    assert not position(snapshot)["exempt"]
    assert position(snapshot)["required_fen"] == REQUIRED // 2


def test_a_gap_in_the_deposit_breaks_the_clean_years() -> None:
    ledger = [
        deposit_event(1, 9, event_date="2023-01-05", amount_fen=10**6),
        deposit_event(1, 9, event="return", event_date="2024-03-01", amount_fen=10**6),
        deposit_event(1, 9, event_date="2024-03-05", amount_fen=10**6, reference="again"),
    ]
    snapshot = clean_record(ledger=ledger, **EXEMPT_CONTRACTOR)
    assert not position(snapshot)["exempt"]
    assert position(snapshot)["required_fen"] == REQUIRED  # not two years in place either


# --- required amount --------------------------------------------------------------------------


def test_required_deposit_rounds_half_up_to_the_fen() -> None:
    # 300,000,025 × 2 % = 6,000,000.5
    assert position(construction(contract_value_fen=300_000_025))["required_fen"] == 6_000_001


def test_required_deposit_is_capped() -> None:
    snapshot = construction(contract_value_fen=30_000_000_000)  # 2 % = CNY 6,000,000
    assert position(snapshot)["required_fen"] == 500_000_000  # deposit_cap_zhejiang_fen


def test_an_increase_ignores_the_cap_and_takes_the_larger_of_the_two() -> None:
    snapshot = snap(
        employers=[employer(1, dishonesty_listed=True)],
        projects=[project(1, contract_value_fen=30_000_000_000)],
        payroll=[payroll(1, 1, "2025-01", paid_date="2025-03-01")],  # arrears too
    )
    assert position(snapshot)["required_fen"] == 1_200_000_000  # 2 % + 100 %, not + 150 %
    evidence = deposit_missing(snapshot).iloc[0]["evidence"]
    assert (evidence["rate_increase"], evidence["rate_bp"], evidence["capped"]) == (
        "dishonesty_list",
        400,
        False,
    )


def test_a_reduction_stops_at_the_floor_only_for_several_projects_in_the_county() -> None:
    # an 80 % reduction takes 2 % to 0.4 %, below the 0.5 % floor of Art. 11
    alone = with_figures(clean_record(other_county=True), deposit_reduction_min_bp=8000)
    assert position(alone)["required_fen"] == VALUE * 40 // 10_000
    several = with_figures(clean_record(), deposit_reduction_min_bp=8000)
    assert position(several)["required_fen"] == VALUE * 50 // 10_000


# --- deposit.shortfall ------------------------------------------------------------------------


def test_deposit_shortfall_fires_when_the_balance_is_below_the_required_amount() -> None:
    findings = deposit_shortfall(construction(events=[full_deposit(30_000_000)]))
    assert keys(findings) == [(1, 1)]
    found = findings.iloc[0]
    assert found["amount_fen"] == 10_000_000
    assert found["subject_count"] == 1
    assert found["evidence"]["shortfall_fen"] == 10_000_000
    assert found["evidence"]["balance_fen"] == 30_000_000
    assert deposit_missing(construction(events=[full_deposit(30_000_000)])).empty


def test_deposit_shortfall_fires_for_one_fen_short_and_not_at_the_required_amount() -> None:
    one_fen_short = deposit_shortfall(construction(events=[full_deposit(REQUIRED - 1)]))
    assert one_fen_short["amount_fen"].tolist() == [1]
    assert deposit_shortfall(construction(events=[full_deposit(REQUIRED)])).empty


def test_balance_counts_every_kind_of_event_up_to_the_as_of_day() -> None:
    events = [
        full_deposit(20_000_000, reference="D"),
        full_deposit(15_000_000, event="guarantee", reference="G"),
        full_deposit(6_000_000, event="drawdown", event_date="2026-04-01", reference="W"),
        full_deposit(6_000_000, event="replenish", event_date="2026-04-03", reference="R"),
        full_deposit(1_000_000, event="return", event_date="2026-05-01", reference="X"),
        full_deposit(9_000_000, event_date="2026-12-01", reference="future"),
    ]
    assert position(construction(events=events))["balance_fen"] == 34_000_000
    assert deposit_shortfall(construction(events=events))["amount_fen"].tolist() == [6_000_000]


def test_deposit_rules_ignore_an_exempt_or_not_yet_due_project_holding_too_little() -> None:
    waived = construction(contract_value_fen=WAIVER_THRESHOLD - 1, events=[full_deposit(1)])
    early = construction(date(2026, 11, 2), permit_date=LATE_SEPTEMBER, events=[full_deposit(1)])
    for snapshot in (waived, early):
        assert deposit_shortfall(snapshot).empty


# --- leased premises --------------------------------------------------------------------------


def test_deposit_missing_fires_for_leased_premises_employer_with_active_workers() -> None:
    findings = deposit_missing(leased(workers=3))
    assert keys(findings) == [(2, None)]
    found = findings.iloc[0]
    assert found["subject_count"] == 3
    assert found["amount_fen"] == 5_000_000  # 3 × CNY 5,000 is below the CNY 50,000 minimum
    evidence = found["evidence"]
    assert evidence["obligation"] == "leased_premises"
    assert evidence["workers"] == masked(1, 2, 3)
    assert (evidence["min_fen"], evidence["max_fen"]) == (5_000_000, 150_000_000)


def test_leased_premises_deposit_between_the_bounds_is_per_worker() -> None:
    assert position(leased(workers=20), None)["required_fen"] == 10_000_000


def test_leased_premises_deposit_is_clamped_at_the_maximum() -> None:
    assert position(leased(workers=301), None)["required_fen"] == 150_000_000


def test_leased_premises_without_active_workers_need_no_deposit() -> None:
    snapshot = snap(
        employers=[employer(2, leased_premises=True, county_code=OUHAI)],
        contracts=[contract(1, 2, 1, left_date="2026-11-29")],
    )
    assert deposit_missing(snapshot).empty


def test_leased_premises_deposit_is_due_ten_working_days_after_the_first_worker_started() -> None:
    def started_late_september(as_of: date) -> Snapshot:
        return snap(
            as_of,
            employers=[employer(2, leased_premises=True, county_code=OUHAI)],
            contracts=[contract(1, 2, 1, start_date=LATE_SEPTEMBER)],
        )

    assert deposit_missing(started_late_september(TENTH_WORKING_DAY)).empty
    findings = deposit_missing(started_late_september(TENTH_WORKING_DAY + timedelta(days=1)))
    assert findings.iloc[0]["evidence"]["due_date"] == TENTH_WORKING_DAY.isoformat()


def test_a_project_deposit_does_not_count_for_the_employer_level_balance() -> None:
    project_level = deposit_event(2, 1, amount_fen=5_000_000)
    employer_level = deposit_event(2, None, amount_fen=4_000_000, reference="E")
    findings = deposit_shortfall(leased(workers=3, deposit_events=[project_level, employer_level]))
    assert keys(findings) == [(2, None)]
    assert findings.iloc[0]["amount_fen"] == 1_000_000


# --- deposit.not_replenished ------------------------------------------------------------------


def replenishing(as_of: date = AS_OF, *events: Row) -> Snapshot:
    return construction(as_of, events=[full_deposit(), drawdown(LATE_SEPTEMBER), *events])


def test_deposit_not_replenished_fires_when_nothing_came_back() -> None:
    findings = deposit_not_replenished(replenishing())
    assert keys(findings) == [(1, 1)]
    found = findings.iloc[0]
    assert (found["subject_count"], found["amount_fen"]) == (1, 1_000_000)
    assert found["evidence"]["drawdowns"] == [
        {
            "drawdown_date": LATE_SEPTEMBER,
            "amount_fen": 1_000_000,
            "deadline": TENTH_WORKING_DAY.isoformat(),
            "replenished_fen": 0,
            "replenished_after_deadline_fen": 0,
        }
    ]


def test_deposit_not_replenished_is_clean_on_the_deadline_day() -> None:
    assert deposit_not_replenished(replenishing(TENTH_WORKING_DAY)).empty
    assert not deposit_not_replenished(replenishing(TENTH_WORKING_DAY + timedelta(1))).empty


def test_replenishment_on_the_deadline_day_is_in_time() -> None:
    assert deposit_not_replenished(replenishing(AS_OF, replenish("2026-10-19"))).empty


def test_replenishment_the_day_after_the_deadline_is_late_until_it_arrives() -> None:
    late = replenish("2026-10-21")
    # Between the deadline and the late payment the drawdown is outstanding ...
    findings = deposit_not_replenished(replenishing(date(2026, 10, 20), late))
    assert findings["amount_fen"].tolist() == [1_000_000]
    record = findings.iloc[0]["evidence"]["drawdowns"][0]
    assert (record["replenished_fen"], record["replenished_after_deadline_fen"]) == (0, 0)
    # ... and once the money is back in full, the condition is gone (the alert resolves).
    assert deposit_not_replenished(replenishing(AS_OF, late)).empty


def test_a_late_partial_replenishment_is_shown_in_the_evidence() -> None:
    findings = deposit_not_replenished(replenishing(AS_OF, replenish("2026-10-20", 400_000)))
    assert findings["amount_fen"].tolist() == [600_000]
    record = findings.iloc[0]["evidence"]["drawdowns"][0]
    assert (record["replenished_fen"], record["replenished_after_deadline_fen"]) == (0, 400_000)


def test_partial_replenishment_leaves_the_rest_unreplenished() -> None:
    findings = deposit_not_replenished(replenishing(AS_OF, replenish("2026-10-08", 400_000)))
    assert findings["amount_fen"].tolist() == [600_000]


def test_a_new_guarantee_or_deposit_also_replenishes() -> None:
    letter = deposit_event(1, 1, event="guarantee", event_date="2026-10-12", reference="G2")
    cash = deposit_event(1, 1, event_date=LATE_SEPTEMBER, reference="D2")  # same day counts
    for event in (letter, cash):
        assert deposit_not_replenished(replenishing(AS_OF, {**event, "amount_fen": 10**6})).empty


def test_a_replenishment_before_the_drawdown_does_not_count() -> None:
    assert not deposit_not_replenished(replenishing(AS_OF, replenish("2026-09-28"))).empty


def test_deposit_not_replenished_gives_one_alert_per_project_listing_each_drawdown() -> None:
    snapshot = replenishing(
        AS_OF,
        drawdown("2026-06-01", 300_000, reference="W2"),
        replenish("2026-06-02", 100_000),
        drawdown("2026-06-01", 50_000, project_id=None, reference="W3"),
    )
    findings = deposit_not_replenished(snapshot)
    assert keys(findings) == [(1, 1), (1, None)]
    project_alert = findings.iloc[0]
    assert (project_alert["subject_count"], project_alert["amount_fen"]) == (2, 1_200_000)
    dates = [record["drawdown_date"] for record in project_alert["evidence"]["drawdowns"]]
    assert dates == ["2026-06-01", LATE_SEPTEMBER]
    assert findings.iloc[1]["amount_fen"] == 50_000


# --- empty data and the engine ----------------------------------------------------------------


def test_deposit_rules_return_no_findings_on_empty_data() -> None:
    empty = make_snapshot(AS_OF)
    for evaluate_rule in (deposit_missing, deposit_shortfall, deposit_not_replenished):
        findings = evaluate_rule(empty)
        assert findings.empty
        assert {"employer_id", "project_id", "subject_count", "amount_fen"} <= set(findings)
    assert deposit_positions(empty).empty


def test_deposit_positions_list_each_project_and_leased_employer_once() -> None:
    snapshot = snap(
        employers=[employer(1), employer(2, leased_premises=True)],
        projects=[project(1), project(2, contract_value_fen=WAIVER_THRESHOLD - 1)],
        contracts=[contract(1, 2, 1)],
    )
    positions = deposit_positions(snapshot)
    assert keys(positions) == [(1, 1), (1, 2), (2, None)]
    assert positions["exempt"].tolist() == [False, True, False]
    assert positions["in_force"].all()


def through_engine(snapshot: Snapshot, rule_id: str) -> pd.DataFrame:
    return evaluate(snapshot, {rule_id: RULES[rule_id]})


def test_engine_accepts_deposit_missing() -> None:
    snapshot = snap(
        employers=[employer(1), employer(2, leased_premises=True, county_code=OUHAI)],
        projects=[project(1)],
        contracts=[on_project(1, 1), contract(2, 2, 2)],
    )
    found = through_engine(snapshot, "deposit.missing")
    assert found["project_code"].tolist() == ["P0001", ""]
    assert set(found["severity"]) == {"high"}
    assert found["legal_basis_zh"].str.contains("第五十五条").all()


def test_engine_accepts_deposit_shortfall() -> None:
    found = through_engine(construction(events=[full_deposit(1)]), "deposit.shortfall")
    assert found[["project_code", "severity"]].values.tolist() == [["P0001", "medium"]]


def test_engine_accepts_deposit_not_replenished() -> None:
    found = through_engine(replenishing(), "deposit.not_replenished")
    assert found[["project_code", "severity"]].values.tolist() == [["P0001", "high"]]
    assert found["amount_fen"].tolist() == [1_000_000]


# --- v2: a drawdown inside its replenishment window is not a shortfall ---------------------------


def drawn_in_late_september(
    as_of: date, deposit: int = REQUIRED, amount: int = 1_000_000
) -> Snapshot:
    return construction(as_of, events=[full_deposit(deposit), drawdown(LATE_SEPTEMBER, amount)])


@pytest.mark.parametrize(
    ("as_of", "not_replenished"),
    [
        (TENTH_WORKING_DAY - timedelta(days=1), False),
        (TENTH_WORKING_DAY, False),
        (TENTH_WORKING_DAY + timedelta(days=1), True),
    ],
)
def test_a_drawdown_gap_is_never_a_shortfall_and_unreplenished_after_its_window(
    as_of: date, not_replenished: bool
) -> None:
    snapshot = drawn_in_late_september(as_of)

    assert deposit_shortfall(snapshot).empty
    assert deposit_missing(snapshot).empty
    assert len(deposit_not_replenished(snapshot)) == int(not_replenished)


@pytest.mark.parametrize("as_of", [TENTH_WORKING_DAY, TENTH_WORKING_DAY + timedelta(days=1)])
def test_a_drawdown_of_the_whole_deposit_is_not_a_missing_deposit(as_of: date) -> None:
    snapshot = drawn_in_late_september(as_of, amount=REQUIRED)

    assert deposit_missing(snapshot).empty
    assert deposit_shortfall(snapshot).empty


@pytest.mark.parametrize(("short_by", "fires"), [(1, True), (0, False)])
def test_a_shortfall_beside_a_drawdown_counts_only_the_part_not_drawn(
    short_by: int, fires: bool
) -> None:
    snapshot = drawn_in_late_september(TENTH_WORKING_DAY, deposit=REQUIRED - short_by)

    findings = deposit_shortfall(snapshot)

    assert len(findings) == int(fires)
    if fires:
        assert findings.iloc[0]["amount_fen"] == short_by
        evidence = findings.iloc[0]["evidence"]
        assert evidence["drawn_down_outstanding_fen"] == 1_000_000
        assert evidence["shortfall_fen"] == short_by


def test_a_drawdown_replenished_in_part_leaves_only_the_rest_to_the_window() -> None:
    events = [
        full_deposit(),
        drawdown(LATE_SEPTEMBER),
        replenish("2026-10-12", 400_000, reference="R2"),
    ]
    late = TENTH_WORKING_DAY + timedelta(days=1)

    assert deposit_shortfall(construction(late, events=events)).empty
    [found] = deposit_not_replenished(construction(late, events=events)).to_dict("records")
    assert found["amount_fen"] == 600_000


# --- the searches the contractor's record is built on ------------------------------------------

# Few days, so that windows often open on a day listed; across 1970, where day numbers turn
# negative.
DAYS = st.dates(min_value=date(1969, 12, 1), max_value=date(1970, 2, 15))
EMPLOYER_DAYS = st.lists(st.tuples(st.integers(1, 4), DAYS), max_size=30)


def _windows(asks: list[tuple[int, date]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employer_id": [employer_id for employer_id, _ in asks],
            "start": pd.to_datetime([start for _, start in asks]).astype("datetime64[s]"),
        },
        index=pd.Index(range(100, 100 + len(asks)), name="project_id"),
    )


def _days(rows: list[tuple[int, date]], **columns: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employer_id": pd.array([employer_id for employer_id, _ in rows], dtype="int64"),
            "day": pd.to_datetime([day for _, day in rows]).astype("datetime64[s]"),
            **columns,
        }
    )


@settings(max_examples=200, deadline=None)
@given(rows=EMPLOYER_DAYS, asks=st.lists(st.tuples(st.integers(1, 5), DAYS), min_size=1))
def test_each_window_finds_its_employers_first_day_from_its_start(rows, asks):
    window, days = _windows(asks), _days(rows)
    for strictly_after in (False, True):
        found = _first_on_or_after(window, days, strictly_after=strictly_after)
        for project_id, (employer_id, start) in zip(window.index, asks, strict=True):
            later = [
                day
                for e, day in rows
                if e == employer_id and (day > start or (day == start and not strictly_after))
            ]
            expected = pd.Timestamp(min(later)) if later else pd.NaT
            got = found[project_id]
            assert (pd.isna(got) and pd.isna(expected)) or got == expected


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(1, 4), DAYS), max_size=30, unique_by=lambda row: row),
    asks=st.lists(st.tuples(st.integers(1, 5), DAYS), min_size=1),
)
def test_each_window_finds_its_employers_balance_on_its_start(rows, asks):
    window = _windows(asks)
    history = _days(rows, balance=list(range(1, len(rows) + 1)))
    found = _last_on_or_before(window, history, "balance", missing=0)
    for place, (employer_id, start) in enumerate(asks):
        earlier = [
            (day, n + 1) for n, (e, day) in enumerate(rows) if e == employer_id and day <= start
        ]
        assert found[place] == (max(earlier)[1] if earlier else 0)


@pytest.mark.parametrize("seed", range(3))
def test_track_record_pay_days_looked_up_by_pair_match_every_contract_matched(seed):
    """One contract with the employer: its pay day by pair; several or none: matched row by
    row. Both ways give each row the pay day that matching every contract gives."""
    from monitors.rules.deposits import _pay_days, _pay_days_matched

    rng = np.random.default_rng(seed)
    contracts = pd.DataFrame(
        {
            "employer_id": rng.integers(1, 6, 60),
            "worker_id": rng.integers(1, 30, 60),
            "start_date": pd.to_datetime("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 900, 60), unit="D"),
            "pay_day": rng.integers(1, 29, 60),
        }
    )
    payroll = pd.DataFrame(
        {
            "employer_id": rng.integers(1, 7, 400).astype(np.int32),  # employer 6: no contracts
            "worker_id": rng.integers(1, 30, 400).astype(np.int32),
            "period": rng.choice(["2024-03", "2025-01", "2026-06"], 400),
        },
        index=rng.permutation(np.arange(1000, 1400)),
    )
    by_pair = _pay_days(payroll, contracts)
    assert by_pair.index.equals(payroll.index)
    assert by_pair.tolist() == _pay_days_matched(payroll, contracts).tolist()
    pairs = contracts.groupby(["employer_id", "worker_id"]).size()
    assert (pairs == 1).any() and (pairs > 1).any()  # both ways taken
