"""Wage-guarantee deposit rules (人社部发〔2021〕65号; Decree 724 Arts. 32, 55; the Ouhai
leased-premises measure of 2013).

Two kinds of obligation are tracked, one "position" each (see `deposit_positions`):
- a construction project: its general contractor deposits a share of the contract value within
  the working days after the permit (65号 Art. 8); the share depends on the contractor's record
  (Arts. 11-13) and may be waived or exempted;
- a leased-premises employer (租赁场地经营): an employer-level deposit per worker, clamped to the
  county's minimum and maximum (瓯海区暂行办法, city-wide stand-in elsewhere).

Money is integer fen throughout; rates are basis points, and adjusted rates are held in
hundred-millionths (bp × 10,000) so that a 50 % reduction of an odd rate stays exact.
"""

from collections.abc import Callable

import numpy as np
import pandas as pd

from monitors.base import Severity, Snapshot
from monitors.dates import add_months, period_end, wage_due_dates
from monitors.declare import rule
from monitors.employment import active_contracts, id_array, pair_numbers
from monitors.evidence import affected_workers, evidence_records, iso

# What each ledger event does to the balance (contract §1, deposit_events).
_EVENT_SIGN = {"deposit": 1, "guarantee": 1, "replenish": 1, "drawdown": -1, "return": -1}
# Events that restore the balance after a drawdown: 65号 Art. 21 asks for the money back (补足) or,
# for a contractor that used a guarantee, a new guarantee; a fresh cash deposit restores it too.
_RESTORING_EVENTS = ("replenish", "deposit", "guarantee")
_BP = 10_000  # basis points in a whole
_SCALED = _BP * _BP  # an adjusted rate is stored as bp × _BP
_MONTHS_PER_YEAR = 12
_SEVERAL = 2  # "several projects": the project itself and at least one other
# A payroll row whose worker has no contract: the latest a monthly wage can fall due is the last
# day of the following month (Labor Law Art. 50; wage_due_dates clamps 31 to the month's end).
_LATEST_PAY_DAY = 31
# What the track record reads of the payroll (a contractor's rows are a tenth of a city's).
_ARREARS_COLUMNS = [
    "employer_id", "worker_id", "period", "amount_due_fen", "amount_paid_fen", "paid_date",
]  # fmt: skip

POSITION_COLUMNS = [
    "employer_id",
    "project_id",
    "obligation",  # "project" or "leased_premises"
    "in_force",  # the obligation applies on the as-of day (project not completed / has workers)
    "active_workers",
    "required_fen",
    "balance_fen",
    "due_date",
    "exempt",
    "exemption_reason",  # "small_contract_waiver" (Art. 11), "clean_record_exemption" (Art. 12)
]
_PROJECT_EVIDENCE = [
    "obligation", "required_fen", "balance_fen", "due_date", "deadline_from", "deadline_from_date",
    "contract_value_fen", "rate_bp", "rate_increase", "rate_reduced", "rate_floor_applied",
    "capped", "workers",
]  # fmt: skip
_LEASED_EVIDENCE = [
    "obligation", "required_fen", "balance_fen", "due_date", "first_worker_start",
    "active_workers", "per_worker_fen", "min_fen", "max_fen", "county_code", "workers",
]  # fmt: skip


def _param(snapshot: Snapshot, name: str) -> int:
    return int(snapshot.reference.value(name, on=snapshot.as_of))


# --- ledger -------------------------------------------------------------------------------------


def _balances(events: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Balance per (employer_id, project_id) on `day` (contract §1): deposits + unexpired
    guarantees + replenishments − drawdowns − returns, each from its date. A guarantee counts
    from its date through its expiry date inclusive; no expiry date = unexpired."""
    counted = events[events["event_date"] <= day]
    sign = counted["event"].map(_EVENT_SIGN).fillna(0).astype("int64")
    lapsed = (counted["event"] == "guarantee") & (counted["expiry_date"] < day).fillna(False)
    signed = counted["amount_fen"].fillna(0) * sign.where(~lapsed, 0)
    return (
        counted.assign(balance_fen=signed)
        .groupby(["employer_id", "project_id"], dropna=False)["balance_fen"]
        .sum()
        .reset_index()
    )


def _balance_history(events: pd.DataFrame) -> pd.DataFrame:
    """Per employer (all its projects together), the balance from each day it changed."""
    known = events[events["event"].isin(list(_EVENT_SIGN))]
    # a guarantee that expires before it starts never counts (as in _balances)
    known = known[~((known["event"] == "guarantee") & (known["expiry_date"] < known["event_date"]))]
    sign = known["event"].map(_EVENT_SIGN).astype("int64")
    flows = pd.DataFrame(
        {
            "employer_id": known["employer_id"],
            "day": known["event_date"],
            "delta": known["amount_fen"].fillna(0) * sign,
        }
    )
    expiring = known[(known["event"] == "guarantee") & known["expiry_date"].notna()]
    lapses = pd.DataFrame(
        {
            "employer_id": expiring["employer_id"],
            "day": expiring["expiry_date"] + pd.Timedelta(days=1),  # stops counting the next day
            "delta": -expiring["amount_fen"].fillna(0),
        }
    )
    daily = pd.concat([flows, lapses]).groupby(["employer_id", "day"])["delta"].sum()
    history = daily.groupby(level="employer_id").cumsum().rename("balance").reset_index()
    return history.astype({"day": "datetime64[s]", "balance": "int64"})


# --- the contractor's record before signing (65号 Arts. 11-12) ---------------------------------


def _pay_days(payroll: pd.DataFrame, contracts: pd.DataFrame) -> pd.Series:
    """Each payroll row's pay day: from the worker's latest contract with that employer that had
    started by the period's end (else any of them; else the latest possible day).

    A worker with one contract with the employer (nearly every one) has that contract's pay
    day whatever the period: looked up by pair. Only the rows of workers with several
    contracts, or none, are matched to each of them (millions of rows matched and sorted took
    100 MB more at L)."""
    terms = contracts[["employer_id", "worker_id", "start_date", "pay_day"]]
    pairs, row_pairs = pair_numbers(
        (id_array(terms["employer_id"]), id_array(payroll["employer_id"])),
        (id_array(terms["worker_id"]), id_array(payroll["worker_id"])),
    )
    single = ~pd.Series(pairs).duplicated(keep=False).to_numpy()
    position = pd.Index(pairs[single]).get_indexer(row_pairs)
    # Position -1 (not a worker with one contract) picks the appended stand-in, replaced below.
    pay_days = np.append(terms["pay_day"].to_numpy(dtype=np.int64)[single], 0)[position]
    found = position >= 0
    if not found.all():
        rest = payroll[~found]
        pay_days[~found] = _pay_days_matched(rest, terms).to_numpy()
    return pd.Series(pay_days, index=payroll.index)


def _pay_days_matched(payroll: pd.DataFrame, terms: pd.DataFrame) -> pd.Series:
    """`_pay_days` by matching each row to every contract of its worker with its employer."""
    rows = payroll[["employer_id", "worker_id", "period"]].reset_index(names="row")
    matched = rows.merge(terms, on=["employer_id", "worker_id"], how="left")
    matched["fits"] = matched["start_date"] <= period_end(matched["period"])
    chosen = matched.sort_values(["row", "fits", "start_date"]).drop_duplicates("row", keep="last")
    pay_days = chosen.set_index("row")["pay_day"].fillna(_LATEST_PAY_DAY).astype("int64")
    return pd.Series(pay_days.reindex(rows["row"]).to_numpy(), index=payroll.index)


def _arrears(snapshot: Snapshot, employer_ids: np.ndarray) -> pd.DataFrame:
    """(employer_id, due_date) of every payroll row of those employers paid short or late."""
    payroll = snapshot.payroll
    payroll = payroll.loc[payroll["employer_id"].isin(employer_ids), _ARREARS_COLUMNS]
    if payroll.empty:
        return pd.DataFrame({"employer_id": [], "due_date": []}).astype(
            {"employer_id": "int64", "due_date": "datetime64[s]"}
        )
    pay_days = _pay_days(payroll, snapshot.contracts)
    due = wage_due_dates(payroll["period"], pay_days, snapshot.calendar).astype("datetime64[s]")
    short = payroll["amount_paid_fen"] < payroll["amount_due_fen"]
    late = (payroll["paid_date"] > due).fillna(False)
    owed = (short.fillna(False) | late).astype(bool)
    return pd.DataFrame({"employer_id": payroll["employer_id"], "due_date": due})[owed]


def _window_before_signing(projects: pd.DataFrame, years: int) -> pd.DataFrame:
    """Per project: the contractor and the `years` before signing, [start, end)."""
    signed = projects["contract_signed_date"]
    return pd.DataFrame(
        {
            "employer_id": projects["employer_id"],
            "start": add_months(signed, -_MONTHS_PER_YEAR * years).astype("datetime64[s]"),
            "end": signed,
        },
        index=projects.index,
    )


def _first_on_or_after(
    window: pd.DataFrame, days: pd.DataFrame, *, strictly_after: bool = False
) -> pd.Series:
    """Per window, the employer's first day in `days` (employer_id, day) on or after the
    window's start (strictly after, if asked); NaT when there is none."""
    known = days[days["day"].notna()]
    keys, order = _sorted_day_keys(known)
    asks = _day_keys(window["employer_id"], window["start"])
    at = np.searchsorted(keys, asks, side="right" if strictly_after else "left")
    rows = _rows_of_same_employer(keys, order, asks, at)
    found = known["day"].to_numpy(dtype="datetime64[s]")
    return pd.Series(_taken(found, rows, np.datetime64("NaT", "s")), index=window.index)


def _last_on_or_before(
    window: pd.DataFrame, days: pd.DataFrame, column: str, missing: np.generic | int
) -> np.ndarray:
    """Per window, `column` of the employer's last row in `days` on or before the window's
    start; `missing` where there is none (`days` has no missing day)."""
    keys, order = _sorted_day_keys(days)
    asks = _day_keys(window["employer_id"], window["start"])
    at = np.searchsorted(keys, asks, side="right") - 1
    rows = _rows_of_same_employer(keys, order, asks, at)
    return _taken(days[column].to_numpy(), rows, missing)


# An (employer, day) pair as one sortable integer, the employer in the high bits: a search in
# one sorted array finds each window's day (pandas' merge_asof costs milliseconds per call on
# the handful of rows an employer's own page asks about).
_DAY_BITS = 32
_DAY_OFFSET = 1 << 21  # keeps days before 1970 positive (2^21 days: 5,700 years)


def _day_keys(employer_ids: pd.Series, days: pd.Series) -> np.ndarray:
    day_numbers = days.to_numpy(dtype="datetime64[D]").astype("int64") + _DAY_OFFSET
    return (employer_ids.to_numpy(dtype="int64") << _DAY_BITS) + day_numbers


def _sorted_day_keys(days: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    keys = _day_keys(days["employer_id"], days["day"])
    order = np.argsort(keys, kind="stable")
    return keys[order], order


def _rows_of_same_employer(
    keys: np.ndarray, order: np.ndarray, asks: np.ndarray, at: np.ndarray
) -> np.ndarray:
    """The row each search landed on, if it is the asking employer's; else -1."""
    inside = (at >= 0) & (at < len(keys))
    if not inside.any():
        return np.full(len(asks), -1)
    landed = np.where(inside, at, 0)
    same = inside & ((keys[landed] >> _DAY_BITS) == (asks >> _DAY_BITS))
    return np.where(same, order[landed], -1)


def _taken(values: np.ndarray, rows: np.ndarray, missing: np.generic | int) -> np.ndarray:
    if not len(values):
        return np.full(len(rows), missing, dtype=np.asarray(missing).dtype)
    return np.where(rows >= 0, values[np.maximum(rows, 0)], missing)


def _had_arrears(window: pd.DataFrame, arrears: pd.DataFrame) -> pd.Series:
    """Whether the contractor had a wage due in the window [start, end) paid short or late."""
    first = _first_on_or_after(window, arrears.rename(columns={"due_date": "day"}))
    return (first < window["end"]).fillna(False).astype(bool)


def _deposit_in_place(window: pd.DataFrame, history: pd.DataFrame) -> pd.Series:
    """Whether the contractor's total balance was above zero on every day of [start, end)."""
    # no balance before the window opens: nothing deposited
    at_start = _last_on_or_before(window, history, "balance", missing=0)
    positive = pd.Series(at_start > 0, index=window.index)
    dip = _first_on_or_after(window, history[history["balance"] <= 0], strictly_after=True)
    dipped = (dip < window["end"]).fillna(False)
    return (positive & ~dipped).astype(bool)


def _track_record(projects: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    """Per project, the contractor's record in the years before signing."""
    arrears = _arrears(snapshot, projects["employer_id"].unique())
    history = _balance_history(snapshot.deposit_events)

    def clean(years_param: str, *, deposited: bool) -> pd.Series:
        window = _window_before_signing(projects, _param(snapshot, years_param))
        no_arrears = ~_had_arrears(window, arrears)
        # Art. 12(1) counts clean years "after depositing": a deposit must have been in place.
        return no_arrears & _deposit_in_place(window, history) if deposited else no_arrears

    return pd.DataFrame(
        {
            "clean_for_waiver": clean("deposit_waiver_clean_lookback_years", deposited=False),
            "recent_arrears": ~clean("deposit_increase_arrears_lookback_years", deposited=False),
            "clean_for_reduction": clean("deposit_reduction_clean_years", deposited=True),
            "clean_for_exemption": clean("deposit_exempt_clean_years", deposited=True),
        },
        index=projects.index,
    )


def _several_projects_in_county(projects: pd.DataFrame) -> pd.Series:
    """Whether the contractor had another project under way in the same county on signing."""
    keys = ["employer_id", "county_code"]
    own = projects[[*keys, "contract_signed_date"]].reset_index()
    others = projects[[*keys, "contract_signed_date", "completion_date"]]
    pairs = own.merge(others, on=keys, suffixes=("", "_other"))
    under_way = (pairs["contract_signed_date_other"] <= pairs["contract_signed_date"]) & (
        pairs["completion_date"].isna()
        | (pairs["completion_date"] >= pairs["contract_signed_date"])
    )
    counts = pairs[under_way].groupby("project_id").size()
    return counts.reindex(projects.index, fill_value=0) >= _SEVERAL


# --- required amount for a project (65号 Arts. 11-13) -----------------------------------------


def _fen_at_rate(value_fen: pd.Series, scaled_rate: np.ndarray) -> np.ndarray:
    """value × rate, rounded half up to the fen, in int64 without overflow: the value is split
    so that no product exceeds ~10^15 even for a contract worth tens of billions."""
    quotient, remainder = np.divmod(value_fen.fillna(0).to_numpy(dtype="int64"), _SCALED)
    return quotient * scaled_rate + (remainder * scaled_rate + _SCALED // 2) // _SCALED


def _required_project_deposit(projects: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    """The rate each project's deposit is due at, and the amount."""
    base_bp = _param(snapshot, "deposit_rate_zhejiang_bp")
    listed_bp = np.where(
        projects["dishonesty_listed"],
        _param(snapshot, "deposit_increase_dishonesty_list_min_bp"),
        0,
    )
    arrears_bp = np.where(
        projects["recent_arrears"], _param(snapshot, "deposit_increase_arrears_min_bp"), 0
    )
    increase_bp = np.maximum(listed_bp, arrears_bp)  # Art. 12(2): the larger, not both
    increased = increase_bp > 0
    # a contractor with an increase gets no reduction, whatever its record
    reduced = ~increased & projects["clean_for_reduction"].to_numpy()
    reduction_bp = np.where(reduced, _param(snapshot, "deposit_reduction_min_bp"), 0)
    scaled = base_bp * (_BP + increase_bp - reduction_bp)
    # Art. 11: several projects in one area may lower the rate, never below the floor
    floor = _param(snapshot, "deposit_rate_floor_multi_project_bp") * _BP
    floored = reduced & projects["several_projects"].to_numpy() & (scaled < floor)
    scaled = np.where(floored, floor, scaled)
    uncapped = _fen_at_rate(projects["contract_value_fen"], scaled)
    # The storage cap (Arts. 11, 13) limits the ordinary amount; raised amounts ignore it, as
    # several provinces provide (e.g. Fujian) — Zhejiang's own rule is unconfirmed.
    cap = _param(snapshot, "deposit_cap_zhejiang_fen")
    capped = ~increased & (uncapped > cap)
    increase = np.where(listed_bp >= arrears_bp, "dishonesty_list", "arrears")
    return projects.assign(
        rate_bp=scaled / _BP,
        rate_increase=pd.Series(increase, index=projects.index).where(increased, None),
        rate_reduced=reduced,
        rate_floor_applied=floored,
        capped=capped,
        required_fen=pd.array(np.where(capped, cap, uncapped), dtype="Int64"),
    )


def _exemptions(projects: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    """Whether each project needs no deposit at all, and why."""
    # Art. 11: strictly below the threshold and no arrears in the year before signing
    below = projects["contract_value_fen"] < _param(snapshot, "deposit_waiver_contract_below_fen")
    waived = (below.fillna(False) & projects["clean_for_waiver"]).astype(bool)
    # Art. 12(1): clean years after depositing AND real-name management AND a wage account
    exempted = (
        projects["clean_for_exemption"]
        & projects["real_name_management"]
        & projects["dedicated_wage_account"]
    )
    reason = np.select(
        [waived, exempted], ["small_contract_waiver", "clean_record_exemption"], default=""
    )
    return projects.assign(
        exempt=waived | exempted,
        exemption_reason=pd.Series(reason, index=projects.index).replace("", None),
    )


# --- positions ----------------------------------------------------------------------------------


def _worker_lists(keys: pd.Series, listed: pd.Series) -> pd.Series:
    """The masked workers listed for each key; an empty list where none are."""
    found = keys.map(listed).astype(object)
    empty: pd.Series = pd.Series([[] for _ in range(len(keys))], index=keys.index, dtype=object)
    return found.where(found.notna(), empty)


def _projects_as_of(snapshot: Snapshot) -> pd.DataFrame:
    """Projects signed by the as-of day, with their contractor's flags, indexed by project_id."""
    day = snapshot.as_of_ts
    projects = snapshot.projects[snapshot.projects["contract_signed_date"] <= day]
    flags = ["dishonesty_listed", "real_name_management", "dedicated_wage_account"]
    contractors = snapshot.employers[["employer_id", *flags]]
    merged = projects.rename(columns={"contractor_id": "employer_id"}).merge(
        contractors, on="employer_id", how="left"
    )
    merged[flags] = merged[flags].fillna(False).astype(bool)
    return merged.astype({"project_id": "Int64"}).set_index("project_id", drop=False)


def _with_balance(positions: pd.DataFrame, balances: pd.DataFrame) -> pd.DataFrame:
    found = (
        positions[["employer_id", "project_id"]]
        .reset_index(drop=True)
        .merge(balances, on=["employer_id", "project_id"], how="left")
    )
    balance = found["balance_fen"].fillna(0).astype("Int64").to_numpy()
    return positions.assign(balance_fen=balance)


def _project_positions(snapshot: Snapshot) -> pd.DataFrame:
    """One row per project signed by the as-of day: what must be deposited, what is there."""
    day = snapshot.as_of_ts
    projects = _projects_as_of(snapshot)
    projects = projects.join(_track_record(projects, snapshot))
    projects["several_projects"] = _several_projects_in_county(projects)
    projects = _exemptions(_required_project_deposit(projects, snapshot), snapshot)
    # Art. 8: from the permit; where no permit is needed, from the construction contract
    has_permit = projects["permit_date"].notna()
    deadline_from_date = projects["permit_date"].where(has_permit, projects["contract_signed_date"])
    due_days = _param(snapshot, "deposit_due_after_permit_working_days")
    projects = projects.assign(
        obligation="project",
        in_force=(projects["completion_date"].isna() | (projects["completion_date"] > day)),
        deadline_from=np.where(has_permit, "permit_date", "contract_signed_date"),
        deadline_from_date=deadline_from_date,
        due_date=snapshot.calendar.add_working_days_many(deadline_from_date, due_days),
        active_workers=_project_staff(projects, snapshot),
    )
    return _with_balance(projects, _balances(snapshot.deposit_events, day)).reset_index(drop=True)


def _project_staff(projects: pd.DataFrame, snapshot: Snapshot) -> pd.Series:
    """Workers active on each project on the as-of day, whichever employer hired them."""
    active = active_contracts(snapshot)
    counts = active[active["project_id"].notna()].groupby("project_id")["worker_id"].nunique()
    return projects["project_id"].map(counts).fillna(0).astype("int64")


def _listed_workers(positions: pd.DataFrame, snapshot: Snapshot) -> pd.Series:
    """The masked workers each position's evidence lists: those active on its project on the
    as-of day, whichever employer hired them, or a leased-premises employer's own. Listed for
    the positions that become findings only: masking and sorting every position's workers
    took a second at L for the few dozen shown."""
    active = active_contracts(snapshot)
    on_project = positions["project_id"].notna()
    projects = positions.loc[on_project, "project_id"]
    leased = positions.loc[~on_project, "employer_id"]
    by_project = affected_workers(
        active[active["project_id"].isin(projects)], ["project_id"], snapshot.workers
    )
    by_employer = affected_workers(
        active[active["employer_id"].isin(leased)], ["employer_id"], snapshot.workers
    )
    return pd.concat(
        [_worker_lists(projects, by_project), _worker_lists(leased, by_employer)]
    ).reindex(positions.index)


def _leased_terms(snapshot: Snapshot, county_codes: pd.Series) -> pd.DataFrame:
    """The leased-premises deposit terms in force on the as-of day, per county asked."""
    columns = ["per_worker_fen", "min_fen", "max_fen", "due_working_days"]
    codes = county_codes.drop_duplicates().tolist()
    # one lookup per distinct county (Wenzhou has 12), not per employer
    rows = [snapshot.reference.leased_deposit_terms(code, on=snapshot.as_of) for code in codes]
    terms = pd.DataFrame([row[columns].tolist() for row in rows], columns=columns)
    return terms.astype("int64").assign(county_code=codes).astype({"county_code": "str"})


def _leased_positions(snapshot: Snapshot) -> pd.DataFrame:
    """One row per leased-premises employer: the employer-level deposit it must hold."""
    day = snapshot.as_of_ts
    employers = snapshot.employers[snapshot.employers["leased_premises"]]
    active = active_contracts(snapshot)
    active = active[active["employer_id"].isin(employers["employer_id"])]
    staff = active.groupby("employer_id").agg(
        active_workers=("worker_id", "nunique"), first_worker_start=("start_date", "min")
    )
    leased = employers[["employer_id", "county_code"]].merge(staff, on="employer_id", how="left")
    leased = leased.merge(_leased_terms(snapshot, leased["county_code"]), on="county_code")
    leased["active_workers"] = leased["active_workers"].fillna(0).astype("int64")
    # 瓯海区暂行办法: per worker × average headcount (taken as the workers active on the as-of
    # day), clamped to the county's minimum and maximum
    required = (leased["per_worker_fen"] * leased["active_workers"]).clip(
        lower=leased["min_fen"], upper=leased["max_fen"]
    )
    # The measure counts the working days from the authority's notice, which is not in the data:
    # the deposit is taken as due that many working days after the first active worker started.
    due = snapshot.calendar.add_working_days_many(
        leased["first_worker_start"], leased["due_working_days"]
    )
    leased = leased.assign(
        project_id=pd.array([pd.NA] * len(leased), dtype="Int64"),
        obligation="leased_premises",
        in_force=leased["active_workers"] > 0,
        required_fen=required.astype("Int64"),
        due_date=due,
        exempt=False,
        exemption_reason=None,
    )
    return _with_balance(leased, _balances(snapshot.deposit_events, day))


def _shared(positions: Callable[[Snapshot], pd.DataFrame], snapshot: Snapshot) -> pd.DataFrame:
    """One kind of position, computed once per snapshot: the deposit rules start from them and
    the overview's figures read them all again."""
    return snapshot.derive(f"deposits.{positions.__name__}", lambda: positions(snapshot))


def deposit_positions(snapshot: Snapshot) -> pd.DataFrame:
    """Per project (and per leased-premises employer, project_id NA): the required deposit,
    the balance on the as-of day, when it was due and whether it is exempt."""
    parts = [_shared(_project_positions, snapshot), _shared(_leased_positions, snapshot)]
    positions = pd.concat([part[POSITION_COLUMNS] for part in parts], ignore_index=True)
    return positions.astype(
        {
            "employer_id": "int64",
            "project_id": "Int64",
            "in_force": bool,
            "active_workers": "int64",
            "required_fen": "Int64",
            "balance_fen": "Int64",
            "due_date": "datetime64[s]",
            "exempt": bool,
            "exemption_reason": "str",
        }
    )


# --- findings -----------------------------------------------------------------------------------


def _overdue(positions: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    """Positions whose deposit is owed on the as-of day: in force, not exempt, required amount
    above zero, and the deadline passed (on the deadline day itself it is not yet late)."""
    owed = (
        positions["in_force"]
        & ~positions["exempt"]
        & (positions["required_fen"] > 0).fillna(False)
        & (positions["due_date"] < snapshot.as_of_ts).fillna(False)
    )
    return positions[owed.astype(bool)]


def _findings(
    positions: pd.DataFrame, evidence_columns: list[str], amount: pd.Series, snapshot: Snapshot
) -> pd.DataFrame:
    shown = positions.assign(
        workers=_listed_workers(positions, snapshot),
        due_date=iso(positions["due_date"]),
        **{
            column: iso(positions[column])
            for column in ("deadline_from_date", "first_worker_start")
            if column in positions
        },
    )
    return pd.DataFrame(
        {
            "employer_id": positions["employer_id"].astype("int64"),
            "project_id": positions["project_id"].astype("Int64"),
            "subject_count": positions["active_workers"].astype("int64"),
            "amount_fen": amount.astype("Int64"),
            "evidence": evidence_records(shown, evidence_columns),
        }
    )


def _empty_findings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employer_id": pd.Series(dtype="int64"),
            "project_id": pd.Series(dtype="Int64"),
            "subject_count": pd.Series(dtype="int64"),
            "amount_fen": pd.Series(dtype="Int64"),
            "evidence": pd.Series(dtype=object),
        }
    )


def _combined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    found = [frame for frame in frames if not frame.empty]
    return pd.concat(found, ignore_index=True) if found else _empty_findings()


def _has_leased_premises(snapshot: Snapshot) -> bool:
    return bool(snapshot.employers["leased_premises"].any())


def _owes_deposits(snapshot: Snapshot) -> bool:
    """Whether any deposit can be owed: a position is a project or a leased-premises
    employer."""
    return snapshot.has_rows("projects") or _has_leased_premises(snapshot)


def _owed(snapshot: Snapshot) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Overdue project positions and overdue leased-premises positions (computed once per
    snapshot: deposit.missing and deposit.shortfall both start from them); None for a kind
    of position the snapshot has none of (one employer's check mostly has no project)."""

    def overdue(
        positions: Callable[[Snapshot], pd.DataFrame], any_position: bool
    ) -> pd.DataFrame | None:
        found = _overdue(_shared(positions, snapshot), snapshot) if any_position else None
        return None if found is None or found.empty else found

    return snapshot.derive(
        "deposits.owed",
        lambda: (
            overdue(_project_positions, snapshot.has_rows("projects")),
            overdue(_leased_positions, _has_leased_premises(snapshot)),
        ),
    )


@rule(
    id="deposit.missing",
    title=("未存储工资保证金", "Wage-guarantee deposit missing"),
    action=(
        "责令限期存储工资保证金或提交银行保函；逾期不改正的，依《保障农民工工资支付条例》"
        "第五十五条责令停工并处罚款",
        "Order the deposit (or a bank guarantee) within a time limit; if not corrected, order a "
        "work stoppage and a fine under Decree 724 Art. 55",
    ),
    severity=Severity.high,
    legal_basis=(
        "deposit_due_after_permit_working_days",
        "penalty_no_deposit_min_fen",
        "ouhai_leased_deposit_due_working_days",
    ),
    inputs=("projects", "employers", "contracts", "workers", "payroll", "deposit_events"),
    applies=_owes_deposits,
)
def deposit_missing(snapshot: Snapshot) -> pd.DataFrame:
    """A project past its deposit deadline (not completed, not exempt), or a leased-premises
    employer with active workers, holds no wage-guarantee deposit. A balance emptied by a
    drawdown is not "missing": the drawdown has its replenishment window and then
    `deposit.not_replenished` (v2)."""
    projects, leased = _owed(snapshot)
    found = []
    if projects is not None:
        drawn = _drawn_gaps(snapshot)
        # a negative balance (drawn down with nothing deposited) is no deposit either
        projects = projects[projects["balance_fen"] + _outstanding_on(projects, drawn) <= 0]
        projects = projects.assign(
            penalty_min_fen=_param(snapshot, "penalty_no_deposit_min_fen")  # Decree 724 Art. 55
        )
        found.append(
            _findings(
                projects,
                [*_PROJECT_EVIDENCE, "penalty_min_fen"],
                projects["required_fen"],
                snapshot,
            )
        )
    if leased is not None:
        drawn = _drawn_gaps(snapshot)
        leased = leased[leased["balance_fen"] + _outstanding_on(leased, drawn) <= 0]
        found.append(_findings(leased, _LEASED_EVIDENCE, leased["required_fen"], snapshot))
    return _combined(found)


def _short(positions: pd.DataFrame, drawn: pd.DataFrame) -> pd.DataFrame:
    """Positions above zero but below the required amount, once the gaps drawdowns opened are
    set aside: inside its replenishment window a drawdown is not a shortfall, and once the
    window has passed it is `deposit.not_replenished`'s (data contract v2). What remains is the
    shortfall; the drawn gap is shown beside it."""
    outstanding = _outstanding_on(positions, drawn)
    balance, required = positions["balance_fen"], positions["required_fen"]
    counted = balance + outstanding
    short = positions[(counted > 0) & (counted < required)]
    drawn_gap = outstanding[short.index]
    return short.assign(
        drawn_down_outstanding_fen=drawn_gap,
        shortfall_fen=short["required_fen"] - counted[short.index],
        reading=np.where(drawn_gap > 0, "drawdown_gap_not_a_shortfall", None),  # type: ignore[call-overload]
    )


def _outstanding_on(positions: pd.DataFrame, drawn: pd.DataFrame) -> pd.Series:
    """Per position, the drawdowns on its ledger not yet restored (aligned with `positions`)."""
    if drawn.empty:
        return pd.Series(0, index=positions.index, dtype="Int64")
    per_ledger = drawn.groupby(_LEDGER, dropna=False)["outstanding_fen"].sum().rename("drawn")
    found = positions[_LEDGER].merge(per_ledger.reset_index(), on=_LEDGER, how="left")["drawn"]
    return pd.Series(found.fillna(0).to_numpy(), index=positions.index).astype("Int64")


def _drawn_gaps(snapshot: Snapshot) -> pd.DataFrame:
    """Every drawdown up to D with what is still outstanding of it, inside its window or not."""

    def compute() -> pd.DataFrame:
        drawdowns = _replenished(_drawdowns(snapshot), snapshot)
        restored = drawdowns["replenished_fen"] + drawdowns["replenished_after_deadline_fen"]
        outstanding = (drawdowns["amount_fen"] - restored).clip(lower=0)
        return drawdowns.assign(outstanding_fen=outstanding)[outstanding > 0]

    return snapshot.derive("deposits.drawn_gaps", compute)


@rule(
    id="deposit.shortfall",
    title=("工资保证金存储不足", "Wage-guarantee deposit below the required amount"),
    action=(
        "责令限期补足工资保证金差额（或提交足额银行保函）",
        "Order the depositor to top up the difference (or give a sufficient bank guarantee) "
        "within a time limit",
    ),
    severity=Severity.medium,
    legal_basis=(
        "deposit_rate_zhejiang_bp",
        "deposit_cap_zhejiang_fen",
        "deposit_reduction_min_bp",
        "deposit_increase_arrears_min_bp",
        "ouhai_leased_deposit_per_worker_fen",
    ),
    inputs=("projects", "employers", "contracts", "workers", "payroll", "deposit_events"),
    applies=_owes_deposits,
)
def deposit_shortfall(snapshot: Snapshot) -> pd.DataFrame:
    """A project (or leased-premises employer) whose deposit is due holds a balance above zero
    but below the required amount — not counting a gap a drawdown opened, which has its
    replenishment window and then `deposit.not_replenished` (v2)."""
    shown = ["drawn_down_outstanding_fen", "shortfall_fen", "reading"]
    found = []
    for positions, evidence in zip(
        _owed(snapshot), (_PROJECT_EVIDENCE, _LEASED_EVIDENCE), strict=True
    ):
        if positions is not None:
            short = _short(positions, _drawn_gaps(snapshot))
            found.append(_findings(short, [*evidence, *shown], short["shortfall_fen"], snapshot))
    return _combined(found)


# --- replenishment after a drawdown (65号 Art. 21) ---------------------------------------------

_DRAWDOWN_EVIDENCE = [
    "drawdown_date", "amount_fen", "deadline", "replenished_fen", "replenished_after_deadline_fen",
]  # fmt: skip
_LEDGER = ["employer_id", "project_id"]


def _overdue_drawdowns(snapshot: Snapshot) -> pd.DataFrame:
    """Drawdowns up to the as-of day whose replenishment deadline has passed."""
    drawdowns = _drawdowns(snapshot)
    # on the deadline day the contractor may still replenish: late from the day after
    overdue = drawdowns[drawdowns["deadline"] < snapshot.as_of_ts]
    return overdue.reset_index(drop=True)


def _drawdowns(snapshot: Snapshot) -> pd.DataFrame:
    """Drawdowns up to the as-of day with their replenishment deadline (65号 Art. 21)."""
    events = snapshot.deposit_events
    drawdowns = events[
        (events["event"] == "drawdown") & (events["event_date"] <= snapshot.as_of_ts)
    ]
    deadline = snapshot.calendar.add_working_days_many(
        drawdowns["event_date"], _param(snapshot, "deposit_replenish_deadline_working_days")
    )
    drawdowns = drawdowns.assign(deadline=deadline)
    return drawdowns[[*_LEDGER, "event_date", "amount_fen", "deadline"]].reset_index(drop=True)


def _replenished(drawdowns: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    """Per drawdown: restoring events on the same ledger after it, by and after its deadline.

    Each drawdown is judged on its own window, so one restoring event inside the windows of two
    drawdowns counts toward both."""
    events = snapshot.deposit_events
    restoring = events[
        events["event"].isin(_RESTORING_EVENTS) & (events["event_date"] <= snapshot.as_of_ts)
    ][[*_LEDGER, "event_date", "amount_fen"]]
    restoring = restoring.rename(columns={"event_date": "restored_on", "amount_fen": "restored"})
    # merge matches a missing project_id with a missing one: employer-level ledgers pair up
    pairs = drawdowns.reset_index(names="drawdown").merge(restoring, on=_LEDGER)
    # "after the drawdown": the ledger holds dates only, so an event on the drawdown's own day
    # counts (a contractor who restores the money at once is not late)
    after = pairs["restored_on"] >= pairs["event_date"]
    in_time = after & (pairs["restored_on"] <= pairs["deadline"])
    by_drawdown = (
        pairs.assign(
            in_time=pairs["restored"].where(in_time, 0),
            late=pairs["restored"].where(after & ~in_time, 0),
        )
        .groupby("drawdown")[["in_time", "late"]]
        .sum()
    )
    sums = by_drawdown.reindex(drawdowns.index, fill_value=0).astype("int64")
    return drawdowns.assign(
        replenished_fen=sums["in_time"], replenished_after_deadline_fen=sums["late"]
    )


@rule(
    id="deposit.not_replenished",
    title=("工资保证金动用后未按期补足", "Deposit not replenished after a drawdown"),
    action=(
        "责令限期补足被动用的工资保证金，或提交新的银行保函",
        "Order the contractor to replenish the drawn deposit, or give a new bank guarantee, "
        "within a time limit",
    ),
    severity=Severity.high,
    legal_basis=("deposit_replenish_deadline_working_days",),
    inputs=("deposit_events",),
    applies=lambda snapshot: snapshot.has_rows("deposit_events"),
)
def deposit_not_replenished(snapshot: Snapshot) -> pd.DataFrame:
    """A drawdown on a deposit was not replenished within the working days allowed and is
    still outstanding; one alert per depositor and ledger (project, or employer level)."""
    drawdowns = _replenished(_overdue_drawdowns(snapshot), snapshot)
    # Still outstanding on D: money restored late counts, so the alert resolves once the
    # deposit is whole again; its timeline keeps the fact that it was late.
    restored = drawdowns["replenished_fen"] + drawdowns["replenished_after_deadline_fen"]
    unreplenished = (drawdowns["amount_fen"] - restored).clip(lower=0)
    failed = drawdowns.assign(unreplenished_fen=unreplenished)[unreplenished > 0]
    if failed.empty:
        return _empty_findings()
    shown = failed.assign(drawdown_date=iso(failed["event_date"]), deadline=iso(failed["deadline"]))
    failed = failed.assign(record=evidence_records(shown, _DRAWDOWN_EVIDENCE)).sort_values(
        [*_LEDGER, "event_date"]
    )
    grouped = failed.groupby(_LEDGER, dropna=False, sort=True).agg(
        subject_count=("record", "size"),
        amount_fen=("unreplenished_fen", "sum"),
        drawdowns=("record", list),
    )
    grouped = grouped.reset_index()
    evidence = pd.DataFrame(
        {"drawdowns": grouped["drawdowns"], "unreplenished_fen": grouped["amount_fen"]}
    )
    return pd.DataFrame(
        {
            "employer_id": grouped["employer_id"].astype("int64"),
            "project_id": grouped["project_id"].astype("Int64"),
            "subject_count": grouped["subject_count"].astype("int64"),
            "amount_fen": grouped["amount_fen"].astype("Int64"),
            "evidence": evidence_records(evidence, ["drawdowns", "unreplenished_fen"]),
        }
    )
