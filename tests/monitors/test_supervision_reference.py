"""The supervision tables under data/: employer risk tiers and the county assessment load,
cite the parameters they use, and a malformed row is refused naming file and line."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from monitors.reference import (
    DEFAULT_DATA_DIR,
    ReferenceDataError,
    county_score,
    in_force,
    indicator_points,
    load_assessment,
    load_reference,
    load_risk_tiers,
)
from monitors.registry import all_rules

Rows = list[list[str]]


def test_risk_tiers_cover_all_four_tiers_with_a_green_default() -> None:
    tiers = load_risk_tiers()

    assert set(tiers["tier"]) == {"red", "orange", "yellow", "green"}
    default = tiers[tiers["measure"] == "always"]
    assert default["tier"].tolist() == ["green"]
    assert tiers["order"].is_monotonic_increasing
    assert (tiers["reason_zh"] != "").all() and (tiers["reason_en"] != "").all()


def test_risk_thresholds_are_read_from_the_legal_parameters() -> None:
    tiers = load_risk_tiers().set_index("rule_id")
    reference = load_reference()

    amount = tiers.loc["red_arrears_amount", "threshold_parameter"]
    months = tiers.loc["orange_arrears_three_months", "threshold_parameter"]
    assert reference.value(amount) == 3_000_000  # CNY 30,000, SPC interpretation Art. 3
    assert reference.value(months) == 3
    repeated = tiers.loc["orange_repeated_arrears"]
    assert (repeated["threshold"], repeated["window_months"]) == (2, 12)
    assert repeated["alert_rules"] == "wages.unpaid"


def test_risk_tier_rows_are_marked_as_set_by_this_service() -> None:
    tiers = load_risk_tiers().set_index("rule_id")

    assert tiers.loc["red_arrears_amount", "legal_basis_zh"].endswith("（本系统设定）")
    assert tiers.loc["red_arrears_amount", "legal_basis_en"].endswith(" (set by this service)")
    assert tiers.loc["green_default", "legal_basis_zh"] == "n/a"


def test_risk_tier_alert_rules_name_real_monitor_rules() -> None:
    named = set(" ".join(load_risk_tiers()["alert_rules"]).split())

    assert named <= set(all_rules())


def test_assessment_weights_add_up_to_100_and_each_measure_appears_once() -> None:
    indicators = in_force(load_assessment(), date(2026, 11, 30))

    assert indicators["weight"].sum() == 100
    assert indicators["measure"].is_unique
    assert set(indicators["unit"]) == {"bp", "days"}


def test_assessment_figures_from_the_wenzhou_policy_are_to_be_confirmed() -> None:
    indicators = load_assessment().set_index("indicator_id")
    reference = load_reference()

    staffing = indicators.loc["coordinator_staffing"]
    assert staffing["status"] == "unconfirmed"
    assert staffing["legal_basis_zh"].endswith("（待核实）")
    assert reference.value(staffing["parameters"]) == 500
    mediation = indicators.loc["mediation_within_period"]
    assert (mediation["status"], reference.value(mediation["parameters"])) == ("law", 15)


@pytest.mark.parametrize(
    ("value", "points"),
    [(10000, 20.0), (10500, 20.0), (9000, 10.0), (8000, 0.0), (5000, 0.0), (None, None)],
)
def test_share_points_are_linear_between_floor_and_target(
    value: int | None, points: float | None
) -> None:
    assert indicator_points(value, weight=20, target=10000, floor=8000) == points


@pytest.mark.parametrize(("days", "points"), [(1, 10.0), (3, 10.0), (9, 5.0), (15, 0.0), (40, 0.0)])
def test_duration_points_fall_as_the_days_grow(days: int, points: float) -> None:
    assert indicator_points(days, weight=10, target=3, floor=15) == points


def test_county_score_leaves_out_indicators_without_cases() -> None:
    weights = {"deposit": 20, "mediation": 15, "staffing": 15}  # of 50 here, not 100

    assert county_score({"deposit": 20.0, "mediation": 7.5, "staffing": 7.5}, weights) == 70.0
    assert county_score({"deposit": 10.0, "mediation": None, "staffing": 7.5}, weights) == 50.0
    assert county_score({"deposit": None, "mediation": None, "staffing": None}, weights) is None


def test_in_force_respects_valid_from_and_valid_to() -> None:
    rows = pd.DataFrame(
        {
            "id": ["old", "new"],
            "valid_from": pd.to_datetime(["2020-01-01", "2025-01-01"]),
            "valid_to": pd.to_datetime(["2024-12-31", None]),
        }
    )

    assert in_force(rows, date(2024, 12, 31))["id"].tolist() == ["old"]
    assert in_force(rows, date(2025, 1, 1))["id"].tolist() == ["new"]
    assert in_force(rows, date(2019, 12, 31)).empty


# --- malformed files ------------------------------------------------------------------------


def _line_of(rows: Rows, column: str, value: str) -> int:
    position = rows[0].index(column)
    return next(number for number, row in enumerate(rows, 1) if row[position] == value)


@dataclass(frozen=True)
class Defect:
    """One value spoilt in a supervision table, and what the loader must say about it."""

    name: str
    file: str
    row: tuple[str, str]  # the (column, value) that finds the row to spoil
    change: tuple[str, str]  # the (column, value) written into it
    message: str
    line: int | None = None  # where the loader reports it, when not the spoilt row


RISK_TIERS, ASSESSMENT = "risk_tiers.csv", "assessment.csv"
DEFECTS = [
    Defect(
        "unknown_parameter",
        RISK_TIERS,
        ("rule_id", "red_arrears_amount"),
        ("threshold_parameter", "criminal_threshold_gang_fen"),
        "parameter criminal_threshold_gang_fen is not in parameters.csv",
    ),
    Defect(
        "parameter_in_the_wrong_unit",
        RISK_TIERS,
        ("rule_id", "red_arrears_amount"),
        ("threshold_parameter", "criminal_threshold_single_months"),
        "is in months, the measure needs fen",
    ),
    Defect(
        "threshold_twice",
        RISK_TIERS,
        ("rule_id", "orange_arrears_three_months"),
        ("threshold", "4"),
        "give exactly one of threshold and threshold_parameter",
    ),
    Defect(
        "periods_without_window",
        RISK_TIERS,
        ("rule_id", "orange_repeated_arrears"),
        ("window_months", ""),
        "measure arrears_periods needs window_months and alert_rules",
    ),
    Defect(
        "unknown_tier",
        RISK_TIERS,
        ("rule_id", "yellow_open_alert"),
        ("tier", "amber"),
        "tier 'amber' is not one of red, orange, yellow, green",
    ),
    Defect(
        "weights_off",
        ASSESSMENT,
        ("indicator_id", "deposit_coverage"),
        ("weight", "25"),
        "weights in force on 2020-05-01 add up to 105, not 100",
        line=2,  # a sum is reported at the first data row
    ),
    Defect(
        "share_above_whole",
        ASSESSMENT,
        ("indicator_id", "arrears_settled"),
        ("target", "12000"),
        "target 12000 is above 10000 bp",
    ),
    Defect(
        "measure_in_the_wrong_unit",
        ASSESSMENT,
        ("indicator_id", "alert_handling_days"),
        ("unit", "bp"),
        "measure alert_handling_days is in days",
    ),
]
LOADERS = {"risk_tiers.csv": load_risk_tiers, "assessment.csv": load_assessment}


@pytest.mark.parametrize("defect", DEFECTS, ids=[defect.name for defect in DEFECTS])
def test_a_malformed_supervision_table_is_refused_naming_file_and_line(
    tmp_path: Path, defect: Defect
) -> None:
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data, ignore=shutil.ignore_patterns("demo", "*.md"))
    file = defect.file
    path = data / file
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    spoilt = _line_of(rows, *defect.row)
    column, value = defect.change
    rows[spoilt - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)

    with pytest.raises(ReferenceDataError) as caught:
        LOADERS[file](data)

    assert (caught.value.file, caught.value.line) == (f"data/{file}", defect.line or spoilt)
    assert defect.message in str(caught.value).splitlines()[0]


def test_a_table_without_a_default_tier_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data, ignore=shutil.ignore_patterns("demo", "*.md"))
    lines = (data / "risk_tiers.csv").read_text(encoding="utf-8").splitlines()
    (data / "risk_tiers.csv").write_text(
        "\n".join(line for line in lines if "green_default" not in line) + "\n", "utf-8"
    )

    with pytest.raises(ReferenceDataError, match="needs a row with measure always"):
        load_risk_tiers(data)
