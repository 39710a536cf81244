"""Wage rules: wages.unpaid, wages.unreported, wages.below_minimum."""

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from monitors.base import Snapshot
from monitors.engine import evaluate
from monitors.identifiers import mask_id_numbers
from monitors.reference import load_reference
from monitors.registry import RULES
from monitors.rules import wages
from monitors.rules.wages import wages_below_minimum, wages_unpaid, wages_unreported
from tests.monitors.snapshots import (
    Row,
    contract,
    employer,
    make_id_number,
    make_snapshot,
    payroll,
    worker,
)

TIER_1, TIER_3 = "330302", "330328"  # 鹿城区, 文成县


def snap(
    as_of: date,
    *,
    contracts: Sequence[Row] = (),
    payroll: Sequence[Row] = (),
    employers: list[Row] | None = None,
    **frames: list[Row],
) -> Snapshot:
    """A snapshot with employer 1 and every worker that the contracts and payroll name."""
    ids = sorted({row["worker_id"] for row in [*contracts, *payroll]})
    return make_snapshot(
        as_of,
        employers=employers or [employer(1)],
        workers=[worker(worker_id) for worker_id in ids],
        contracts=list(contracts),
        payroll=list(payroll),
        **frames,
    )


def through_engine(snapshot: Snapshot, rule_id: str) -> pd.DataFrame:
    return evaluate(snapshot, {rule_id: RULES[rule_id]})


def masked(*worker_ids: int) -> list[str]:
    ids = pd.Series([make_id_number(worker_id) for worker_id in worker_ids])
    return sorted(mask_id_numbers(ids))


def only(findings: pd.DataFrame) -> dict[str, Any]:
    assert len(findings) == 1, findings
    return findings.iloc[0].to_dict()


def periods(findings: pd.DataFrame) -> list[str]:
    return sorted(findings["period"])


# --- wages.unpaid ---------------------------------------------------------------------------------


def short_paid(worker_id: int, period: str = "2026-10", **overrides: Any) -> Row:
    return payroll(1, worker_id, period, **{"amount_paid_fen": 500_000, **overrides})


def test_wages_unpaid_fires_when_paid_less_than_due() -> None:
    snapshot = snap(
        date(2026, 11, 30),
        contracts=[contract(i, 1, i) for i in (1, 2, 3)],
        payroll=[
            short_paid(1),
            short_paid(2, amount_paid_fen=0, paid_date=None),
            payroll(1, 3, "2026-10"),  # paid in full
        ],
    )
    found = only(wages_unpaid(snapshot))
    assert (found["employer_id"], found["period"]) == (1, "2026-10")
    assert found["subject_count"] == 2
    assert found["amount_fen"] == 100_000 + 600_000
    assert found["evidence"] == {
        "workers": masked(1, 2),
        "due_date": "2026-11-10",
        "amount_due_fen": 1_200_000,
        "amount_paid_fen": 500_000,
        "workers_due_on_leaving": 0,
    }
    json.dumps(found["evidence"])


def test_wages_unpaid_is_clean_when_paid_in_full() -> None:
    snapshot = snap(
        date(2026, 11, 30), contracts=[contract(1, 1, 1)], payroll=[payroll(1, 1, "2026-10")]
    )
    assert wages_unpaid(snapshot).empty


def test_wages_unpaid_ignores_overpayment() -> None:
    row = payroll(1, 1, "2026-10", amount_paid_fen=700_000)
    assert wages_unpaid(snap(date(2026, 11, 30), contracts=[contract()], payroll=[row])).empty


@pytest.mark.parametrize(
    ("as_of", "fires"),
    [(date(2026, 11, 9), False), (date(2026, 11, 10), False), (date(2026, 11, 11), True)],
)
def test_wages_unpaid_fires_only_after_the_due_date(as_of: date, fires: bool) -> None:
    # pay_day 10: October's wages are due on Tuesday 10 November 2026.
    snapshot = snap(as_of, contracts=[contract()], payroll=[short_paid(1, paid_date="2026-11-05")])
    assert len(wages_unpaid(snapshot)) == int(fires)


@pytest.mark.parametrize(
    ("as_of", "fires"),
    [(date(2026, 3, 12), False), (date(2026, 3, 13), False), (date(2026, 3, 14), True)],
)
def test_wages_unpaid_pay_day_on_a_sunday_is_due_the_friday_before(
    as_of: date, fires: bool
) -> None:
    # 15 March 2026 is a Sunday; Saturday the 14th is an ordinary rest day → Friday the 13th.
    snapshot = snap(
        as_of,
        contracts=[contract(pay_day=15)],
        payroll=[short_paid(1, "2026-02", paid_date="2026-03-01")],
    )
    findings = wages_unpaid(snapshot)
    assert len(findings) == int(fires)
    if fires:
        assert findings.iloc[0]["evidence"]["due_date"] == "2026-03-13"


@pytest.mark.parametrize(
    ("as_of", "fires"),
    [(date(2026, 9, 30), False), (date(2026, 10, 1), True), (date(2026, 10, 5), True)],
)
def test_wages_unpaid_pay_day_in_the_national_day_holiday_is_due_before_it(
    as_of: date, fires: bool
) -> None:
    # 5 October 2026 is inside the National Day holiday (1–7 Oct, chinese_calendar); the last
    # working day before it is Wednesday 30 September (Mid-Autumn 25–27 Sep is off as well).
    snapshot = snap(
        as_of,
        contracts=[contract(pay_day=5)],
        payroll=[short_paid(1, "2026-09", paid_date="2026-09-30")],
    )
    findings = wages_unpaid(snapshot)
    assert len(findings) == int(fires)
    if fires:
        assert findings.iloc[0]["evidence"]["due_date"] == "2026-09-30"


@pytest.mark.parametrize(("as_of", "fires"), [(date(2026, 6, 30), False), (date(2026, 7, 1), True)])
def test_wages_unpaid_pay_day_31_in_a_30_day_month_is_its_last_day(
    as_of: date, fires: bool
) -> None:
    snapshot = snap(
        as_of,
        contracts=[contract(pay_day=31)],
        payroll=[short_paid(1, "2026-05", paid_date="2026-06-05")],
    )
    findings = wages_unpaid(snapshot)
    assert len(findings) == int(fires)
    if fires:
        assert findings.iloc[0]["evidence"]["due_date"] == "2026-06-30"


@pytest.mark.parametrize(
    ("as_of", "fires"), [(date(2025, 1, 27), False), (date(2025, 1, 28), True)]
)
def test_wages_unpaid_can_be_due_inside_the_period_before_a_holiday(
    as_of: date, fires: bool
) -> None:
    # Pay day 1 February 2025 falls in the Spring Festival (28 Jan – 4 Feb): January's wages are
    # due on Monday 27 January, before January has even ended.
    snapshot = snap(
        as_of,
        contracts=[contract(start_date="2024-06-03", pay_day=1)],
        payroll=[short_paid(1, "2025-01", paid_date="2025-01-20")],
    )
    findings = wages_unpaid(snapshot)
    assert len(findings) == int(fires)
    if fires:
        assert findings.iloc[0]["evidence"]["due_date"] == "2025-01-27"


def test_wages_unpaid_uses_the_pay_day_of_the_contract_in_force_in_the_period() -> None:
    contracts = [
        contract(1, 1, 1, start_date="2025-01-02", left_date="2026-05-20", pay_day=10),
        contract(2, 1, 1, start_date="2026-06-01", pay_day=25),  # rehired, paid on the 25th
    ]
    rows = [short_paid(1, "2026-05", paid_date="2026-06-05"), short_paid(1, "2026-06")]
    findings = wages_unpaid(snap(date(2026, 7, 20), contracts=contracts, payroll=rows))
    # May is due on leaving, 20 May (old contract, 工资支付暂行规定 Art. 9); June only on
    # 24 July (25 July 2026 is a Saturday).
    assert periods(findings) == ["2026-05"]
    assert findings.iloc[0]["evidence"]["due_date"] == "2026-05-20"


def test_wages_unpaid_without_a_contract_uses_the_employers_usual_pay_day() -> None:
    contracts = [contract(i, 1, i, pay_day=20) for i in (1, 2)] + [contract(3, 1, 3, pay_day=5)]
    rows = [short_paid(9, "2026-10", paid_date="2026-11-05")]  # worker 9 has no contract
    assert wages_unpaid(snap(date(2026, 11, 20), contracts=contracts, payroll=rows)).empty
    found = only(wages_unpaid(snap(date(2026, 11, 21), contracts=contracts, payroll=rows)))
    assert found["evidence"]["due_date"] == "2026-11-20"


def test_wages_unpaid_without_any_contract_is_due_on_the_last_day_of_the_next_month() -> None:
    rows = [short_paid(9, "2026-10", paid_date="2026-11-05")]
    assert wages_unpaid(snap(date(2026, 11, 30), payroll=rows)).empty
    found = only(wages_unpaid(snap(date(2026, 12, 1), payroll=rows)))
    assert found["evidence"]["due_date"] == "2026-11-30"


def test_wages_unpaid_counts_a_payment_dated_after_d_as_not_made() -> None:
    row = payroll(1, 1, "2026-10", paid_date="2026-12-03")  # paid in full, but after D
    found = only(wages_unpaid(snap(date(2026, 11, 30), contracts=[contract()], payroll=[row])))
    assert found["amount_fen"] == 600_000
    assert found["evidence"]["amount_paid_fen"] == 0
    on_d = payroll(1, 1, "2026-10", paid_date="2026-11-30")  # paid in full on D itself
    assert wages_unpaid(snap(date(2026, 11, 30), contracts=[contract()], payroll=[on_d])).empty


def test_wages_unpaid_keeps_one_alert_per_employer_and_period() -> None:
    employers = [employer(1), employer(2)]
    contracts = [contract(1, 1, 1), contract(2, 2, 2)]
    rows = [short_paid(1, "2026-09"), short_paid(1), payroll(2, 2, "2026-10", amount_paid_fen=0)]
    findings = wages_unpaid(
        snap(date(2026, 11, 30), employers=employers, contracts=contracts, payroll=rows)
    )
    keys = sorted(zip(findings["employer_id"], findings["period"], strict=True))
    assert keys == [(1, "2026-09"), (1, "2026-10"), (2, "2026-10")]


def criminal_case(workers: int, arrears_each: int) -> Snapshot:
    return snap(
        date(2026, 11, 30),
        contracts=[contract(i, 1, i) for i in range(1, workers + 1)],
        payroll=[
            payroll(1, i, "2026-10", amount_due_fen=arrears_each, amount_paid_fen=0)
            for i in range(1, workers + 1)
        ],
    )


def test_wages_unpaid_is_critical_at_the_criminal_group_threshold() -> None:
    reference = load_reference()
    workers = int(reference.value("criminal_threshold_group_workers"))
    amount = int(reference.value("criminal_threshold_group_min_fen"))
    at_threshold = criminal_case(workers, amount // workers)  # both figures exactly reached
    assert only(through_engine(at_threshold, "wages.unpaid"))["severity"] == "critical"
    one_worker_fewer = criminal_case(workers - 1, amount)
    assert only(through_engine(one_worker_fewer, "wages.unpaid"))["severity"] == "high"
    one_fen_short = criminal_case(workers, amount // workers)
    one_fen_short.payroll.loc[0, "amount_due_fen"] -= 1
    assert only(through_engine(one_fen_short, "wages.unpaid"))["severity"] == "high"


def test_wages_unpaid_goes_through_the_engine() -> None:
    snapshot = snap(date(2026, 11, 30), contracts=[contract()], payroll=[short_paid(1)])
    found = only(through_engine(snapshot, "wages.unpaid"))
    assert found["rule"] == "wages.unpaid"
    assert found["employer_uscc"] == snapshot.employers.loc[0, "uscc"]
    assert (found["period"], found["project_code"]) == ("2026-10", "")
    assert (found["severity"], found["amount_fen"]) == ("high", 100_000)
    assert "第五十条" in found["legal_basis_zh"] and "Art. 85" in found["legal_basis_en"]


def test_wages_unpaid_works_on_empty_frames() -> None:
    assert wages_unpaid(snap(date(2026, 11, 30))).empty
    assert through_engine(snap(date(2026, 11, 30)), "wages.unpaid").empty


# --- wages.unreported -----------------------------------------------------------------------------


def test_wages_unreported_fires_when_a_full_time_worker_has_no_payroll_row() -> None:
    contracts = [
        contract(1, 1, 1, start_date="2026-09-01", monthly_wage_fen=600_000),
        contract(2, 1, 2, start_date="2026-09-01", monthly_wage_fen=450_000),
        contract(3, 1, 3, start_date="2026-09-01"),
    ]
    rows = [payroll(1, i, "2026-09") for i in (1, 2, 3)] + [payroll(1, 3, "2026-10")]
    found = only(wages_unreported(snap(date(2026, 11, 30), contracts=contracts, payroll=rows)))
    assert (found["employer_id"], found["period"]) == (1, "2026-10")
    assert found["subject_count"] == 2
    assert found["amount_fen"] == 1_050_000
    assert found["evidence"] == {
        "workers": masked(1, 2),
        "due_date": "2026-11-10",
        "monthly_wage_fen": 1_050_000,
    }
    json.dumps(found["evidence"])


def test_wages_unreported_is_clean_when_every_month_is_reported() -> None:
    contracts = [contract(start_date="2026-08-15")]
    rows = [payroll(1, 1, period) for period in ("2026-08", "2026-09", "2026-10")]
    assert wages_unreported(snap(date(2026, 11, 30), contracts=contracts, payroll=rows)).empty


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 11, 9), ["2026-09"]),
        (date(2026, 11, 10), ["2026-09"]),
        (date(2026, 11, 11), ["2026-09", "2026-10"]),
    ],
)
def test_wages_unreported_fires_only_after_the_due_date(as_of: date, expected: list[str]) -> None:
    snapshot = snap(as_of, contracts=[contract(start_date="2026-09-01")])
    assert periods(wages_unreported(snapshot)) == expected


def test_wages_unreported_can_be_due_inside_the_period_before_a_holiday() -> None:
    contracts = [contract(start_date="2024-12-02", pay_day=1)]
    rows = [payroll(1, 1, "2024-12")]
    assert wages_unreported(snap(date(2025, 1, 27), contracts=contracts, payroll=rows)).empty
    late = wages_unreported(snap(date(2025, 1, 28), contracts=contracts, payroll=rows))
    assert periods(late) == ["2025-01"]
    assert late.iloc[0]["evidence"]["due_date"] == "2025-01-27"


def test_wages_unreported_expects_the_month_a_worker_started_in() -> None:
    snapshot = snap(date(2026, 11, 30), contracts=[contract(start_date="2026-10-31")])
    assert periods(wages_unreported(snapshot)) == ["2026-10"]


def test_wages_unreported_ignores_part_time_workers() -> None:
    part_time = contract(start_date="2026-09-01", employment_type="part_time")
    assert wages_unreported(snap(date(2026, 11, 30), contracts=[part_time])).empty


def test_wages_unreported_ignores_a_worker_who_left_before_d() -> None:
    left = contract(start_date="2026-06-01", left_date="2026-11-29")
    assert wages_unreported(snap(date(2026, 11, 30), contracts=[left])).empty


def test_wages_unreported_expects_months_up_to_the_left_date_of_a_worker_still_active_on_d() -> (
    None
):
    leaving = contract(start_date="2026-09-01", left_date="2026-11-30")  # active on D itself
    rows = [payroll(1, 1, "2026-09")]
    findings = wages_unreported(snap(date(2026, 11, 30), contracts=[leaving], payroll=rows))
    assert periods(findings) == ["2026-10"]


def test_wages_unreported_ignores_a_contract_starting_after_d() -> None:
    future = contract(start_date="2026-12-01")
    assert wages_unreported(snap(date(2026, 11, 30), contracts=[future])).empty


def test_wages_unreported_looks_back_as_long_as_the_ledger_must_be_kept() -> None:
    years = int(load_reference().value("wage_ledger_retention_years"))
    snapshot = snap(date(2026, 11, 30), contracts=[contract(start_date="2015-03-02")])
    found = periods(wages_unreported(snapshot))
    first = (pd.Period("2026-11", "M") - 12 * years).strftime("%Y-%m")
    assert found[0] == first == "2023-11"
    assert found[-1] == "2026-10"
    assert len(found) == 12 * years


def test_wages_unreported_counts_a_rehired_worker_once_per_month() -> None:
    contracts = [
        contract(
            1, 1, 1, start_date="2026-08-01", left_date="2026-09-10", monthly_wage_fen=500_000
        ),
        contract(2, 1, 1, start_date="2026-09-20", monthly_wage_fen=700_000),
    ]
    findings = wages_unreported(snap(date(2026, 11, 30), contracts=contracts))
    by_period = findings.set_index("period")[["subject_count", "amount_fen"]].to_dict("index")
    assert by_period == {
        "2026-08": {"subject_count": 1, "amount_fen": 500_000},
        "2026-09": {"subject_count": 1, "amount_fen": 700_000},  # the contract in force
        "2026-10": {"subject_count": 1, "amount_fen": 700_000},
    }


def test_wages_unreported_finds_the_one_gap_of_a_rehired_worker_reported_otherwise() -> None:
    # Only contracts whose months miss a report are laid out month by month: both contracts
    # span September, so the later one still speaks for it.
    contracts = [
        contract(
            1, 1, 1, start_date="2026-08-01", left_date="2026-09-10", monthly_wage_fen=500_000
        ),
        contract(2, 1, 1, start_date="2026-09-20", monthly_wage_fen=700_000),
        contract(3, 1, 2, start_date="2026-08-01"),  # every month reported
    ]
    rows = [payroll(1, 1, period) for period in ("2026-08", "2026-10")]
    rows += [payroll(1, 2, period) for period in ("2026-08", "2026-09", "2026-10")]
    findings = wages_unreported(snap(date(2026, 11, 30), contracts=contracts, payroll=rows))
    by_period = findings.set_index("period")[["subject_count", "amount_fen"]].to_dict("index")
    assert by_period == {"2026-09": {"subject_count": 1, "amount_fen": 700_000}}


def _random_workforce(seed: int) -> Snapshot:
    """Two employers, 40 contracts of 15 workers (some rehired, some by both employers), and
    payroll rows for nine months in ten."""
    random = np.random.default_rng(seed)
    contracts, rows = [], []
    for number in range(1, 41):
        worker_id = int(random.integers(1, 16))  # some workers rehired, some by two employers
        start = pd.Timestamp("2024-06-01") + pd.Timedelta(days=int(random.integers(0, 900)))
        left = start + pd.Timedelta(days=int(random.integers(20, 400)))
        contracts.append(
            contract(
                number,
                int(random.integers(1, 3)),
                worker_id,
                start_date=start.strftime("%Y-%m-%d"),
                left_date=left.strftime("%Y-%m-%d") if random.random() < 0.5 else None,
                pay_day=int(random.integers(1, 32)),
            )
        )
    for employer_id in (1, 2):
        for worker_id in range(1, 16):
            for period in pd.period_range("2024-06", "2026-11", freq="M"):
                if random.random() < 0.9:
                    rows.append(payroll(employer_id, worker_id, period.strftime("%Y-%m")))
    return snap(
        date(2026, 11, 20),
        employers=[employer(1), employer(2)],
        contracts=contracts,
        payroll=rows,
    )


@pytest.mark.parametrize("seed", range(5))
def test_wages_unreported_finds_what_laying_out_every_month_finds(seed, monkeypatch) -> None:
    snapshot = _random_workforce(seed)
    found = wages_unreported(snapshot)
    monkeypatch.setattr(wages, "_with_gaps", lambda pairs, *_: np.ones(len(pairs), dtype=bool))
    everything = wages_unreported(snapshot)
    assert not found.empty
    pd.testing.assert_frame_equal(found, everything)


@pytest.mark.parametrize("seed", range(3))
def test_wages_unreported_finds_the_same_a_few_runs_and_pairs_at_a_time(seed, monkeypatch) -> None:
    snapshot = _random_workforce(seed)
    found = wages_unreported(snapshot)
    # At L the bitmap is marked 100,000 payroll runs and counted 100,000 pairs at a time.
    monkeypatch.setattr(wages, "_RUNS_PER_STEP", 3)
    monkeypatch.setattr(wages, "_PAIRS_PER_STEP", 2)
    assert not found.empty
    pd.testing.assert_frame_equal(wages_unreported(snapshot), found)


def test_wages_unreported_keeps_employers_apart() -> None:
    employers = [employer(1), employer(2)]
    contracts = [
        contract(1, 1, 1, start_date="2026-10-01"),
        contract(2, 2, 1, start_date="2026-10-01"),
    ]
    rows = [payroll(1, 1, "2026-10")]  # reported by employer 1 only
    findings = wages_unreported(
        snap(date(2026, 11, 30), employers=employers, contracts=contracts, payroll=rows)
    )
    assert list(zip(findings["employer_id"], findings["period"], strict=True)) == [(2, "2026-10")]


def test_wages_unreported_goes_through_the_engine() -> None:
    snapshot = snap(date(2026, 11, 30), contracts=[contract(start_date="2026-10-01")])
    found = only(through_engine(snapshot, "wages.unreported"))
    assert (found["rule"], found["period"], found["severity"]) == (
        "wages.unreported",
        "2026-10",
        "medium",
    )
    assert "第十五条" in found["legal_basis_zh"]


def test_wages_unreported_works_on_empty_frames() -> None:
    assert wages_unreported(snap(date(2026, 11, 30))).empty
    assert through_engine(snap(date(2026, 11, 30)), "wages.unreported").empty


# --- wages.below_minimum --------------------------------------------------------------------------


def owed(amount_fen: int, period: str = "2026-10", worker_id: int = 1) -> Row:
    return payroll(1, worker_id, period, amount_due_fen=amount_fen, amount_paid_fen=amount_fen)


def minimum(county: str, period: str) -> int:
    wage = load_reference().minimum_wage_fen(pd.Series([county]), pd.Series([period]))
    return int(wage.iloc[0])


def test_wages_below_minimum_fires_one_fen_below_the_minimum() -> None:
    floor = minimum(TIER_1, "2026-10")
    rows = [owed(floor - 1), owed(floor - 500, worker_id=2), owed(floor, worker_id=3)]
    contracts = [contract(i, 1, i) for i in (1, 2, 3)]
    found = only(wages_below_minimum(snap(date(2026, 11, 30), contracts=contracts, payroll=rows)))
    assert (found["employer_id"], found["period"]) == (1, "2026-10")
    assert (found["subject_count"], found["amount_fen"]) == (2, 501)
    assert found["evidence"] == {
        "workers": masked(1, 2),
        "county_code": TIER_1,
        "minimum_wage_fen": floor,
        "amount_due_fen": 2 * floor - 501,
        "hourly_minimum_wage_fen": None,
        "part_time_workers": 0,
        "reading": None,
    }
    json.dumps(found["evidence"])


def test_wages_below_minimum_is_clean_exactly_at_the_minimum() -> None:
    rows = [owed(minimum(TIER_1, "2026-10"))]
    assert wages_below_minimum(snap(date(2026, 11, 30), contracts=[contract()], payroll=rows)).empty


def test_wages_below_minimum_uses_the_tier_of_the_employers_county() -> None:
    floor = minimum(TIER_3, "2026-10")
    assert floor < minimum(TIER_1, "2026-10")
    employers = [employer(1, county_code=TIER_3)]
    lawful = snap(
        date(2026, 11, 30), employers=employers, contracts=[contract()], payroll=[owed(floor)]
    )
    assert wages_below_minimum(lawful).empty
    short = snap(
        date(2026, 11, 30),
        employers=employers,
        contracts=[contract()],
        payroll=[owed(floor - 1_000)],
    )
    assert only(wages_below_minimum(short))["amount_fen"] == 1_000


def test_wages_below_minimum_applies_the_standard_in_force_on_the_periods_first_day() -> None:
    # 2,400 CNY: lawful under the 2021 tier-1 standard (2,280), below the 2024 one (2,490).
    before, after = minimum(TIER_1, "2023-12"), minimum(TIER_1, "2024-01")
    assert before < 240_000 < after
    contracts = [contract(start_date="2023-06-01")]
    rows = [owed(240_000, "2023-12"), owed(240_000, "2024-01")]
    found = only(wages_below_minimum(snap(date(2024, 3, 1), contracts=contracts, payroll=rows)))
    assert (found["period"], found["amount_fen"]) == ("2024-01", after - 240_000)


def test_wages_below_minimum_ignores_a_worker_who_started_mid_period() -> None:
    rows = [owed(100_000, "2026-10"), owed(100_000, "2026-11")]
    contracts = [contract(start_date="2026-10-02")]
    findings = wages_below_minimum(snap(date(2026, 12, 1), contracts=contracts, payroll=rows))
    assert periods(findings) == ["2026-11"]


def test_wages_below_minimum_counts_a_worker_who_started_on_the_first_day() -> None:
    contracts = [contract(start_date="2026-10-01")]
    findings = wages_below_minimum(
        snap(date(2026, 11, 1), contracts=contracts, payroll=[owed(100_000)])
    )
    assert periods(findings) == ["2026-10"]


def test_wages_below_minimum_ignores_a_worker_who_left_before_the_periods_last_day() -> None:
    rows = [owed(100_000, "2026-09"), owed(100_000, "2026-10")]
    left = [contract(start_date="2026-01-05", left_date="2026-10-30")]
    findings = wages_below_minimum(snap(date(2026, 11, 30), contracts=left, payroll=rows))
    assert periods(findings) == ["2026-09"]


def test_wages_below_minimum_ignores_part_time_workers() -> None:
    part_time = [contract(employment_type="part_time")]
    rows = [owed(100_000)]
    assert wages_below_minimum(snap(date(2026, 11, 30), contracts=part_time, payroll=rows)).empty


@pytest.mark.parametrize(
    ("as_of", "fires"), [(date(2026, 10, 31), False), (date(2026, 11, 1), True)]
)
def test_wages_below_minimum_waits_for_the_period_to_end(as_of: date, fires: bool) -> None:
    snapshot = snap(as_of, contracts=[contract()], payroll=[owed(100_000)])
    assert len(wages_below_minimum(snapshot)) == int(fires)


def test_wages_below_minimum_ignores_a_worker_without_a_contract() -> None:
    assert wages_below_minimum(snap(date(2026, 11, 30), payroll=[owed(100_000)])).empty


def test_wages_below_minimum_goes_through_the_engine() -> None:
    snapshot = snap(date(2026, 11, 30), contracts=[contract()], payroll=[owed(100_000)])
    found = only(through_engine(snapshot, "wages.below_minimum"))
    assert (found["rule"], found["period"], found["severity"]) == (
        "wages.below_minimum",
        "2026-10",
        "high",
    )
    assert found["amount_fen"] == minimum(TIER_1, "2026-10") - 100_000
    assert "第四十八条" in found["legal_basis_zh"]


def test_wages_below_minimum_works_on_empty_frames() -> None:
    assert wages_below_minimum(snap(date(2026, 11, 30))).empty
    assert through_engine(snap(date(2026, 11, 30)), "wages.below_minimum").empty


def test_wage_rules_skip_a_period_that_is_not_yyyy_mm() -> None:
    rows = [
        {**payroll(1, 1, "2026-10", amount_due_fen=100, amount_paid_fen=0), "period": "2026-13"}
    ]
    snapshot = snap(date(2026, 11, 30), contracts=[contract(start_date="2026-10-01")], payroll=rows)
    assert wages_unpaid(snapshot).empty
    assert wages_below_minimum(snapshot).empty
    assert periods(wages_unreported(snapshot)) == ["2026-10"]


# --- v2: wages due on the day the relation ends (工资支付暂行规定 Art. 9) ----------------------


@pytest.mark.parametrize(
    ("as_of", "fires"),
    [(date(2026, 11, 9), False), (date(2026, 11, 10), False), (date(2026, 11, 11), True)],
)
def test_wages_unpaid_falls_due_on_the_day_the_worker_leaves(as_of: date, fires: bool) -> None:
    # Left on 11-10 with November unpaid: owed on 11-10, not on the pay day 10 December.
    contracts = [contract(1, 1, 1, left_date="2026-11-10")]
    rows = [short_paid(1, "2026-11", amount_paid_fen=0, paid_date=None)]

    findings = wages_unpaid(snap(as_of, contracts=contracts, payroll=rows))

    assert len(findings) == int(fires)
    if fires:
        found = findings.iloc[0]
        assert (found["period"], found["amount_fen"]) == ("2026-11", 600_000)
        assert found["evidence"]["due_date"] == "2026-11-10"
        assert found["evidence"]["workers_due_on_leaving"] == 1


def test_wages_unpaid_keeps_an_earlier_pay_day_of_a_worker_who_leaves_later() -> None:
    # October is due on its pay day 11-10, before leaving on 11-20: the pay day governs.
    contracts = [contract(1, 1, 1, left_date="2026-11-20")]
    rows = [short_paid(1, "2026-10", amount_paid_fen=0, paid_date=None)]

    found = only(wages_unpaid(snap(date(2026, 11, 11), contracts=contracts, payroll=rows)))

    assert found["evidence"]["due_date"] == "2026-11-10"
    assert found["evidence"]["workers_due_on_leaving"] == 0


def test_wages_unpaid_brings_every_open_period_forward_to_the_last_day() -> None:
    contracts = [contract(1, 1, 1, pay_day=25, left_date="2026-11-03")]
    rows = [
        short_paid(1, "2026-10", amount_paid_fen=0, paid_date=None),
        short_paid(1, "2026-11", amount_paid_fen=0, paid_date=None),
    ]

    findings = wages_unpaid(snap(date(2026, 11, 4), contracts=contracts, payroll=rows))

    assert periods(findings) == ["2026-10", "2026-11"]
    assert {f["due_date"] for f in findings["evidence"]} == {"2026-11-03"}


# --- v2: part-time work below the hourly minimum (LCL Art. 72 ¶1) ---------------------------------


def hourly_minimum(county: str, period: str) -> int:
    wage = load_reference().minimum_wage_fen(pd.Series([county]), pd.Series([period]), "hourly")
    return int(wage.iloc[0])


def part_time(contract_id: int = 1, **overrides: Any) -> Row:
    fields = {"employment_type": "part_time", "monthly_wage_fen": 400_000, **overrides}
    return contract(contract_id, 1, contract_id, **fields)


@pytest.mark.parametrize(("fen_off", "fires"), [(-1, True), (0, False), (1, False)])
def test_wages_below_minimum_judges_part_time_pay_per_hour_worked(
    fen_off: int, fires: bool
) -> None:
    floor = hourly_minimum(TIER_1, "2026-10")
    due = floor * 40 + fen_off  # 40 hours at the hourly minimum, a fen off
    rows = [payroll(1, 1, "2026-10", amount_due_fen=due, amount_paid_fen=due, hours_worked=40.0)]

    findings = wages_below_minimum(snap(date(2026, 11, 30), contracts=[part_time()], payroll=rows))

    assert len(findings) == int(fires)
    if fires:
        found = findings.iloc[0]
        assert (found["subject_count"], found["amount_fen"]) == (1, 1)
        assert found["evidence"]["hourly_minimum_wage_fen"] == floor
        assert found["evidence"]["part_time_workers"] == 1
        assert found["evidence"]["reading"] == "part_time_pay_per_hour"
        assert found["evidence"]["minimum_wage_fen"] is None


@pytest.mark.parametrize(("fen_off", "fires"), [(-1, True), (0, False), (1, False)])
def test_wages_below_minimum_uses_the_agreed_hourly_wage_without_hours(
    fen_off: int, fires: bool
) -> None:
    floor = hourly_minimum(TIER_1, "2026-10")
    rows = [payroll(1, 1, "2026-10", amount_due_fen=100_000, amount_paid_fen=100_000)]
    contracts = [part_time(hourly_wage_fen=floor + fen_off)]

    findings = wages_below_minimum(snap(date(2026, 11, 30), contracts=contracts, payroll=rows))

    assert len(findings) == int(fires)
    if fires:
        assert findings.iloc[0]["amount_fen"] == 0  # hours unknown: the money at stake too


def test_wages_below_minimum_leaves_part_time_without_hours_or_hourly_wage_unjudged() -> None:
    rows = [payroll(1, 1, "2026-10", amount_due_fen=100, amount_paid_fen=100)]

    assert wages_below_minimum(
        snap(date(2026, 11, 30), contracts=[part_time()], payroll=rows)
    ).empty


def test_wages_below_minimum_judges_part_time_only_once_the_month_has_ended() -> None:
    rows = [payroll(1, 1, "2026-11", amount_due_fen=100, amount_paid_fen=100, hours_worked=10.0)]

    assert wages_below_minimum(
        snap(date(2026, 11, 30), contracts=[part_time()], payroll=rows)
    ).empty
    assert (
        len(wages_below_minimum(snap(date(2026, 12, 1), contracts=[part_time()], payroll=rows)))
        == 1
    )


def test_wages_below_minimum_part_time_passes_through_the_engine() -> None:
    rows = [payroll(1, 1, "2026-10", amount_due_fen=100, amount_paid_fen=100, hours_worked=10.0)]

    [alert] = through_engine(
        snap(date(2026, 11, 30), contracts=[part_time()], payroll=rows), "wages.below_minimum"
    ).to_dict("records")

    assert "第七十二条第一款" in alert["legal_basis_zh"]


@pytest.mark.parametrize(
    ("employers", "workers"),
    [([1, 2, 2], [7, 7, 9]), ([-5, 2**62, 2**62], [7, 7, -9])],
    ids=["database ids", "negative and huge ids"],
)
def test_payroll_rows_find_their_contracts_pair_whatever_the_ids(employers, workers):
    from monitors.rules.wages import _pair_codes

    contracts = pd.DataFrame({"employer_id": employers, "worker_id": workers})
    rows = pd.DataFrame(
        {
            "employer_id": [employers[2], employers[0], employers[1], employers[0]],
            "worker_id": [workers[2], workers[0], workers[0], workers[2]],
        }
    )
    contract_codes, row_codes = _pair_codes(contracts, rows)
    assert contract_codes.tolist() == [0, 1, 2]
    assert row_codes.tolist() == [2, 0, 1, -1]  # the last pair has no contract
    months = rows.loc[rows.index.repeat(3)]  # each pair's months one after another, as stored
    if min(employers) >= 0 and max(employers) < 2**31:  # the payroll's ids are int32
        payroll_ids = rows.astype("int32")
        assert _pair_codes(contracts, payroll_ids)[1].tolist() == [2, 0, 1, -1]
        assert _pair_codes(contracts[:1], payroll_ids)[1].tolist() == [-1, 0, -1, -1]
    assert _pair_codes(contracts, months)[1].tolist() == [2, 2, 2, 0, 0, 0, 1, 1, 1, -1, -1, -1]
    assert _pair_codes(contracts, rows[:0])[1].tolist() == []


def test_a_run_of_rows_begins_where_any_column_changes():
    from monitors.rules.wages import _run_starts

    employers = np.array([1, 1, 1, 2, 2, 2])
    workers = np.array([7, 7, 8, 8, 8, 7])
    assert _run_starts(employers, workers).tolist() == [0, 2, 3, 5]
    assert _run_starts(employers).tolist() == [0, 3]
    assert _run_starts(employers[:0]).tolist() == []
