"""The reference data under data/ loads, matches the rules reference, and a malformed file is
refused with a message naming the file and the line a text editor would show."""

from __future__ import annotations

import ast
import csv
import re
import shutil
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from monitors import reference as reference_module
from monitors.reference import (
    DEFAULT_DATA_DIR,
    MEMO_ROWS,
    Reference,
    ReferenceDataError,
    UnknownParameter,
    load_reference,
)
from tests.monitors.several_cities import two_city_data_dir

RULES_REFERENCE = Path("/work/shared/domain/rules-reference.md")
COUNTIES = [
    "330302", "330303", "330304", "330305", "330324", "330326",
    "330327", "330328", "330329", "330381", "330382", "330383",
]  # fmt: skip

# Every row of rules-reference §10 (first column as written there) → the parameter names it
# became: ranges split into _min/_max, tiers and bands into one name each, units as suffixes.
SECTION_10: dict[str, list[str]] = {
    "deposit_rate_min": ["deposit_rate_min_bp"],
    "deposit_rate_max": ["deposit_rate_max_bp"],
    "deposit_rate_floor_multi_project": ["deposit_rate_floor_multi_project_bp"],
    "deposit_rate_zhejiang / deposit_cap_zhejiang": [
        "deposit_rate_zhejiang_bp",
        "deposit_cap_zhejiang_fen",
    ],
    "deposit_waiver_contract_below": ["deposit_waiver_contract_below_fen"],
    "deposit_waiver_clean_lookback": ["deposit_waiver_clean_lookback_years"],
    "deposit_reduction_clean_years": ["deposit_reduction_clean_years"],
    "deposit_reduction_min": ["deposit_reduction_min_bp"],
    "deposit_exempt_clean_years": ["deposit_exempt_clean_years"],
    "deposit_increase_arrears_lookback": ["deposit_increase_arrears_lookback_years"],
    "deposit_increase_arrears_min": ["deposit_increase_arrears_min_bp"],
    "deposit_increase_dishonesty_list_min": ["deposit_increase_dishonesty_list_min_bp"],
    "deposit_due_after_permit": ["deposit_due_after_permit_working_days"],
    "guarantee_min_validity": ["guarantee_min_validity_months"],
    "guarantee_renewal_reminder": ["guarantee_renewal_reminder_months"],
    "drawdown_bank_payment": ["drawdown_bank_payment_working_days"],
    "deposit_replenish_deadline": ["deposit_replenish_deadline_working_days"],
    "deposit_return_public_notice": ["deposit_return_public_notice_days"],
    "deposit_return_review": ["deposit_return_review_working_days"],
    "deposit_return_confirmation": ["deposit_return_confirmation_working_days"],
    "wage_account_close_public_notice": ["wage_account_close_public_notice_days"],
    "labour_cost_transfer_cycle_max": ["labour_cost_transfer_cycle_max_months"],
    "wage_ledger_retention": ["wage_ledger_retention_years"],
    "site_labour_ledger_retention": ["site_labour_ledger_retention_years"],
    "pay_frequency_min": ["pay_frequency_min_times_per_month"],
    "holiday_payday_rule": ["holiday_payday_rule"],
    "part_time_pay_cycle_max": ["part_time_pay_cycle_max_days"],
    "written_contract_deadline": ["written_contract_deadline_months"],
    "double_wage_max_months": ["double_wage_max_months"],
    "deemed_open_ended_after": ["deemed_open_ended_after_years"],
    "probation_max (<3 m / 3 m–1 y / 1–3 y / ≥3 y or open)": [
        "probation_max_months_under_3m",
        "probation_max_months_3m_to_1y",
        "probation_max_months_1y_to_3y",
        "probation_max_months_3y_plus",
    ],
    "probation_wage_min_ratio": ["probation_wage_min_ratio_bp"],
    "arrears_extra_compensation": [
        "arrears_extra_compensation_min_bp",
        "arrears_extra_compensation_max_bp",
    ],
    "deposit_from_worker_fine": [
        "deposit_from_worker_fine_min_fen",
        "deposit_from_worker_fine_max_fen",
    ],
    "monthly_paid_days": ["monthly_paid_days"],
    "mediation_period": ["mediation_period_days"],
    "arbitration_limitation": ["arbitration_limitation_years"],
    "arbitration_acceptance": ["arbitration_acceptance_days"],
    "arbitration_award": ["arbitration_award_days", "arbitration_award_extension_days"],
    "final_award_cap": ["final_award_cap_months_of_min_wage"],
    "inspection_complaint_acceptance_zj": ["inspection_complaint_acceptance_zj_working_days"],
    "inspection_investigation": [
        "inspection_investigation_working_days",
        "inspection_investigation_extension_working_days",
    ],
    "inspection_lookback": ["inspection_lookback_years"],
    "injury_report_employer": ["injury_report_employer_days"],
    "injury_report_worker": ["injury_report_worker_years"],
    "injury_decision": ["injury_decision_days", "injury_decision_clear_case_days"],
    "social_insurance_registration": ["social_insurance_registration_days"],
    "si_late_fee": ["si_late_fee_bp_per_day"],
    "wi_base_rate_class_1…8": [f"wi_base_rate_class_{n}_bp" for n in range(1, 9)],
    "wi_float_tiers (class 1 / 2–8)": [
        *(f"wi_float_class_1_tier_{n}_bp" for n in range(1, 4)),
        *(f"wi_float_class_2_8_tier_{n}_bp" for n in range(1, 6)),
    ],
    "min_wage_monthly_zj (tier 1/2/3)": [f"min_wage_monthly_zj_tier{n}_fen" for n in (1, 2, 3)],
    "min_wage_hourly_zj (tier 1/2/3)": [f"min_wage_hourly_zj_tier{n}_fen" for n in (1, 2, 3)],
    "wenzhou_county_tier": [f"wenzhou_county_tier_{code}" for code in COUNTIES],
    "ouhai_leased_deposit_per_worker": ["ouhai_leased_deposit_per_worker_fen"],
    "ouhai_leased_deposit_min / max": [
        "ouhai_leased_deposit_min_fen",
        "ouhai_leased_deposit_max_fen",
    ],
    "ouhai_leased_deposit_due": ["ouhai_leased_deposit_due_working_days"],
    "serious_arrears_trigger_ouhai": [
        "serious_arrears_ouhai_months_over",
        "serious_arrears_ouhai_petition_min_workers",
    ],
    "criminal_threshold_single": [
        "criminal_threshold_single_months",
        "criminal_threshold_single_min_fen",
        "criminal_threshold_single_max_fen",
    ],
    "criminal_threshold_group": [
        "criminal_threshold_group_workers",
        "criminal_threshold_group_min_fen",
        "criminal_threshold_group_max_fen",
    ],
    "penalty_no_deposit": ["penalty_no_deposit_min_fen", "penalty_no_deposit_max_fen"],
    "penalty_no_ledger (unit / person)": [
        "penalty_no_ledger_unit_min_fen",
        "penalty_no_ledger_unit_max_fen",
        "penalty_no_ledger_person_min_fen",
        "penalty_no_ledger_person_max_fen",
    ],
    "safety_liability_insurance_fine": [
        "safety_liability_insurance_fine_min_fen",
        "safety_liability_insurance_fine_max_fen",
        "safety_liability_insurance_fine_repeat_min_fen",
        "safety_liability_insurance_fine_repeat_max_fen",
    ],
}
POLICY_PARAMETERS = {
    "mediation_committee_migrant_threshold": 50,
    "complaints_cluster_threshold": 3,
    "complaints_cluster_window_days": 30,
    "mediation_reminder_days_before": 3,
}
# The figures of §10 as the reference states them, in the units the names carry.
SECTION_10_VALUES = {
    "deposit_rate_min_bp": 100,
    "deposit_rate_max_bp": 300,
    "deposit_rate_floor_multi_project_bp": 50,
    "deposit_waiver_contract_below_fen": 300_000_000,
    "deposit_reduction_min_bp": 5000,
    "deposit_exempt_clean_years": 3,
    "deposit_increase_dishonesty_list_min_bp": 10_000,
    "deposit_due_after_permit_working_days": 20,
    "guarantee_min_validity_months": 12,
    "deposit_replenish_deadline_working_days": 10,
    "deposit_return_public_notice_days": 30,
    "part_time_pay_cycle_max_days": 15,
    "double_wage_max_months": 11,
    "probation_max_months_under_3m": 0,
    "probation_max_months_3m_to_1y": 1,
    "probation_max_months_1y_to_3y": 2,
    "probation_max_months_3y_plus": 6,
    "probation_wage_min_ratio_bp": 8000,
    "monthly_paid_days": 21.75,
    "mediation_period_days": 15,
    "arbitration_award_days": 45,
    "arbitration_award_extension_days": 15,
    "inspection_investigation_working_days": 60,
    "si_late_fee_bp_per_day": 5,
    "wi_base_rate_class_1_bp": 20,
    "wi_base_rate_class_8_bp": 190,
    "wi_float_class_2_8_tier_1_bp": 5000,
    "min_wage_monthly_zj_tier3_fen": 201_000,
    "min_wage_hourly_zj_tier1_fen": 2400,
    "wenzhou_county_tier_330329": 3,
    "ouhai_leased_deposit_per_worker_fen": 500_000,
    "ouhai_leased_deposit_min_fen": 5_000_000,
    "ouhai_leased_deposit_max_fen": 150_000_000,
    "ouhai_leased_deposit_due_working_days": 10,
    "criminal_threshold_group_max_fen": 10_000_000,
    "penalty_no_deposit_max_fen": 10_000_000,
    "group_complaint_min_workers": 10,
}
# Groups and classes that rules-reference §8 lists (ranges by their ends).
SECTION_8_TEXT = """
0610 0620 0690 071 0711 0712 072 0721 0722 0810 0820 0890 091 0911 0919 092 0921 0929 093 0931
0939 101 1011 1019 1020 1030 109 1091 1099 1110 1120 1190 1200
4710 4720 4790 481 4811 4812 4813 4814 4819 482 4821 4822 4823 483 4831 4839 4840 485 4851 4852
4853 486 4861 4862 4863 487 4871 4872 4873 4874 4875 4879 489 4891 4892 4893 4899 4910 4920 499
4991 4999 501 5011 5012 5013 502 5021 5022 5030 5090
261 2611 2612 2613 2614 2619 262 2621 2629 263 2631 2632 264 2641 2642 2643 2644 2645 2646 265
2651 2652 2653 2659 266 2661 2669 267 2671 2672 268 2681 2689
6210 6220 623 6231 6232 6233 6239 624 6241 6242 629 6291 6299
171 172 173 174 175 176 177 178 1711 1761 1781 181 1811 1819 182 1821 1829 1830
1910 192 1921 1922 1923 1929 193 1931 1939 194 1941 1942 195 1951 1952 1953 1954 1959
"""
SECTION_8_CODES = SECTION_8_TEXT.split()


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference()


# --- the real files ---------------------------------------------------------------------------


def test_real_files_load_once_and_are_cached(reference: Reference) -> None:
    assert load_reference() is reference
    # The app names its settings' data_dir: the repository's is still loaded only once.
    assert load_reference(Path(__file__).parents[2] / "monitors" / ".." / "data") is reference
    assert len(reference.jurisdictions) == 13
    assert len(reference.minimum_wages) == 6
    assert not reference.parameters.empty


def test_every_section_10_row_is_mapped_to_parameter_names() -> None:
    if not RULES_REFERENCE.is_file():
        pytest.skip("the shared rules reference is not available here")
    text = RULES_REFERENCE.read_text(encoding="utf-8").split("## 10.", 1)[1]
    rows = re.findall(r"^\| ([^|]+?) \|", text, flags=re.MULTILINE)
    assert set(rows) - {"Name"} == set(SECTION_10)


@pytest.mark.parametrize(
    "name",
    sorted({name for names in SECTION_10.values() for name in names} | POLICY_PARAMETERS.keys()),
)
def test_every_section_10_and_policy_parameter_exists(reference: Reference, name: str) -> None:
    parameter = reference.param(name)
    assert isinstance(parameter.value, int | float)
    assert parameter.unit
    assert parameter.basis.zh and parameter.basis.en and parameter.basis.source
    assert parameter.basis.status in {"law", "unconfirmed", "policy"}


@pytest.mark.parametrize(("name", "value"), sorted(SECTION_10_VALUES.items()))
def test_parameter_values_match_the_rules_reference(
    reference: Reference, name: str, value: int | float
) -> None:
    assert reference.value(name) == value
    assert type(reference.value(name)) is type(value)  # a day count must not become 3.0


@pytest.mark.parametrize(("name", "value"), sorted(POLICY_PARAMETERS.items()))
def test_product_policy_parameters_are_marked_policy(
    reference: Reference, name: str, value: int
) -> None:
    parameter = reference.param(name)
    assert (parameter.value, parameter.basis.status) == (value, "policy")


def test_zhejiang_deposit_rate_and_cap_are_flagged_unconfirmed(reference: Reference) -> None:
    rate = reference.param("deposit_rate_zhejiang_bp")
    cap = reference.param("deposit_cap_zhejiang_fen")
    assert (rate.value, rate.basis.status) == (200, "unconfirmed")
    assert (cap.value, cap.basis.status) == (500_000_000, "unconfirmed")


def test_unknown_parameter_is_a_key_error_naming_the_file(reference: Reference) -> None:
    with pytest.raises(KeyError) as caught:
        reference.param("no_such_parameter")
    assert isinstance(caught.value, UnknownParameter)
    assert str(caught.value) == "data/parameters.csv: no parameter named 'no_such_parameter'"


def test_parameter_is_effective_dated(reference: Reference) -> None:
    name = "min_wage_monthly_zj_tier1_fen"
    assert reference.value(name, on=date(2023, 12, 31)) == 228_000
    assert reference.value(name, on=date(2024, 1, 1)) == 249_000
    assert reference.param(name, on=date(2024, 1, 1)).valid_from == date(2024, 1, 1)
    assert reference.value(name) == 249_000
    with pytest.raises(ReferenceDataError, match="not in force on 2020-01-01"):
        reference.param(name, on=date(2020, 1, 1))


def test_parameter_on_a_moment_is_the_one_in_force_that_day(reference: Reference) -> None:
    name = "min_wage_monthly_zj_tier1_fen"
    assert reference.value(name, on=datetime(2023, 12, 31, 23, 59)) == 228_000
    assert reference.value(name, on=datetime(2024, 1, 1, 0, 0)) == 249_000
    assert reference.value(name, on=pd.Timestamp("2024-01-01 08:00")) == 249_000


@pytest.mark.serial
def test_parameter_lookup_is_indexed_not_filtered(reference: Reference) -> None:
    # Every complaint filed asks for several parameters: a pandas filter per call cost ~7 ms.
    day = date(2026, 11, 30)
    started = time.perf_counter()
    for _ in range(1000):
        reference.param("mediation_period_days", on=day)
    assert time.perf_counter() - started < 0.5
    assert reference.param("mediation_period_days", on=day) is reference.param(
        "mediation_period_days", on=day
    )


def test_zhejiang_mediation_basis_applies_from_2016(reference: Reference) -> None:
    before = reference.param("mediation_period_days", on=date(2015, 12, 31)).basis
    after = reference.param("mediation_period_days", on=date(2016, 1, 1)).basis
    assert "浙江" not in before.zh
    assert "《浙江省劳动人事争议调解仲裁条例》第十条" in after.zh


def test_basis_joins_parameters_and_names_each_article_once(reference: Reference) -> None:
    basis = reference.basis("probation_max_months_under_3m", "probation_max_months_3y_plus")
    assert basis.zh == "《中华人民共和国劳动合同法》第十九条"
    assert basis.en == "Labour Contract Law of the PRC, Art. 19"
    joined = reference.basis("mediation_period_days", "mediation_reminder_days_before")
    assert joined.zh.count("第十四条第三款") == 1
    assert joined.status == "policy"


def test_basis_of_an_unconfirmed_part_is_unconfirmed(reference: Reference) -> None:
    basis = reference.basis("deposit_rate_min_bp", "deposit_rate_zhejiang_bp")
    assert basis.status == "unconfirmed"
    assert basis.en.startswith("Provisions on Migrant Workers' Wage Deposit in Construction")


def test_counties_are_the_twelve_gbt_2260_divisions(reference: Reference) -> None:
    assert reference.county_codes() == frozenset(COUNTIES)
    assert "330322" not in reference.county_codes()  # 洞头县 became 洞头区 330305
    assert "330371" not in reference.county_codes()  # a statistical code, not a county
    assert reference.jurisdictions.loc["330300", "level"] == "city"


def test_dongtou_is_tier_1_and_unconfirmed(reference: Reference) -> None:
    dongtou = reference.jurisdictions.loc["330305"]
    assert (dongtou["min_wage_tier"], dongtou["status"]) == (1, "unconfirmed")


def test_every_county_has_four_to_eight_towns(reference: Reference) -> None:
    per_county = reference.towns.groupby("county_code").size()
    assert set(per_county.index) == set(COUNTIES)
    assert per_county.between(4, 8).all()


# --- industries -------------------------------------------------------------------------------


def test_all_97_divisions_and_the_section_8_codes_are_listed(reference: Reference) -> None:
    divisions = reference.industries.index[reference.industries["level"] == "division"]
    assert list(divisions) == [f"{n:02d}" for n in range(1, 98)]
    assert set(SECTION_8_CODES) <= set(reference.industries.index)


@pytest.mark.parametrize(
    ("code", "name_zh", "high_risk", "deposit_sector", "inspection_focus", "wi_class"),
    [
        ("4812", "公路工程建筑", True, True, True, 6),
        ("1952", "皮鞋制造", False, False, True, 4),
        ("2672", "焰火、鞭炮产品制造", True, False, False, 6),
        ("2671", "炸药及火工产品制造", True, False, False, 6),
        ("6210", "正餐服务", False, False, True, 2),
        ("0610", "烟煤和无烟煤开采洗选", True, False, False, 8),
    ],
)
def test_industry_flags_by_longest_prefix(
    reference: Reference,
    code: str,
    name_zh: str,
    high_risk: bool,
    deposit_sector: bool,
    inspection_focus: bool,
    wi_class: int,
) -> None:
    row = reference.industry(code)
    assert row is not None and row["name_zh"] == name_zh
    flags = reference.industry_flags(pd.Series([code])).iloc[0]
    expected = (high_risk, deposit_sector, inspection_focus, wi_class, True)
    assert tuple(flags) == expected


def test_industry_lookup_falls_back_to_the_longest_listed_prefix(reference: Reference) -> None:
    assert reference.industry("1955").name == "195"  # not a class: its group
    assert reference.industry("C1952").name == "1952"  # section letter tolerated
    assert reference.industry("5111").name == "51"  # classes of 51 are not listed
    assert reference.industry("99") is None
    assert reference.industry("") is None


def test_industry_flags_are_aligned_and_unknown_codes_are_false(reference: Reference) -> None:
    codes = pd.Series(["4812", None, "99", "6", "H6210", "4812"], index=[10, 11, 12, 13, 14, 15])
    flags = reference.industry_flags(codes)
    assert list(flags.index) == [10, 11, 12, 13, 14, 15]
    assert list(flags.columns) == [
        "high_risk",
        "deposit_sector",
        "inspection_focus",
        "wi_class",
        "division_known",
    ]
    assert flags["division_known"].tolist() == [True, False, False, False, True, True]
    assert flags["high_risk"].tolist() == [True, False, False, False, False, True]
    assert flags["wi_class"].isna().tolist() == [False, True, True, True, False, False]


def test_construction_divisions_are_deposit_and_high_risk_sectors(reference: Reference) -> None:
    codes = pd.Series(reference.industries.index)
    flags = reference.industry_flags(codes).set_index(codes)
    construction = codes.str[:2].isin(["47", "48", "49", "50"]).to_numpy()
    assert flags.loc[construction, ["deposit_sector", "high_risk"]].all().all()
    assert not flags.loc[~construction, "deposit_sector"].any()
    high_risk_divisions = {f"{n:02d}" for n in range(6, 13)} | {"25", "26", "47", "48", "49", "50"}
    assert set(codes[flags["high_risk"].to_numpy()].str[:2]) == high_risk_divisions


# --- minimum wages and leased-premises deposits -------------------------------------------


def test_minimum_wage_follows_the_standard_in_force_for_the_county_tier(
    reference: Reference,
) -> None:
    counties = pd.Series(["330302", "330302", "330329", "330329", "330324", "999999", "330302"])
    periods = pd.Series(["2023-12", "2024-01", "2023-12", "2024-01", "2021-08", "2024-01", "x"])
    wages = reference.minimum_wage_fen(counties, periods)
    expected = [228_000, 249_000, 184_000, 201_000, 207_000, pd.NA, pd.NA]
    assert wages.tolist() == expected


def test_minimum_wage_of_many_rows_is_that_of_each_row(reference: Reference) -> None:
    # Past MEMO_ROWS the rows are looked up once per (county, month) pair, then spread back.
    counties = ["330302", "330302", "330329", "330329", "330324", "999999", "330302", None]
    periods = ["2023-12", "2024-01", "2023-12", "2024-01", "2021-08", "2024-01", "x", "2024-01"]
    expected = [228_000, 249_000, 184_000, 201_000, 207_000, pd.NA, pd.NA, pd.NA]
    times = MEMO_ROWS // len(counties) + 2
    rows = len(counties) * times
    many = reference.minimum_wage_fen(
        pd.Series(counties * times, index=range(100, 100 + rows)), pd.Series(periods * times)
    )
    assert rows > MEMO_ROWS and list(many.index) == list(range(100, 100 + rows))
    assert many.tolist() == expected * times


def test_minimum_wage_is_na_before_the_first_standard_and_keeps_the_index(
    reference: Reference,
) -> None:
    counties = pd.Series(["330302", "330383"], index=["a", "b"])
    wages = reference.minimum_wage_fen(counties, pd.Series(["2021-07", "2025-06"]), kind="hourly")
    assert list(wages.index) == ["a", "b"]
    assert wages.tolist() == [pd.NA, 2200]


def test_minimum_wage_rejects_an_unknown_kind(reference: Reference) -> None:
    with pytest.raises(ValueError, match="kind"):
        reference.minimum_wage_fen(pd.Series(["330302"]), pd.Series(["2024-01"]), kind="daily")


def test_leased_deposit_terms_use_the_county_row_or_the_city_fallback(
    reference: Reference,
) -> None:
    ouhai = reference.leased_deposit_terms("330304")
    lucheng = reference.leased_deposit_terms("330302")
    assert ouhai["county_code"] == "330304"
    assert lucheng["county_code"] == "330300"
    assert (lucheng["per_worker_fen"], lucheng["min_fen"], lucheng["max_fen"]) == (
        500_000,
        5_000_000,
        150_000_000,
    )
    assert lucheng["status"] == "unconfirmed"
    with pytest.raises(ReferenceDataError, match="no leased-premises deposit terms"):
        reference.leased_deposit_terms("330302", on=date(2012, 12, 31))


def test_several_cities_load_and_each_county_falls_back_on_its_own_city(
    tmp_path: Path,
) -> None:
    """data/ is Wenzhou alone; a benchmark's province adds cities, each with its counties."""
    reference = load_reference(two_city_data_dir(tmp_path / "data"))
    assert {"330102", "330106", *COUNTIES} == set(reference.county_codes())
    assert reference.leased_deposit_terms("330102")["county_code"] == "330100"
    assert reference.leased_deposit_terms("330302")["county_code"] == "330300"
    assert reference.leased_deposit_terms("330304")["county_code"] == "330304"


# --- malformed copies -------------------------------------------------------------------------

Rows = list[list[str]]
Defect = Callable[[Rows], tuple[int, str]]  # edits the rows; returns (line, message part)


def _line_of(rows: Rows, column: str, value: str) -> int:
    position = rows[0].index(column)
    return next(number for number, row in enumerate(rows, 1) if row[position] == value)


def _set(rows: Rows, line: int, column: str, value: str) -> None:
    rows[line - 1][rows[0].index(column)] = value


def _bad_integer(rows: Rows) -> tuple[int, str]:
    _set(rows, 4, "monthly_fen", "abc")
    return 4, "monthly_fen 'abc' is not an integer"


def _overlapping_tier(rows: Rows) -> tuple[int, str]:
    _set(rows, 2, "valid_to", "2024-06-30")  # tier 1's 2021 standard now runs into 2024
    return 5, "tier 1: period overlaps the one on line 2"


def _reversed_period(rows: Rows) -> tuple[int, str]:
    _set(rows, 3, "valid_to", "2021-07-31")
    return 3, "valid_to is before valid_from"


def _bad_date(rows: Rows) -> tuple[int, str]:
    line = _line_of(rows, "name", "deposit_due_after_permit_working_days")
    _set(rows, line, "valid_from", "2021-11-31")
    return line, "valid_from '2021-11-31' is not a date YYYY-MM-DD"


def _duplicate_parameter(rows: Rows) -> tuple[int, str]:
    rows.append(list(rows[1]))
    return len(rows), f"duplicate name / valid_from {rows[1][0]} / {rows[1][3]} (first on line 2)"


def _fractional_day_count(rows: Rows) -> tuple[int, str]:
    line = _line_of(rows, "name", "mediation_period_days")
    _set(rows, line, "value", "15.5")
    return line, "value 15.5 is not a whole number of days"


def _parameter_stored_twice(rows: Rows) -> tuple[int, str]:
    rows.append(["min_wage_monthly_zj_tier1_fen", "249000", "fen", "2024-01-01", "confirmed"])
    rows[-1] += ["x", "x", "x", ""]
    return len(rows), "is read from minimum_wages.csv; keep each figure in one place"


def _unknown_column(rows: Rows) -> tuple[int, str]:
    for number, row in enumerate(rows):
        row.append("population" if number == 0 else "1")
    return 1, "unknown column(s) population"


def _retired_county(rows: Rows) -> tuple[int, str]:
    rows.append(["330322", "330300", "county", "洞头县", "Dongtou County", "1", "unconfirmed"])
    rows[-1] += ["x", "x", "x"]
    return len(rows), "code 330322 is the former 洞头县"


def _missing_column(rows: Rows) -> tuple[int, str]:
    position = rows[0].index("name_en")
    for row in rows:
        del row[position]
    return 1, "missing column(s) name_en"


def _town_outside_wenzhou(rows: Rows) -> tuple[int, str]:
    _set(rows, 3, "county_code", "330102")
    return 3, "county_code 330102 is not a county in jurisdictions.csv"


def _bad_boolean(rows: Rows) -> tuple[int, str]:
    line = _line_of(rows, "code", "4812")
    _set(rows, line, "high_risk", "yes")
    return line, "high_risk 'yes' is not true or false"


def _duplicate_industry(rows: Rows) -> tuple[int, str]:
    rows.append(list(rows[_line_of(rows, "code", "1952") - 1]))
    return len(rows), "duplicate code 1952 (first on line"


def _orphan_class(rows: Rows) -> tuple[int, str]:
    line = _line_of(rows, "code", "97")
    _set(rows, line, "code", "9700")
    _set(rows, line, "level", "class")
    return line, "division 97 of 9700 is not listed"


def _bad_amount(rows: Rows) -> tuple[int, str]:
    _set(rows, 3, "per_worker_fen", "5,000")
    return 3, "per_worker_fen '5,000' is not an integer"


def _negative_amount(rows: Rows) -> tuple[int, str]:
    _set(rows, 2, "min_fen", "-1")
    return 2, "min_fen -1 is below 0"


def _short_county_code(rows: Rows) -> tuple[int, str]:
    _set(rows, 3, "county_code", "33030")  # the pattern \d{6} is quoted, not formatted
    return 3, r"county_code '33030' does not match \d{6}"


DEFECTS: list[tuple[str, Defect]] = [
    ("minimum_wages.csv", _bad_integer),
    ("minimum_wages.csv", _overlapping_tier),
    ("minimum_wages.csv", _reversed_period),
    ("parameters.csv", _bad_date),
    ("parameters.csv", _duplicate_parameter),
    ("parameters.csv", _fractional_day_count),
    ("parameters.csv", _parameter_stored_twice),
    ("jurisdictions.csv", _unknown_column),
    ("jurisdictions.csv", _retired_county),
    ("towns.csv", _missing_column),
    ("towns.csv", _town_outside_wenzhou),
    ("towns.csv", _short_county_code),
    ("industries.csv", _bad_boolean),
    ("industries.csv", _duplicate_industry),
    ("industries.csv", _orphan_class),
    ("leased_premises_deposit.csv", _bad_amount),
    ("leased_premises_deposit.csv", _negative_amount),
]


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, target, ignore=shutil.ignore_patterns("demo", "*.md"))
    return target


def _edit(path: Path, defect: Defect) -> tuple[int, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    found = defect(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return found


@pytest.mark.parametrize(
    ("file", "defect"), DEFECTS, ids=[defect.__name__.strip("_") for _, defect in DEFECTS]
)
def test_a_malformed_file_is_refused_naming_file_and_line(
    tmp_path: Path, file: str, defect: Defect
) -> None:
    line, message = _edit(_copy_data(tmp_path) / file, defect)
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(tmp_path / "data")
    assert (caught.value.file, caught.value.line) == (f"data/{file}", line)
    assert str(caught.value).startswith(f"data/{file} line {line}: ")
    assert message in str(caught.value).splitlines()[0]


def test_error_message_reads_like_an_editor_location(tmp_path: Path) -> None:
    _edit(_copy_data(tmp_path) / "minimum_wages.csv", _bad_integer)
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(tmp_path / "data")
    assert str(caught.value) == "data/minimum_wages.csv line 4: monthly_fen 'abc' is not an integer"


def test_line_numbers_count_blank_lines_and_tolerate_a_bom(tmp_path: Path) -> None:
    path = _copy_data(tmp_path) / "leased_premises_deposit.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(",500000,", ",lots,", 1)
    path.write_text("\ufeff" + "\n".join([header, "", rows[0], "", rows[1]]) + "\n", "utf-8")
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(tmp_path / "data")
    assert str(caught.value).startswith("data/leased_premises_deposit.csv line 5: per_worker_fen")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    (_copy_data(tmp_path) / "towns.csv").unlink()
    with pytest.raises(ReferenceDataError, match=r"^data/towns.csv: file is missing$"):
        load_reference(tmp_path / "data")


def _two_bad_cells(rows: Rows) -> tuple[int, str]:
    _set(rows, 6, "hourly_fen", "x")
    _set(rows, 3, "tier", "y")
    return 3, "tier 'y' is not an integer"


def test_every_problem_of_a_file_is_listed_earliest_first(tmp_path: Path) -> None:
    _edit(_copy_data(tmp_path) / "minimum_wages.csv", _two_bad_cells)
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(tmp_path / "data")
    assert [line for line, _ in caught.value.problems] == [3, 6]


# --- purity -----------------------------------------------------------------------------------


def test_reference_imports_only_the_standard_library_and_pandas() -> None:
    tree = ast.parse(Path(reference_module.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported - set(sys.stdlib_module_names) == {"pandas"}


# --- honest figures: law, policy or unconfirmed, said wherever the basis is shown -----------


@pytest.mark.parametrize(
    ("name", "status", "zh", "en"),
    [
        (
            "mediation_committee_migrant_threshold",
            "policy",
            "（本系统设定）",
            "(set by this service)",
        ),
        ("deposit_rate_zhejiang_bp", "unconfirmed", "（待核实）", "(to be confirmed)"),
        ("deposit_cap_zhejiang_fen", "unconfirmed", "（待核实）", "(to be confirmed)"),
        ("ouhai_leased_deposit_per_worker_fen", "unconfirmed", "（待核实）", "(to be confirmed)"),
        (
            "migrant_service_office_threshold_workers",
            "unconfirmed",
            "（待核实）",
            "(to be confirmed)",
        ),
    ],
)
def test_a_figure_that_is_not_plainly_the_law_says_so_in_its_basis(
    name: str, status: str, zh: str, en: str
) -> None:
    basis = load_reference().param(name).basis
    assert basis.status == status
    assert basis.zh.endswith(zh) and basis.en.endswith(en)


def test_a_figure_of_the_law_carries_no_marker() -> None:
    basis = load_reference().param("probation_wage_min_ratio_bp").basis
    assert basis.status == "law"
    assert "待核实" not in basis.zh and "本系统设定" not in basis.zh


def test_every_part_of_an_unconfirmed_basis_is_marked_once() -> None:
    basis = load_reference().param("ouhai_leased_deposit_per_worker_fen").basis
    assert basis.zh.count("（待核实）") == 2
    # the English text has a semicolon inside brackets, which is not a separator
    assert basis.en.count("(to be confirmed)") == 2


def test_a_joined_basis_is_as_weak_as_its_weakest_part() -> None:
    reference = load_reference()
    assert reference.basis("probation_wage_min_ratio_bp").status == "law"
    mixed = reference.basis("probation_wage_min_ratio_bp", "mediation_committee_migrant_threshold")
    assert mixed.status == "policy"
    assert (
        reference.basis("mediation_committee_migrant_threshold", "deposit_rate_zhejiang_bp").status
        == "unconfirmed"
    )


def test_the_earlier_word_confirmed_still_reads_as_law(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    path = data / "parameters.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",law,", ",confirmed,"), "utf-8")
    assert load_reference(data).param("probation_wage_min_ratio_bp").basis.status == "law"
