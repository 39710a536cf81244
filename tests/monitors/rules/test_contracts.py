"""contract.missing and contract.probation_invalid: fires, clean, and the boundary days."""

from datetime import date, timedelta
from typing import Any

import chinese_calendar
import pandas as pd
import pytest

from monitors.base import Snapshot
from monitors.calendar import WorkCalendar, default_calendar
from monitors.engine import evaluate
from monitors.identifiers import mask_id_numbers
from monitors.reference import load_reference
from monitors.registry import RULES
from monitors.rules.contracts import contract_missing, contract_probation_invalid
from tests.monitors.snapshots import (
    Row,
    contract,
    employer,
    make_id_number,
    make_snapshot,
    worker,
)

AS_OF = date(2026, 6, 30)
WAGE = 600_000
# Monday 2026-03-16: one month later is Thursday 2026-04-16, the last day to sign.
ONE_DAY = timedelta(days=1)
START = "2026-03-16"
SIGN_BY = date(2026, 4, 16)


def snap(as_of: date, *contracts: Row, employers: list[Row] | None = None) -> Snapshot:
    """Employer 1 (Lucheng, shoes) unless given, and a worker row for every contract."""
    worker_ids = sorted({row["worker_id"] for row in contracts})
    return make_snapshot(
        as_of,
        employers=employers or [employer(1)],
        workers=[worker(worker_id) for worker_id in worker_ids],
        contracts=list(contracts),
    )


def unsigned(contract_id: int = 1, **overrides: Any) -> Row:
    """A full-time contract from START, without a written contract."""
    fields = {"start_date": START, "signed_date": None, "monthly_wage_fen": WAGE, **overrides}
    return contract(contract_id, worker_id=contract_id, **fields)


def masked(worker_id: int) -> str:
    return mask_id_numbers(pd.Series([make_id_number(worker_id)])).iloc[0]


def paid_days(first: date, last: date) -> int:
    """Working days and statutory holidays in [first, last], straight from chinese_calendar:
    a statutory holiday is a weekday off that is not a swapped day (调休)."""
    days = pd.date_range(first, last).date
    return sum(
        chinese_calendar.is_workday(day)
        or (day.weekday() < 5 and not chinese_calendar.is_in_lieu(day))
        for day in days
    )


def double_wage_fen(monthly_fen: int, first: date, last: date) -> int:
    """Data contract v2: one monthly wage per whole month from `first`, and the part month
    left over at its paid days / 21.75 (劳社部发〔2008〕3号), rounded half up, at most a wage."""
    whole = 0
    while (pd.Timestamp(first) + pd.DateOffset(months=whole + 1)).date() <= last + ONE_DAY:
        whole += 1
    part_first = (pd.Timestamp(first) + pd.DateOffset(months=whole)).date()
    days = paid_days(part_first, last) if part_first <= last else 0
    scale = round(load_reference().value("monthly_paid_days") * 100)
    part = min((monthly_fen * days * 100 + scale // 2) // scale, monthly_fen)
    return whole * monthly_fen + part


# --- contract.missing ---------------------------------------------------------------------------


def test_contract_missing_fires_when_no_contract_signed_after_one_month() -> None:
    found = contract_missing(snap(AS_OF, unsigned()))

    assert len(found) == 1
    alert = found.iloc[0]
    assert alert["employer_id"] == 1
    assert "project_id" not in found and "period" not in found
    assert alert["subject_count"] == 1
    expected = double_wage_fen(WAGE, date(2026, 4, 17), AS_OF)
    assert alert["amount_fen"] == expected
    assert alert["evidence"]["total_liability_fen"] == expected
    [record] = alert["evidence"]["workers"]
    assert record == {
        "worker": masked(1),
        "start": START,
        "sign_by": "2026-04-16",
        "signed": None,
        "double_wage_from": "2026-04-17",
        "double_wage_to": "2026-06-30",
        "whole_months": 2,
        "paid_days": paid_days(date(2026, 6, 17), AS_OF),
        "liability_fen": expected,
        "deemed_open_ended_on": None,
    }


def test_contract_missing_is_clean_when_signed_exactly_one_month_after_start() -> None:
    assert contract_missing(snap(AS_OF, unsigned(signed_date="2026-04-16"))).empty


def test_contract_missing_is_clean_when_signed_at_the_start() -> None:
    assert contract_missing(snap(AS_OF, unsigned(signed_date=START))).empty


def test_contract_missing_fires_without_liability_when_signed_one_day_late() -> None:
    # The double wage runs from the day after the one-month mark to the day before signing:
    # signed on 04-17, that window is empty, but the contract was still signed late.
    found = contract_missing(snap(AS_OF, unsigned(signed_date="2026-04-17")))

    assert found.iloc[0]["amount_fen"] == 0
    [record] = found.iloc[0]["evidence"]["workers"]
    assert record["signed"] == "2026-04-17"
    assert record["double_wage_to"] is None
    assert record["paid_days"] == 0


def test_contract_missing_owes_one_day_when_signed_two_days_late() -> None:
    assert default_calendar().is_working_day(date(2026, 4, 17))  # a Friday

    found = contract_missing(snap(AS_OF, unsigned(signed_date="2026-04-18")))

    assert found.iloc[0]["amount_fen"] == round(WAGE / 21.75) == 27_586
    [record] = found.iloc[0]["evidence"]["workers"]
    assert (record["double_wage_from"], record["double_wage_to"]) == ("2026-04-17", "2026-04-17")
    assert record["paid_days"] == 1


def test_contract_missing_counts_no_rest_day_in_the_liability() -> None:
    # Signed on Monday 04-20: Friday 04-17 owed, the weekend not.
    found = contract_missing(snap(AS_OF, unsigned(signed_date="2026-04-20")))

    assert found.iloc[0]["evidence"]["workers"][0]["paid_days"] == 1


def test_contract_missing_is_clean_on_the_last_day_to_sign() -> None:
    assert contract_missing(snap(SIGN_BY, unsigned())).empty


def test_contract_missing_fires_the_day_after_the_last_day_to_sign() -> None:
    found = contract_missing(snap(date(2026, 4, 17), unsigned()))

    assert found.iloc[0]["amount_fen"] == 27_586


def test_contract_missing_ignores_a_signature_dated_after_as_of() -> None:
    found = contract_missing(snap(AS_OF, unsigned(signed_date="2026-07-15")))

    [record] = found.iloc[0]["evidence"]["workers"]
    assert record["signed"] is None
    assert record["double_wage_to"] == "2026-06-30"


def test_contract_missing_is_clean_when_worker_left_before_the_month_was_up() -> None:
    assert contract_missing(snap(AS_OF, unsigned(left_date="2026-04-10"))).empty


def test_contract_missing_is_clean_when_worker_left_on_the_last_day_to_sign() -> None:
    assert contract_missing(snap(AS_OF, unsigned(left_date="2026-04-16"))).empty


def test_contract_missing_owes_up_to_the_last_day_worked() -> None:
    found = contract_missing(snap(AS_OF, unsigned(left_date="2026-04-17")))

    assert found.iloc[0]["amount_fen"] == 27_586
    assert found.iloc[0]["evidence"]["workers"][0]["double_wage_to"] == "2026-04-17"


def test_contract_missing_caps_the_double_wage_at_the_day_before_the_one_year_mark() -> None:
    # IR Art. 7: from the day after the one-month mark to the day before the one-year mark;
    # an open-ended contract is deemed concluded on the one-year mark. The one-month mark
    # 2025-02-15 is a Saturday: the period ends on Monday 02-17 (Civil Code Art. 203).
    found = contract_missing(snap(AS_OF, unsigned(start_date="2025-01-15")))

    [record] = found.iloc[0]["evidence"]["workers"]
    assert record["sign_by"] == "2025-02-17"
    assert record["double_wage_from"] == "2025-02-18"
    assert record["double_wage_to"] == "2026-01-14"
    assert record["deemed_open_ended_on"] == "2026-01-15"
    assert record["whole_months"] == 10
    expected = double_wage_fen(WAGE, date(2025, 2, 18), date(2026, 1, 14))
    assert found.iloc[0]["amount_fen"] == expected
    assert 10 * WAGE < expected <= 11 * WAGE


def test_contract_missing_counts_three_whole_months_as_three_monthly_wages() -> None:
    # Issue: 3 whole months unsigned at 6,000 a month is 18,000, not working days x 6,000/21.75.
    found = contract_missing(snap(date(2026, 7, 16), unsigned()))

    [record] = found.iloc[0]["evidence"]["workers"]
    assert (record["double_wage_from"], record["double_wage_to"]) == ("2026-04-17", "2026-07-16")
    assert (record["whole_months"], record["paid_days"]) == (3, 0)
    assert found.iloc[0]["amount_fen"] == 3 * WAGE == 1_800_000


@pytest.mark.parametrize(
    ("as_of", "whole", "part_days"),
    [(date(2026, 5, 15), 0, 21), (date(2026, 5, 16), 1, 0), (date(2026, 5, 18), 1, 1)],
)
def test_contract_missing_turns_a_part_month_into_a_whole_one_on_its_last_day(
    as_of: date, whole: int, part_days: int
) -> None:
    # 04-17 … 05-16 is the first whole month; the day before it is a part month of paid days.
    found = contract_missing(snap(as_of, unsigned()))

    [record] = found.iloc[0]["evidence"]["workers"]
    assert (record["whole_months"], record["paid_days"]) == (whole, part_days)
    assert found.iloc[0]["amount_fen"] == double_wage_fen(WAGE, date(2026, 4, 17), as_of)


def test_contract_missing_counts_statutory_holidays_as_paid_days() -> None:
    # Start 2026-01-14: the month ends on Saturday 02-14, a make-up working day, so the
    # deadline stays; unsigned from 02-15 (Sunday) to 02-19 (Thursday) in the Spring Festival:
    # 02-16 … 02-19 are the four statutory days (02-15 is a Sunday), all paid.
    found = contract_missing(snap(date(2026, 2, 19), unsigned(start_date="2026-01-14")))

    [record] = found.iloc[0]["evidence"]["workers"]
    assert (record["sign_by"], record["double_wage_from"]) == ("2026-02-14", "2026-02-15")
    assert record["paid_days"] == 4
    assert found.iloc[0]["amount_fen"] == (WAGE * 4 * 100 + 2175 // 2) // 2175 == 110_345


def test_contract_missing_owes_nothing_for_swapped_days_off() -> None:
    # 02-20 (Friday) and 02-23 (Monday) are days off swapped for make-up working days (调休):
    # neither statutory holidays nor working days, so not paid.
    found = contract_missing(snap(date(2026, 2, 23), unsigned(start_date="2026-01-14")))

    assert found.iloc[0]["evidence"]["workers"][0]["paid_days"] == 4


@pytest.mark.parametrize(
    ("as_of", "fires"),
    [(date(2026, 2, 23), False), (date(2026, 2, 24), False), (date(2026, 2, 25), True)],
)
def test_contract_missing_moves_a_month_ending_in_a_holiday_to_the_next_working_day(
    as_of: date, fires: bool
) -> None:
    # Start 01-17: the month ends on 02-17, in the Spring Festival; Civil Code Art. 203 moves
    # it to Tuesday 02-24, the first working day after the break.
    found = contract_missing(snap(as_of, unsigned(start_date="2026-01-17")))

    assert len(found) == int(fires)
    if fires:
        [record] = found.iloc[0]["evidence"]["workers"]
        assert (record["sign_by"], record["double_wage_from"]) == ("2026-02-24", "2026-02-25")
        assert found.iloc[0]["amount_fen"] == round(WAGE / 21.75)


def test_contract_missing_is_clean_when_signed_on_the_moved_deadline() -> None:
    assert contract_missing(
        snap(AS_OF, unsigned(start_date="2026-01-17", signed_date="2026-02-24"))
    ).empty


def test_contract_missing_deems_no_open_ended_contract_before_the_one_year_mark() -> None:
    found = contract_missing(snap(date(2026, 1, 14), unsigned(start_date="2025-01-15")))

    assert found.iloc[0]["evidence"]["workers"][0]["deemed_open_ended_on"] is None


def test_contract_missing_counts_weekdays_outside_the_calendar_table() -> None:
    snapshot = snap(date(2026, 3, 20), unsigned(start_date="2026-01-05"))
    snapshot.calendar = WorkCalendar(date(2026, 4, 1), date(2026, 12, 31))

    found = contract_missing(snapshot)

    record = found.iloc[0]["evidence"]["workers"][0]
    assert (record["double_wage_from"], record["double_wage_to"]) == ("2026-02-06", "2026-03-20")
    # one whole month to 03-05; 03-06 … 03-20 before the table: Monday to Friday.
    assert record["whole_months"] == 1
    assert record["paid_days"] == len(pd.bdate_range("2026-03-06", "2026-03-20"))


def test_contract_missing_ignores_part_time_work() -> None:
    # LCL Art. 69: part-time work may rest on an oral agreement.
    assert contract_missing(snap(AS_OF, unsigned(employment_type="part_time"))).empty


def test_contract_missing_ignores_contracts_starting_after_as_of() -> None:
    assert contract_missing(snap(AS_OF, unsigned(start_date="2026-07-01"))).empty


def test_contract_missing_raises_one_alert_per_employer() -> None:
    found = contract_missing(
        snap(
            AS_OF,
            unsigned(1),
            unsigned(2, signed_date="2026-04-18"),
            unsigned(3, signed_date="2026-04-16"),  # in time
            unsigned(4, employer_id=2),
            employers=[employer(1), employer(2)],
        )
    ).set_index("employer_id")

    assert found["subject_count"].to_dict() == {1: 2, 2: 1}
    full = double_wage_fen(WAGE, date(2026, 4, 17), AS_OF)
    assert found["amount_fen"].to_dict() == {1: full + 27_586, 2: full}
    workers = [record["worker"] for record in found.loc[1, "evidence"]["workers"]]
    assert workers == sorted([masked(1), masked(2)])


def test_contract_missing_is_empty_on_empty_frames() -> None:
    assert contract_missing(make_snapshot(AS_OF)).empty


def test_contract_missing_passes_through_the_engine() -> None:
    findings = evaluate(snap(AS_OF, unsigned()), {"contract.missing": RULES["contract.missing"]})

    [alert] = findings.to_dict("records")
    assert alert["rule"] == "contract.missing"
    assert alert["severity"] == "high"
    assert alert["project_code"] == "" and alert["period"] == ""
    assert alert["amount_fen"] == double_wage_fen(WAGE, date(2026, 4, 17), AS_OF)
    assert "第八十二条" in alert["legal_basis_zh"]


# --- contract.probation_invalid -----------------------------------------------------------------


def on_probation(contract_id: int = 1, **overrides: Any) -> Row:
    """A signed fixed-term contract from 2026-03-10 with a probation; override the rest."""
    fields = {"start_date": "2026-03-10", "term_type": "fixed", "monthly_wage_fen": WAGE}
    return contract(contract_id, worker_id=contract_id, **{**fields, **overrides})


def reasons(found: pd.DataFrame) -> list[list[str]]:
    return [record["reasons"] for record in found.iloc[0]["evidence"]["contracts"]]


@pytest.mark.parametrize(
    ("end_date", "probation_end"),
    [
        ("2026-06-09", "2026-04-09"),  # a 3-month term allows 1 month
        ("2027-03-09", "2026-05-09"),  # a 1-year term allows 2 months
        ("2029-03-09", "2026-09-09"),  # a 3-year term allows 6 months
        (None, "2026-09-09"),  # open-ended: 6 months
    ],
)
def test_probation_invalid_is_clean_at_exactly_the_longest_probation(
    end_date: str | None, probation_end: str
) -> None:
    term = {"term_type": "open_ended"} if end_date is None else {"end_date": end_date}
    row = on_probation(probation_end=probation_end, **term)

    assert contract_probation_invalid(snap(AS_OF, row)).empty


@pytest.mark.parametrize(
    ("end_date", "probation_end", "band", "limit"),
    [
        ("2026-06-09", "2026-04-10", "3m_to_1y", 1),
        ("2027-03-09", "2026-05-10", "1y_to_3y", 2),
        ("2029-03-09", "2026-09-10", "3y_plus", 6),
        (None, "2026-09-10", "open_ended", 6),
    ],
)
def test_probation_invalid_fires_one_day_past_the_longest_probation(
    end_date: str | None, probation_end: str, band: str, limit: int
) -> None:
    term = {"term_type": "open_ended"} if end_date is None else {"end_date": end_date}
    found = contract_probation_invalid(
        snap(AS_OF, on_probation(probation_end=probation_end, **term))
    )

    assert found.iloc[0]["subject_count"] == 1
    [record] = found.iloc[0]["evidence"]["contracts"]
    assert record["reasons"] == ["too_long"]
    assert record["term_band"] == band
    assert record["probation_max_months"] == limit
    assert record["probation_until"] == probation_end
    assert record["worker"] == masked(1)


def test_probation_invalid_reads_a_term_one_day_short_of_a_year_as_under_a_year() -> None:
    row = on_probation(end_date="2027-03-08", probation_end="2026-05-09")

    found = contract_probation_invalid(snap(AS_OF, row))

    [record] = found.iloc[0]["evidence"]["contracts"]
    assert (record["term_band"], record["probation_max_months"]) == ("3m_to_1y", 1)
    assert record["lawful_probation_until"] == "2026-04-09"


def test_probation_invalid_fires_on_any_probation_in_a_term_under_three_months() -> None:
    row = on_probation(end_date="2026-06-08", probation_end="2026-03-20")

    found = contract_probation_invalid(snap(AS_OF, row))

    [record] = found.iloc[0]["evidence"]["contracts"]
    assert (record["reasons"], record["term_band"]) == (["none_allowed"], "under_3m")


@pytest.mark.parametrize(
    ("overrides", "band"),
    [
        ({"term_type": "task"}, "task"),
        ({"employment_type": "part_time", "term_type": "open_ended"}, "part_time"),
    ],
)
def test_probation_invalid_fires_where_no_probation_is_allowed(
    overrides: dict[str, str], band: str
) -> None:
    row = on_probation(probation_end="2026-03-15", **overrides)

    found = contract_probation_invalid(snap(AS_OF, row))

    [record] = found.iloc[0]["evidence"]["contracts"]
    assert (record["reasons"], record["term_band"]) == (["none_allowed"], band)


def test_probation_invalid_skips_the_length_of_a_fixed_term_without_end_date() -> None:
    row = on_probation(end_date=None, probation_end="2027-03-09")

    assert contract_probation_invalid(snap(AS_OF, row)).empty


def test_probation_invalid_is_clean_at_exactly_80_percent_of_the_wage() -> None:
    row = on_probation(
        term_type="open_ended", probation_end="2026-05-09", probation_wage_fen=480_000
    )

    assert contract_probation_invalid(snap(AS_OF, row)).empty


def test_probation_invalid_fires_one_fen_below_80_percent_of_the_wage() -> None:
    row = on_probation(
        term_type="open_ended", probation_end="2026-05-09", probation_wage_fen=479_999
    )

    found = contract_probation_invalid(snap(AS_OF, row))

    [record] = found.iloc[0]["evidence"]["contracts"]
    assert record["reasons"] == ["wage_below_floor"]
    assert (record["wage_floor_fen"], record["shortfall_per_month_fen"]) == (480_000, 1)
    assert "amount_fen" not in found


def test_probation_invalid_checks_the_wage_of_a_fixed_term_without_end_date() -> None:
    row = on_probation(end_date=None, probation_end="2026-04-09", probation_wage_fen=400_000)

    assert reasons(contract_probation_invalid(snap(AS_OF, row))) == [["wage_below_floor"]]


def test_probation_invalid_lists_every_reason_of_a_contract() -> None:
    row = on_probation(end_date="2027-03-09", probation_end="2026-05-10", probation_wage_fen=1)

    assert reasons(contract_probation_invalid(snap(AS_OF, row))) == [
        ["too_long", "wage_below_floor"]
    ]


def test_probation_invalid_holds_the_wage_to_the_local_minimum() -> None:
    # 80 % of 3,000 is 2,400, below Lucheng's 2,490 minimum (tier 1 from 2024-01-01).
    minimum = 249_000
    lawful = on_probation(
        1, term_type="open_ended", probation_end="2026-04-09", monthly_wage_fen=300_000,
        probation_wage_fen=minimum,
    )  # fmt: skip
    unlawful = on_probation(
        2, term_type="open_ended", probation_end="2026-04-09", monthly_wage_fen=300_000,
        probation_wage_fen=minimum - 1,
    )  # fmt: skip

    found = contract_probation_invalid(snap(AS_OF, lawful, unlawful))

    [record] = found.iloc[0]["evidence"]["contracts"]
    assert record["worker"] == masked(2)
    assert (record["minimum_wage_fen"], record["wage_floor_fen"]) == (minimum, minimum)


def test_probation_invalid_uses_the_minimum_wage_of_the_month_the_probation_starts() -> None:
    # 2,300: above the 2021 standard (2,280), below the 2024 one (2,490).
    def starting(contract_id: int, day: str, probation_end: str) -> Row:
        return on_probation(
            contract_id, start_date=day, term_type="open_ended", probation_end=probation_end,
            monthly_wage_fen=280_000, probation_wage_fen=230_000,
        )  # fmt: skip

    found = contract_probation_invalid(
        snap(
            AS_OF, starting(1, "2023-12-31", "2024-01-30"), starting(2, "2024-01-01", "2024-01-31")
        )
    )

    [record] = found.iloc[0]["evidence"]["contracts"]
    assert (record["worker"], record["minimum_wage_fen"]) == (masked(2), 249_000)


def test_probation_invalid_ignores_contracts_starting_after_as_of() -> None:
    row = on_probation(start_date="2026-07-01", term_type="task", probation_end="2026-07-10")

    assert contract_probation_invalid(snap(AS_OF, row)).empty


def test_probation_invalid_raises_one_alert_per_employer_counting_contracts() -> None:
    found = contract_probation_invalid(
        snap(
            AS_OF,
            on_probation(1, term_type="task", probation_end="2026-03-20"),
            on_probation(2, end_date="2027-03-09", probation_end="2026-06-09"),
            on_probation(3, end_date="2027-03-09", probation_end="2026-04-09"),  # lawful
            on_probation(4, employer_id=2, term_type="task", probation_end="2026-03-20"),
            employers=[employer(1), employer(2)],
        )
    ).set_index("employer_id")

    assert found["subject_count"].to_dict() == {1: 2, 2: 1}


def test_probation_invalid_is_empty_on_empty_frames() -> None:
    assert contract_probation_invalid(make_snapshot(AS_OF)).empty


def test_probation_invalid_passes_through_the_engine() -> None:
    row = on_probation(term_type="task", probation_end="2026-03-20")
    rules = {"contract.probation_invalid": RULES["contract.probation_invalid"]}

    [alert] = evaluate(snap(AS_OF, row), rules).to_dict("records")

    assert alert["rule"] == "contract.probation_invalid"
    assert alert["severity"] == "medium"
    assert alert["subject_count"] == 1
    assert pd.isna(alert["amount_fen"])
    assert "第十九条" in alert["legal_basis_zh"]


# --- one probation per employer and worker (LCL Art. 19 ¶2) ------------------------------------


def first_and_second(second_start: str, **second: Any) -> tuple[Row, Row]:
    """Worker 1 on a lawful one-year contract with one month's probation from 2026-01-05, left
    on 2026-03-31; rehired by the same employer from `second_start` with another probation."""
    first = contract(
        1, worker_id=1, start_date="2026-01-05", term_type="fixed", end_date="2027-01-04",
        probation_end="2026-02-04", probation_wage_fen=WAGE, left_date="2026-03-31",
    )  # fmt: skip
    fields = {
        "start_date": second_start, "term_type": "fixed", "end_date": "2027-04-30",
        "probation_end": "2026-05-31", "probation_wage_fen": WAGE,
    }  # fmt: skip
    again = contract(2, worker_id=1, **{**fields, **second})
    return first, again


@pytest.mark.parametrize(
    ("as_of", "fires"),
    [(date(2026, 4, 30), False), (date(2026, 5, 1), True), (date(2026, 5, 2), True)],
)
def test_probation_invalid_fires_on_a_second_probation_from_its_start(
    as_of: date, fires: bool
) -> None:
    found = contract_probation_invalid(snap(as_of, *first_and_second("2026-05-01")))

    assert len(found) == int(fires)
    if fires:
        assert found.iloc[0]["subject_count"] == 1
        [record] = found.iloc[0]["evidence"]["contracts"]
        assert record["reasons"] == ["second_probation"]
        assert record["start"] == "2026-05-01"


def test_probation_invalid_allows_a_rehire_without_probation() -> None:
    first, again = first_and_second("2026-05-01", probation_end=None, probation_wage_fen=None)

    assert contract_probation_invalid(snap(AS_OF, first, again)).empty


def test_probation_invalid_allows_one_probation_with_each_employer() -> None:
    first, again = first_and_second("2026-05-01", employer_id=2)

    found = contract_probation_invalid(
        snap(AS_OF, first, again, employers=[employer(1), employer(2)])
    )

    assert found.empty


def test_probation_invalid_second_probation_passes_through_the_engine() -> None:
    rules = {"contract.probation_invalid": RULES["contract.probation_invalid"]}
    [alert] = evaluate(snap(AS_OF, *first_and_second("2026-05-01")), rules).to_dict("records")

    assert "第十九条第二款" in alert["legal_basis_zh"]
