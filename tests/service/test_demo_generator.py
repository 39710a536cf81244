"""The demo data set: contract-shaped, valid, deterministic, and clean except where planted.

The last group of tests re-derives every alert with small, independent checks of the rules in
the data contract and asserts they find exactly the planted violations — so the demo's clean
part stays clean and each planted violation is visible.
"""

import hashlib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitors.calendar import default_calendar
from monitors.identifiers import valid_id_numbers, valid_uscc
from monitors.reference import Reference, load_reference
from service.demo import DemoManifest, generate_demo, generate_frames
from tests.monitors.several_cities import two_city_data_dir

AS_OF = date(2026, 11, 30)

# Column lists copied from the data contract (shared/contract/data-contract.md §1), plus the
# project's extension file and the expected-alerts file.
CONTRACT_COLUMNS = {
    "employers": [
        "uscc", "name", "industry_code", "county_code", "town", "leased_premises",
        "contact_email", "service_office", "liaison_name",
    ],
    "workers": ["id_number", "name", "phone", "hukou_county_code"],
    "contracts": [
        "employer_uscc", "worker_id_number", "start_date", "signed_date", "term_type",
        "end_date", "employment_type", "probation_end", "monthly_wage", "hourly_wage",
        "probation_wage", "pay_day", "left_date", "project_code",
    ],
    "payroll": [
        "employer_uscc", "worker_id_number", "period", "amount_due", "amount_paid", "paid_date",
        "hours_worked",
    ],
    "projects": [
        "project_code", "name", "contractor_uscc", "county_code", "industry_code",
        "contract_value", "contract_signed_date", "permit_date", "completion_date",
    ],
    "deposit_events": [
        "employer_uscc", "project_code", "event", "date", "amount", "reference", "expiry_date",
    ],
    "insurance": ["employer_uscc", "worker_id_number", "project_code", "start_date", "end_date"],
    "mediation_committees": [
        "code", "name", "kind", "employer_uscc", "county_code", "town", "contact_email",
    ],
    "coordinators": ["county_code", "year", "coordinators", "registered_migrants"],
    "expected_alerts": ["rule", "employer_uscc", "project_code", "period"],
}  # fmt: skip
KEYS = {
    "employers": ["uscc"],
    "workers": ["id_number"],
    "contracts": ["employer_uscc", "worker_id_number", "start_date"],
    "payroll": ["employer_uscc", "worker_id_number", "period"],
    "projects": ["project_code"],
    "deposit_events": ["employer_uscc", "project_code", "event", "date", "reference"],
    "insurance": ["employer_uscc", "worker_id_number", "project_code", "start_date"],
    "mediation_committees": ["code"],
    "coordinators": ["county_code", "year"],
}
ALL_RULES = {
    "deposit.missing", "deposit.shortfall", "deposit.not_replenished", "wages.unpaid",
    "wages.unreported", "wages.below_minimum", "contract.missing", "contract.probation_invalid",
    "insurance.work_injury_uncovered", "mediation.overdue", "complaints.cluster",
    "mediation.committee_missing", "institution.missing",
}  # fmt: skip
NEEDS_COMPLAINTS = {"mediation.overdue", "complaints.cluster"}
DATE_COLUMNS = {
    "contracts": ["start_date", "signed_date", "end_date", "probation_end", "left_date"],
    "payroll": ["paid_date"],
    "projects": ["contract_signed_date", "permit_date", "completion_date"],
    "deposit_events": ["date", "expiry_date"],
    "insurance": ["start_date", "end_date"],
}
MONEY_COLUMNS = {
    "contracts": ["monthly_wage", "hourly_wage", "probation_wage"],
    "payroll": ["amount_due", "amount_paid"],
    "projects": ["contract_value"],
    "deposit_events": ["amount"],
}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate_demo(tmp_path_factory.mktemp("demo"), as_of=AS_OF)


@pytest.fixture(scope="module")
def raw(manifest: DemoManifest) -> dict[str, pd.DataFrame]:
    """The files as text, exactly as an importer would read them."""
    return {
        name: pd.read_csv(manifest.path(name), dtype=str, keep_default_na=False)
        for name in CONTRACT_COLUMNS
    }


@pytest.fixture(scope="module")
def files(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The files typed: dates as datetime64, money as integer fen, empty text as NA."""
    typed = {}
    for name, frame in raw.items():
        frame = frame.replace("", pd.NA)
        for column in DATE_COLUMNS.get(name, []):
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
        for column in MONEY_COLUMNS.get(name, []):
            frame[column] = (pd.to_numeric(frame[column]) * 100).round().astype("Int64")
        typed[name] = frame
    return typed


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference()


# --- shape ------------------------------------------------------------------------------------


def test_every_file_has_exactly_the_contract_columns(raw: dict[str, pd.DataFrame]) -> None:
    for name, columns in CONTRACT_COLUMNS.items():
        assert list(raw[name].columns) == columns, name


def test_files_are_plain_utf8_csv_with_a_header(manifest: DemoManifest) -> None:
    for name, columns in CONTRACT_COLUMNS.items():
        text = (manifest.path(name)).read_bytes().decode("utf-8")
        assert text.splitlines()[0] == ",".join(columns)
        assert '"' not in text


def test_manifest_counts_the_rows_of_every_file(
    manifest: DemoManifest, raw: dict[str, pd.DataFrame]
) -> None:
    assert manifest.row_counts == {name: len(frame) for name, frame in raw.items()}
    assert len(manifest.expected_alerts) == len(raw["expected_alerts"])


def test_scale_one_is_a_few_hundred_employers_and_thousands_of_workers(
    manifest: DemoManifest,
) -> None:
    counts = manifest.row_counts
    assert 250 <= counts["employers"] <= 350
    # With a factory of over 100 migrant workers in each county (the service-office indicator
    # of the county assessment): about 1,300 workers and 15,000 payroll rows more than before.
    assert 2_500 <= counts["workers"] <= 6_000
    assert 28_000 <= counts["payroll"] <= 60_000


def test_keys_are_unique(raw: dict[str, pd.DataFrame]) -> None:
    for name, key in KEYS.items():
        assert not raw[name].duplicated(subset=key).any(), name


def test_same_seed_gives_byte_identical_files(manifest: DemoManifest, tmp_path: Path) -> None:
    again = generate_demo(tmp_path, as_of=AS_OF)
    for name in CONTRACT_COLUMNS:
        first = (manifest.path(name)).read_bytes()
        assert (again.path(name)).read_bytes() == first, name


# The first 16 hex digits of each file's SHA-256 for seed 2026, scale 1, AS_OF. A change of the
# generator's code that is not meant to change the data (a refactoring) must leave these alone;
# one that is meant to change it updates them in the same commit.
RECORDED_DIGESTS = {
    "employers": "ce1ac7156513c35a",
    "workers": "01af295ce0c4c14a",
    "contracts": "2a99f3101f6661ef",
    "payroll": "4a400265d750b4bd",
    "projects": "bf2cfa6d49914405",
    "deposit_events": "bffa572666dd4f1d",
    "insurance": "8c7afbbcda4a2292",
    "mediation_committees": "9c21ca3c7e00ad07",
    "coordinators": "c0c1874451fe9665",
    "expected_alerts": "11a00bfaea13a3a7",
}


def test_the_data_set_is_the_recorded_one(manifest: DemoManifest) -> None:
    digests = {
        name: hashlib.sha256(manifest.path(name).read_bytes()).hexdigest()[:16]
        for name in RECORDED_DIGESTS
    }
    assert digests == RECORDED_DIGESTS


def test_another_seed_gives_another_data_set(raw: dict[str, pd.DataFrame]) -> None:
    other = generate_frames(seed=7, as_of=AS_OF)
    assert set(other["employers"]["uscc"]).isdisjoint(raw["employers"]["uscc"])


def test_scale_two_roughly_doubles_the_rows(manifest: DemoManifest) -> None:
    doubled = generate_frames(scale=2, as_of=AS_OF)
    for name in ("employers", "workers", "contracts", "payroll", "insurance", "projects"):
        ratio = len(doubled[name]) / manifest.row_counts[name]
        assert 1.7 <= ratio <= 2.3, (name, ratio)


# --- validity ---------------------------------------------------------------------------------


def test_every_identifier_passes_its_check_digit(raw: dict[str, pd.DataFrame]) -> None:
    usccs = [
        raw["employers"]["uscc"], raw["contracts"]["employer_uscc"],
        raw["payroll"]["employer_uscc"], raw["projects"]["contractor_uscc"],
        raw["deposit_events"]["employer_uscc"], raw["insurance"]["employer_uscc"],
    ]  # fmt: skip
    for codes in usccs:
        assert valid_uscc(codes).all()
    for codes in (raw["workers"]["id_number"], raw["payroll"]["worker_id_number"]):
        assert valid_id_numbers(codes).all()
    personal = raw["insurance"]["worker_id_number"]
    assert valid_id_numbers(personal[personal != ""]).all()


def test_employers_are_registered_in_wenzhou_counties_and_towns(
    raw: dict[str, pd.DataFrame], reference: Reference
) -> None:
    employers = raw["employers"]
    assert employers["county_code"].isin(reference.county_codes()).all()
    assert (employers["uscc"].str.slice(2, 8) == employers["county_code"]).all()
    towns = set(zip(reference.towns["county_code"], reference.towns["name_zh"], strict=True))
    pairs = zip(employers["county_code"], employers["town"], strict=True)
    assert all(pair in towns for pair in pairs)
    assert employers["industry_code"].isin(reference.industries.index).all()
    assert raw["projects"]["industry_code"].isin(reference.industries.index).all()


def test_employers_spread_over_the_counties_of_every_city(tmp_path: Path) -> None:
    """Given reference data with several cities (a benchmark's province), every county of each
    gets employers, in its own towns."""
    reference = load_reference(two_city_data_dir(tmp_path / "data"))
    employers = generate_frames(as_of=AS_OF, reference=reference)["employers"]
    assert set(employers["county_code"]) == set(reference.county_codes())
    assert {"330102", "330106"} <= set(employers["county_code"])
    towns = set(zip(reference.towns["county_code"], reference.towns["name_zh"], strict=True))
    pairs = zip(employers["county_code"], employers["town"], strict=True)
    assert all(pair in towns for pair in pairs)


def test_workers_are_adults_mostly_migrants_with_plausible_phones(
    files: dict[str, pd.DataFrame],
) -> None:
    workers = files["workers"].set_index("id_number")
    contracts = files["contracts"]
    birth = pd.to_datetime(contracts["worker_id_number"].str.slice(6, 14), format="%Y%m%d")
    age_at_start = (contracts["start_date"] - birth).dt.days / 365.25
    assert age_at_start.between(18, 60).all()
    migrant = ~workers["hukou_county_code"].str.startswith("3303")
    assert 0.7 <= migrant.mean() <= 0.95
    assert (workers.index.str.slice(0, 6) == workers["hukou_county_code"]).all()
    assert workers["phone"].str.fullmatch(r"1[3-9]\d{9}").all()


def test_wages_are_well_above_the_minimum_and_paid_on_time(
    files: dict[str, pd.DataFrame],
) -> None:
    contracts = files["contracts"]
    full_time = contracts[contracts["employment_type"] == "full_time"]
    assert full_time["monthly_wage"].between(400_000, 900_000).all()
    assert contracts["pay_day"].astype(int).between(5, 15).all()
    payroll = files["payroll"].merge(
        contracts[["employer_uscc", "worker_id_number", "pay_day"]],
        on=["employer_uscc", "worker_id_number"],
    )
    due = _due_dates(payroll["period"], payroll["pay_day"].astype(int))
    late = payroll[payroll["paid_date"] > due]
    # On time, except one month at one employer per county, paid in full but late (so the
    # monitors runs of the months before find arrears and then see them settled): at most
    # 40 to 95 days late, and paid before the demo day.
    employers = files["employers"].set_index("uscc")
    county = late["employer_uscc"].map(employers["county_code"])
    assert late.groupby(county)["employer_uscc"].nunique().max() == 1
    assert late.groupby("employer_uscc")["period"].nunique().max() == 1
    assert late["employer_uscc"].nunique() >= 10
    assert ((late["paid_date"] - due[late.index]).dt.days <= 95).all()
    assert (late["amount_paid"] == late["amount_due"]).all()
    assert (payroll["paid_date"] <= pd.Timestamp(AS_OF)).all()


def test_references_name_known_employers_workers_and_projects(
    raw: dict[str, pd.DataFrame],
) -> None:
    employers = set(raw["employers"]["uscc"])
    workers = set(raw["workers"]["id_number"])
    projects = set(raw["projects"]["project_code"]) | {""}
    for name in ("contracts", "payroll", "deposit_events", "insurance"):
        assert raw[name]["employer_uscc"].isin(employers).all(), name
    for name in ("contracts", "payroll"):
        assert raw[name]["worker_id_number"].isin(workers).all(), name
    assert raw["insurance"]["worker_id_number"].isin(workers | {""}).all()
    for name in ("contracts", "deposit_events", "insurance"):
        assert raw[name]["project_code"].isin(projects).all(), name
    assert raw["projects"]["contractor_uscc"].isin(employers).all()
    committees = raw["mediation_committees"]
    assert committees["employer_uscc"].isin(employers | {""}).all()
    expected = raw["expected_alerts"]
    assert expected["employer_uscc"].isin(employers).all()
    assert expected["project_code"].isin(projects).all()


def test_payroll_rows_belong_to_a_contract_of_that_employer(
    raw: dict[str, pd.DataFrame],
) -> None:
    pairs = raw["contracts"][["employer_uscc", "worker_id_number"]].drop_duplicates()
    joined = raw["payroll"].merge(pairs, how="left", indicator=True)
    assert (joined["_merge"] == "both").all()


def test_committees_cover_every_county_and_listed_town(
    raw: dict[str, pd.DataFrame], reference: Reference
) -> None:
    committees = raw["mediation_committees"]
    centres = committees[committees["kind"] == "county_centre"]
    assert sorted(centres["county_code"]) == sorted(reference.county_codes())
    assert (committees["kind"] == "people").sum() == len(reference.towns)
    enterprise = committees[committees["kind"] == "enterprise"]
    assert (enterprise["employer_uscc"] != "").all()
    assert (committees.loc[committees["kind"] != "enterprise", "employer_uscc"] == "").all()


# --- planted violations -----------------------------------------------------------------------


def test_every_rule_that_needs_no_complaint_is_planted(raw: dict[str, pd.DataFrame]) -> None:
    assert set(raw["expected_alerts"]["rule"]) == ALL_RULES - NEEDS_COMPLAINTS


def test_each_rule_is_planted_on_a_handful_of_employers(raw: dict[str, pd.DataFrame]) -> None:
    per_rule = raw["expected_alerts"].groupby("rule")["employer_uscc"].nunique()
    assert per_rule.between(3, 8).all(), per_rule


def test_alert_keys_follow_the_contract(raw: dict[str, pd.DataFrame]) -> None:
    expected = raw["expected_alerts"]
    wages = expected["rule"].str.startswith("wages.")
    assert expected.loc[wages, "period"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert (expected.loc[~wages, "period"] == "").all()
    on_project = expected["project_code"] != ""
    assert expected.loc[on_project, "rule"].str.startswith("deposit.").all()


def test_the_rules_find_exactly_the_planted_violations(
    files: dict[str, pd.DataFrame], reference: Reference
) -> None:
    found = pd.concat(
        [
            _unpaid(files),
            _unreported(files),
            _below_minimum(files, reference),
            _contract_missing(files),
            _probation_invalid(files, reference),
            _uninsured(files),
            _committee_missing(files, reference),
            _institution_missing(files, reference),
            _project_deposits(files, reference),
            _leased_deposits(files, reference),
            _not_replenished(files, reference),
        ],
        ignore_index=True,
    )
    expected = files["expected_alerts"]
    assert _keys(found) == _keys(expected)


# --- small, independent checks of the contract's rules (as of AS_OF) --------------------------

KEY = ["rule", "employer_uscc", "project_code", "period"]
TODAY = pd.Timestamp(AS_OF)


def _keys(frame: pd.DataFrame) -> set[tuple[str, ...]]:
    return set(frame[KEY].fillna("").itertuples(index=False, name=None))


def _alerts(
    rule: str, frame: pd.DataFrame, *, project: bool = False, period: bool = False
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule": rule,
            "employer_uscc": frame["employer_uscc"].to_numpy(),
            "project_code": frame["project_code"].to_numpy() if project else "",
            "period": frame["period"].to_numpy() if period else "",
        }
    ).drop_duplicates()


def _due_dates(periods: pd.Series, pay_days: pd.Series) -> pd.Series:
    next_month = pd.to_datetime(periods.astype(str) + "-01") + pd.offsets.MonthBegin(1)
    last_day = (next_month + pd.offsets.MonthEnd(0)).dt.day
    day = np.minimum(pay_days.to_numpy(), last_day.to_numpy())
    nominal = next_month + pd.to_timedelta(day - 1, unit="D")
    return (
        default_calendar()
        .on_or_before_working_day_many(nominal.reset_index(drop=True))
        .set_axis(periods.index)
    )


def _active(contracts: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    left = contracts["left_date"]
    return (contracts["start_date"] <= day) & (left.isna() | (day <= left))


def _unpaid(files: dict[str, pd.DataFrame]) -> pd.DataFrame:
    payroll = files["payroll"]
    return _alerts("wages.unpaid", payroll[payroll["amount_paid"] < payroll["amount_due"]],
                   period=True)  # fmt: skip


def _unreported(files: dict[str, pd.DataFrame]) -> pd.DataFrame:
    contracts = files["contracts"]
    contracts = contracts[contracts["employment_type"] == "full_time"]
    months = pd.period_range("2024-01", TODAY.to_period("M"), freq="M")
    grid = contracts.merge(pd.DataFrame({"month": months}), how="cross")
    first_day = grid["month"].dt.start_time
    last_day = grid["month"].dt.end_time.dt.normalize()
    left = grid["left_date"]
    worked = (grid["start_date"] <= last_day) & (left.isna() | (left >= first_day))
    grid = grid[worked].assign(period=grid["month"].astype(str))
    grid = grid[_due_dates(grid["period"], grid["pay_day"].astype(int)) <= TODAY]
    reported = files["payroll"][["employer_uscc", "worker_id_number", "period"]]
    missing = grid.merge(reported, how="left", indicator=True)
    return _alerts("wages.unreported", missing[missing["_merge"] == "left_only"], period=True)


def _below_minimum(files: dict[str, pd.DataFrame], reference: Reference) -> pd.DataFrame:
    payroll = files["payroll"].merge(files["contracts"], on=["employer_uscc", "worker_id_number"])
    payroll = payroll.merge(
        files["employers"][["uscc", "county_code"]], left_on="employer_uscc", right_on="uscc"
    )
    month = pd.PeriodIndex(payroll["period"], freq="M")
    whole = (payroll["start_date"] <= month.start_time) & (
        payroll["left_date"].isna() | (payroll["left_date"] >= month.end_time.normalize())
    )
    minimum = reference.minimum_wage_fen(payroll["county_code"], payroll["period"])
    below = whole & (payroll["employment_type"] == "full_time") & (payroll["amount_due"] < minimum)
    # v2: part-time pay per hour worked below the hourly minimum (LCL Art. 72).
    hourly = reference.minimum_wage_fen(payroll["county_code"], payroll["period"], "hourly")
    hours = pd.to_numeric(payroll["hours_worked"])
    part_time = payroll["employment_type"] == "part_time"
    below |= part_time & (payroll["amount_due"] < hourly * hours)
    return _alerts("wages.below_minimum", payroll[below.fillna(False)], period=True)


def _contract_missing(files: dict[str, pd.DataFrame]) -> pd.DataFrame:
    contracts = files["contracts"]
    deadline = contracts["start_date"] + pd.DateOffset(months=1)
    until = contracts["left_date"].fillna(TODAY).clip(upper=TODAY)
    unsigned = contracts["signed_date"].isna() & (until > deadline)
    late = contracts["signed_date"] > deadline
    return _alerts("contract.missing", contracts[unsigned | late])


def _probation_invalid(files: dict[str, pd.DataFrame], reference: Reference) -> pd.DataFrame:
    contracts = files["contracts"]
    start, end = contracts["start_date"], contracts["end_date"]

    def term_reaches(months: int) -> pd.Series:
        return end >= start + pd.DateOffset(months=months) - pd.Timedelta(days=1)

    limit = pd.Series(reference.value("probation_max_months_under_3m"), index=contracts.index)
    limit[term_reaches(3)] = reference.value("probation_max_months_3m_to_1y")
    limit[term_reaches(12)] = reference.value("probation_max_months_1y_to_3y")
    limit[term_reaches(36)] = reference.value("probation_max_months_3y_plus")
    limit[contracts["term_type"] == "open_ended"] = reference.value("probation_max_months_3y_plus")
    limit[contracts["term_type"] == "task"] = reference.value("probation_max_months_task_based")
    limit[contracts["employment_type"] == "part_time"] = 0
    has = contracts["probation_end"].notna()
    allowed_end = pd.Series(pd.NaT, index=contracts.index, dtype="datetime64[ns]")
    for months in limit.unique():  # a handful of limits, so one date offset each
        rows = limit == months
        allowed_end[rows] = start[rows] + pd.DateOffset(months=int(months)) - pd.Timedelta(days=1)
    too_long = has & ((limit == 0) | (contracts["probation_end"] > allowed_end))
    ratio = reference.value("probation_wage_min_ratio_bp") / 10_000
    too_low = has & (contracts["probation_wage"] < contracts["monthly_wage"] * ratio)
    # v2: one probation per employer and worker (LCL Art. 19 ¶2).
    on_probation = contracts[has].sort_values("start_date")
    again = on_probation.duplicated(["employer_uscc", "worker_id_number"])
    second = contracts.index.isin(on_probation.index[again])
    return _alerts("contract.probation_invalid", contracts[too_long | too_low | second])


def _uninsured(files: dict[str, pd.DataFrame]) -> pd.DataFrame:
    contracts = files["contracts"][_active(files["contracts"], TODAY)]
    insurance = files["insurance"]
    cover = insurance[
        (insurance["start_date"] <= TODAY)
        & (insurance["end_date"].isna() | (insurance["end_date"] >= TODAY))
    ]
    personal = cover[cover["worker_id_number"].notna()][["employer_uscc", "worker_id_number"]]
    project = cover[cover["worker_id_number"].isna()][["employer_uscc", "project_code"]]
    by_person = contracts.merge(personal.assign(p=True), how="left")["p"].notna().to_numpy()
    on_site = contracts.merge(project.assign(s=True), how="left")["s"].notna().to_numpy()
    return _alerts("insurance.work_injury_uncovered", contracts[~(by_person | on_site)])


def _committee_missing(files: dict[str, pd.DataFrame], reference: Reference) -> pd.DataFrame:
    contracts = files["contracts"][_active(files["contracts"], TODAY)]
    hukou = contracts["worker_id_number"].map(
        files["workers"].set_index("id_number")["hukou_county_code"]
    )
    migrants = contracts[~hukou.str.startswith("3303")].groupby("employer_uscc").size()
    threshold = reference.value("mediation_committee_migrant_threshold")
    committees = files["mediation_committees"]
    has = set(committees.loc[committees["kind"] == "enterprise", "employer_uscc"])
    lacking = migrants[(migrants >= threshold) & ~migrants.index.isin(has)]
    return _alerts("mediation.committee_missing", lacking.index.to_frame(index=False))


def _institution_missing(files: dict[str, pd.DataFrame], reference: Reference) -> pd.DataFrame:
    contracts = files["contracts"][_active(files["contracts"], TODAY)]
    hukou = contracts["worker_id_number"].map(
        files["workers"].set_index("id_number")["hukou_county_code"]
    )
    migrants = contracts[~hukou.str.startswith("3303")].groupby("employer_uscc").size()
    employers = files["employers"].set_index("uscc")
    staffed = (employers["service_office"] == "yes") & employers["liaison_name"].notna()
    threshold = reference.value("migrant_service_office_threshold_workers")
    lacking = migrants[(migrants > threshold) & ~staffed.reindex(migrants.index).fillna(False)]
    return _alerts("institution.missing", lacking.index.to_frame(index=False))


def _balances(events: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    counted = events[events["date"] <= day]
    sign = counted["event"].map(
        {"deposit": 1, "guarantee": 1, "replenish": 1, "drawdown": -1, "return": -1}
    )
    expired = (counted["event"] == "guarantee") & (counted["expiry_date"] < day)
    amount = counted["amount"] * sign * ~expired
    frame = counted.assign(balance=amount, project_code=counted["project_code"].fillna(""))
    return frame.groupby(["employer_uscc", "project_code"], as_index=False)["balance"].sum()


def _project_deposits(files: dict[str, pd.DataFrame], reference: Reference) -> pd.DataFrame:
    projects = files["projects"]
    deadline = default_calendar().add_working_days_many(
        projects["permit_date"], reference.value("deposit_due_after_permit_working_days")
    )
    running = projects["completion_date"].isna() | (projects["completion_date"] > TODAY)
    waived = projects["contract_value"] < reference.value("deposit_waiver_contract_below_fen")
    due = projects[(deadline < TODAY) & running & ~waived]
    rate = reference.value("deposit_rate_zhejiang_bp") / 10_000
    cap = reference.value("deposit_cap_zhejiang_fen")
    required = (due["contract_value"] * rate).clip(upper=cap)
    # v2: a drawdown's gap is never a shortfall (nor a missing deposit): it has its window,
    # then deposit.not_replenished. The demo replenishes nothing, so leave drawdowns out.
    events = files["deposit_events"]
    balance = (
        due.merge(
            _balances(events[events["event"] != "drawdown"], TODAY),
            left_on=["contractor_uscc", "project_code"],
            right_on=["employer_uscc", "project_code"],
            how="left",
        )["balance"]
        .fillna(0)
        .to_numpy()
    )
    due = due.assign(employer_uscc=due["contractor_uscc"])
    missing = _alerts("deposit.missing", due[balance <= 0], project=True)
    short = (balance > 0) & (balance < required.to_numpy())
    return pd.concat([missing, _alerts("deposit.shortfall", due[short], project=True)])


def _leased_deposits(files: dict[str, pd.DataFrame], reference: Reference) -> pd.DataFrame:
    active = files["contracts"][_active(files["contracts"], TODAY)]
    headcount = active.groupby("employer_uscc").size()
    employers = files["employers"]
    leased = employers[(employers["leased_premises"] == "true")]
    leased = leased[leased["uscc"].isin(headcount.index)].copy()
    leased["employer_uscc"] = leased["uscc"]
    terms = pd.DataFrame([reference.leased_deposit_terms(c) for c in leased["county_code"]])
    need = headcount.reindex(leased["uscc"]).to_numpy() * terms["per_worker_fen"].to_numpy()
    need = np.clip(need, terms["min_fen"].to_numpy(), terms["max_fen"].to_numpy())
    balances = _balances(files["deposit_events"], TODAY)
    own = balances[balances["project_code"] == ""].set_index("employer_uscc")["balance"]
    balance = own.reindex(leased["uscc"]).fillna(0).to_numpy()
    missing = _alerts("deposit.missing", leased[balance <= 0])
    short = (balance > 0) & (balance < need)
    return pd.concat([missing, _alerts("deposit.shortfall", leased[short])])


def _not_replenished(files: dict[str, pd.DataFrame], reference: Reference) -> pd.DataFrame:
    events = files["deposit_events"].assign(
        project_code=files["deposit_events"]["project_code"].fillna("")
    )
    drawdowns = events[events["event"] == "drawdown"].reset_index(drop=True)
    drawdowns["deadline"] = default_calendar().add_working_days_many(
        drawdowns["date"], reference.value("deposit_replenish_deadline_working_days")
    )
    paired = drawdowns.merge(
        events[events["event"] == "replenish"], on=["employer_uscc", "project_code"], how="left",
        suffixes=("", "_r"),
    )  # fmt: skip
    in_time = paired[
        (paired["date_r"] >= paired["date"]) & (paired["date_r"] <= paired["deadline"])
    ]
    got = (
        in_time.groupby(["employer_uscc", "project_code", "date"])["amount_r"].sum()
        .reindex(pd.MultiIndex.from_frame(drawdowns[["employer_uscc", "project_code", "date"]]))
        .fillna(0)
        .to_numpy()
    )  # fmt: skip
    late = (drawdowns["deadline"] < TODAY) & (got < drawdowns["amount"].to_numpy())
    return _alerts("deposit.not_replenished", drawdowns[late], project=True)
