"""The risk-tier table applied to small alert frames: one employer per row of the table."""

from datetime import date

import pandas as pd
import pytest

from service.risk.scoring import ALERT_COLUMNS, score
from service.risk.service import explain, tier_table

AS_OF = date(2026, 11, 30)
THRESHOLD_FEN = 3_000_000  # criminal_threshold_group_min_fen in data/parameters.csv


def alert(
    employer_id: int,
    rule: str,
    *,
    severity="medium",
    status="open",
    period="",
    amount_fen=None,
    first_seen=date(2026, 11, 1),
) -> dict:
    return dict(
        zip(
            ALERT_COLUMNS,
            (employer_id, rule, severity, status, period, amount_fen, first_seen),
            strict=True,
        )
    )


def scored(rows: list[dict], employers: list[int], reference) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(ALERT_COLUMNS))
    found = score(frame, employers, table=tier_table(), reference=reference, as_of=AS_OF)
    return found.set_index("employer_id")


def rules_of(found: pd.DataFrame, employer_id: int) -> list[str]:
    return [r["rule"] for r in found.loc[employer_id, "reasons"]]


CASES = [
    (
        "red_open_critical_alert",
        "red",
        [alert(1, "insurance.work_injury_uncovered", severity="critical")],
    ),
    (
        "red_arrears_amount",
        "red",
        [alert(1, "wages.unpaid", severity="high", period="2026-10", amount_fen=THRESHOLD_FEN)],
    ),
    (
        "orange_arrears_three_months",
        "orange",
        [alert(1, "wages.unpaid", period="2026-08", amount_fen=100_000)],
    ),
    (
        "orange_repeated_arrears",
        "orange",
        [
            alert(
                1,
                "wages.unpaid",
                status="resolved",
                period="2026-03",
                amount_fen=1,
                first_seen=date(2026, 4, 20),
            ),
            alert(
                1,
                "wages.unpaid",
                status="resolved",
                period="2026-06",
                amount_fen=1,
                first_seen=date(2026, 7, 20),
            ),
        ],
    ),
    ("orange_deposit_missing", "orange", [alert(1, "deposit.missing", severity="high")]),
    ("yellow_open_alert", "yellow", [alert(1, "contracts.missing", severity="medium")]),
    ("green_default", "green", []),
]


@pytest.mark.parametrize(("rule", "tier", "rows"), CASES, ids=[c[0] for c in CASES])
def test_each_row_of_the_table_gives_its_tier(rule, tier, rows, reference):
    found = scored(rows, [1], reference)
    assert found.loc[1, "tier"] == tier
    assert rule in rules_of(found, 1)


def test_the_strongest_tier_wins_and_every_holding_row_is_a_reason(reference):
    rows = [
        alert(1, "wages.unpaid", period="2026-08", amount_fen=THRESHOLD_FEN + 1),
        alert(2, "contracts.missing"),
    ]
    found = scored(rows, [1, 2, 3], reference)
    assert found["tier"].to_dict() == {1: "red", 2: "yellow", 3: "green"}
    assert rules_of(found, 1) == [
        "red_arrears_amount",
        "orange_arrears_three_months",
        "yellow_open_alert",
    ]
    assert found.loc[1, "reasons"][0] == {
        "rule": "red_arrears_amount",
        "figure": THRESHOLD_FEN + 1,
        "threshold": THRESHOLD_FEN,
    }
    assert rules_of(found, 3) == ["green_default"]  # only when nothing else holds


def test_just_below_each_threshold_is_not_a_reason(reference):
    rows = [
        alert(1, "wages.unpaid", period="2026-09", amount_fen=THRESHOLD_FEN - 1),  # 2 months
        alert(
            1,
            "wages.unpaid",
            status="resolved",
            period="2025-01",
            amount_fen=1,
            first_seen=date(2025, 2, 1),
        ),  # outside the 12 months
    ]
    found = scored(rows, [1], reference)
    assert found.loc[1, "tier"] == "yellow"
    assert rules_of(found, 1) == ["yellow_open_alert"]


def test_reasons_read_in_words_with_the_legal_basis(reference):
    found = scored(
        [alert(1, "wages.unpaid", period="2026-08", amount_fen=THRESHOLD_FEN)], [1], reference
    )
    zh = explain(found.loc[1, "reasons"], "zh-CN")
    assert zh[0].text.startswith("未支付的到期工资合计")
    assert "¥30,000.00" in (zh[0].figure or "")
    assert "第三条" in (zh[0].legal_basis or "")
    en = explain(found.loc[1, "reasons"], "en")
    assert en[1].figure == "Longest unpaid: 3 month(s) (threshold: 3 or more)"
