"""The planted violations: everything in the demo is lawful except these, each on its own
employer (which is otherwise clean) and far from any boundary. PLANTS lists them.

- deposit.missing: a project permitted 3 months ago, 12–60 M CNY, no deposit (3 contractors);
  a leased-premises restaurant with workers and no employer-level deposit (1).
- deposit.shortfall: a project holding 0.2 % of its value (4).
- deposit.not_replenished: 90 % of a project's deposit drawn down 2 months ago and never
  replenished (4); the gap a drawdown opened is not also a shortfall (contract v2). Some clean
  projects had a drawdown a few working days before as_of, still inside its window: no alert.
- wages.unpaid / wages.unreported / wages.below_minimum: in one month, 4 full-time workers paid
  half / not reported / owed 1,200 CNY (4 employers each).
- contract.missing: 4 workers without a written contract 5–7 months after starting (4).
- contract.probation_invalid: 3 months' probation on 1-year contracts (2), probation on
  task-based contracts (2), a second probation for a worker rehired by the same employer (2).
- wages.below_minimum, v2: a part-time restaurant worker paid half the hourly minimum (1).
- institution.missing: 130 migrant workers and no service office or liaison (3); every other
  employer above the threshold has both.
- insurance.work_injury_uncovered: 4 active workers without cover (2 builders, 2 shoe makers).
- mediation.committee_missing: 90 migrant workers and no enterprise committee (3).

`expected_alerts` gives the alert key of each, so the monitors can be checked against them.
"""

import numpy as np
import pandas as pd

from service.demo.context import Context
from service.demo.contracts import part_time_hours_per_month
from service.demo.days import NO_DAY, add_months, days_in_month, period_text, round_up
from service.demo.employers import due_days
from service.demo.files import FILE_COLUMNS, text_columns

# (rule, variant, trade): one employer each.
PLANTS: tuple[tuple[str, str, str], ...] = (
    *(("deposit.missing", "project", "construction"),) * 3,
    ("deposit.missing", "leased", "restaurant"),
    *(("deposit.shortfall", "project", "construction"),) * 4,
    *(("deposit.not_replenished", "project", "construction"),) * 4,
    *((rule, "", trade)
      for rule in ("wages.unpaid", "wages.unreported", "wages.below_minimum", "contract.missing")
      for trade in ("shoe", "garment", "restaurant", "other")),
    ("contract.probation_invalid", "one_year", "shoe"),
    ("contract.probation_invalid", "one_year", "garment"),
    ("contract.probation_invalid", "task", "garment"),
    ("contract.probation_invalid", "task", "other"),
    ("contract.probation_invalid", "second", "shoe"),
    ("contract.probation_invalid", "second", "other"),
    ("wages.below_minimum", "part_time", "restaurant"),
    *(("institution.missing", "", "shoe"),) * 2,
    ("institution.missing", "", "garment"),
    *(("insurance.work_injury_uncovered", "", "construction"),) * 2,
    *(("insurance.work_injury_uncovered", "", "shoe"),) * 2,
    *(("mediation.committee_missing", "", "shoe"),) * 2,
    ("mediation.committee_missing", "", "garment"),
)  # fmt: skip

# Months before the last reported period in which the wage violations are planted.
PLANTED_PERIOD_LAG = {"wages.unpaid": 2, "wages.unreported": 3, "wages.below_minimum": 4}
PLANTED_HEADCOUNT = (8, 30)  # other planted employers: enough workers, below that threshold
PLANTED_WORKERS = 4  # workers touched per planted violation (fewer if the employer is small)
PLANTED_WAGE_FEN = 120_000  # 1,200 CNY for a full month: far below any Zhejiang minimum
PART_TIME_PLANT_SHARE = 2  # planted part-time pay: half the hourly minimum
PLANTED_SHORTFALL_SHARE = 0.4  # of the lowest legal rate: 0.2 % of the contract value
PLANTED_DRAWDOWN_SHARE = 0.9  # of the deposit, never replenished
MEDIATION_PLANT_HEADCOUNT = 90  # all migrants: well above the committee threshold
INSTITUTION_PLANT_HEADCOUNT = 130  # all migrants: well above the service-office threshold
REHIRE_GAP_DAYS = 40  # a rehired worker's break between the two contracts


def choose_planted_employers(ctx: Context, employers: pd.DataFrame) -> None:
    """Pick a distinct employer of the right trade for each planted violation."""
    plants = pd.DataFrame(PLANTS, columns=["rule", "variant", "trade"])
    for trade, wanted in plants.groupby("trade", sort=True):
        pool = employers.index[employers["trade"] == trade].to_numpy()
        chosen = ctx.rng.choice(pool, size=len(wanted), replace=False)
        employers.loc[chosen, "plant_rule"] = wanted["rule"].to_numpy()
        employers.loc[chosen, "plant_variant"] = wanted["variant"].to_numpy()
    planted = employers["plant_rule"] != ""
    employers.loc[planted, "stable"] = True
    low, high = PLANTED_HEADCOUNT
    employers.loc[planted, "headcount"] = employers.loc[planted, "headcount"].clip(low, high)
    mediation = employers["plant_rule"] == "mediation.committee_missing"
    employers.loc[mediation, "headcount"] = MEDIATION_PLANT_HEADCOUNT
    employers.loc[mediation, "migrant_share"] = 1.0
    institution = employers["plant_rule"] == "institution.missing"
    employers.loc[institution, "headcount"] = INSTITUTION_PLANT_HEADCOUNT
    employers.loc[institution, "migrant_share"] = 1.0
    leased = employers["plant_variant"] == "leased"
    county = _county_with_own_leased_terms(ctx)
    employers.loc[leased, "county_code"] = county
    employers.loc[leased, "town"] = ctx.towns_in(np.full(int(leased.sum()), county))


# Demo only: in each county one clean factory employer (per unit of scale) grown just past the
# service-office threshold; like every employer above it, it keeps an office and a liaison. So
# each county has a figure for the assessment's service-office indicator, beside the planted
# institution.missing employers.
LARGE_EMPLOYER_TRADES = ("shoe", "garment", "other")
LARGE_EMPLOYER_HEADCOUNT = 105  # all migrants, nobody leaving: above the threshold of 100


def grow_large_employers(ctx: Context, employers: pd.DataFrame) -> None:
    """In each county, the first `scale` clean factory employers employ 105 to 120 migrants.
    No random draw."""
    clean = (employers["plant_rule"] == "") & employers["trade"].isin(LARGE_EMPLOYER_TRADES)
    for place, county in enumerate(ctx.counties["code"]):
        chosen = employers.index[clean & (employers["county_code"] == county)][: ctx.scale]
        employers.loc[chosen, "headcount"] = LARGE_EMPLOYER_HEADCOUNT + 5 * (place % 4)
        employers.loc[chosen, "migrant_share"] = 1.0
        employers.loc[chosen, "stable"] = True
        employers.loc[chosen, "large"] = True


def _county_with_own_leased_terms(ctx: Context) -> str:
    """The planted leased-premises employer sits where the reference has its own deposit terms
    (Ouhai), so the obligation does not rest on the city-wide stand-in alone."""
    own = ctx.reference.leased_premises_deposit["county_code"]
    listed = ctx.counties["code"][ctx.counties["code"].isin(own)]
    return str(listed.iloc[0]) if len(listed) else str(ctx.counties["code"].iloc[0])


def plant_contract_violations(
    ctx: Context, employers: pd.DataFrame, contracts: pd.DataFrame
) -> pd.DataFrame:
    """Violations that live in contracts (and so shape payroll and insurance); rehired workers
    add contract rows, so the contracts come back."""
    rehires = []
    for employer, row in employers[employers["plant_rule"] != ""].iterrows():
        rows = _planted_workers(contracts, int(employer))
        if row["plant_rule"] == "contract.missing":
            _unsigned(ctx, contracts, rows)
        elif row["plant_variant"] == "second":
            rehires.append(_rehired_on_probation_again(contracts, rows))
        elif row["plant_variant"] == "part_time":
            _made_part_time(ctx, contracts, rows[:1])
        elif row["plant_rule"] == "contract.probation_invalid":
            _invalid_probation(ctx, contracts, rows, row["plant_variant"])
        elif row["plant_rule"] == "insurance.work_injury_uncovered":
            _uninsured(contracts, rows)
    return pd.concat([contracts, *rehires], ignore_index=True)


def _planted_workers(contracts: pd.DataFrame, employer: int) -> pd.Index:
    """The employer's first few full-time workers (its workers all stay the whole year)."""
    mine = contracts[
        (contracts["employer"] == employer) & (contracts["employment_type"] == "full_time")
    ]
    return mine.index[:PLANTED_WORKERS]


def _unsigned(ctx: Context, contracts: pd.DataFrame, rows: pd.Index) -> None:
    """No written contract (LCL Art. 10) for workers who started 5–7 months before as_of: well
    past the one-month deadline, well short of the one-year mark (LCL Art. 14)."""
    start = ctx.as_of - ctx.uniform_days(150, 210, len(rows))
    contracts.loc[rows, "start"] = start
    contracts.loc[rows, ["signed", "end", "probation_end"]] = NO_DAY
    contracts.loc[rows, "probation_fen"] = -1
    contracts.loc[rows, "term_type"] = "open_ended"


def _invalid_probation(ctx: Context, contracts: pd.DataFrame, rows: pd.Index, variant: str) -> None:
    """3 months' probation on a 1-year contract (Art. 19 allows at most 2), or any probation on
    a task-based contract (Art. 19 allows none)."""
    n = len(rows)
    monthly = contracts.loc[rows, "monthly_fen"].to_numpy()
    if variant == "one_year":
        start = ctx.as_of - ctx.uniform_days(150, 200, n)  # still running on as_of
        contracts.loc[rows, "start"] = start
        contracts.loc[rows, "signed"] = start + ctx.uniform_days(0, 3, n)
        contracts.loc[rows, "term_type"] = "fixed"
        contracts.loc[rows, "end"] = add_months(start, 12) - 1
        contracts.loc[rows, "probation_end"] = add_months(start, 3) - 1
    else:
        start = contracts.loc[rows, "start"].to_numpy()
        contracts.loc[rows, "term_type"] = "task"
        contracts.loc[rows, "end"] = NO_DAY
        contracts.loc[rows, "probation_end"] = add_months(start, 1) - 1
    contracts.loc[rows, "probation_fen"] = round_up(monthly * 9 // 10, 10_000)


def _rehired_on_probation_again(contracts: pd.DataFrame, rows: pd.Index) -> pd.DataFrame:
    """Workers on a lawful one-month probation who left after five months and were rehired
    by the same employer REHIRE_GAP_DAYS later, on probation again (LCL Art. 19 ¶2 allows one
    probation per employer and worker). Returns the second contracts."""
    start = contracts.loc[rows, "start"].to_numpy()
    monthly = contracts.loc[rows, "monthly_fen"].to_numpy()
    left = add_months(start, 5)
    contracts.loc[rows, "term_type"] = "fixed"
    contracts.loc[rows, "end"] = add_months(start, 12) - 1
    contracts.loc[rows, "probation_end"] = add_months(start, 1) - 1
    contracts.loc[rows, "probation_fen"] = monthly
    contracts.loc[rows, "left"] = left
    again = contracts.loc[rows].copy()
    restart = left + REHIRE_GAP_DAYS
    again["start"] = again["signed"] = restart
    again["end"] = add_months(restart, 24) - 1
    again["probation_end"] = add_months(restart, 1) - 1
    again["left"] = NO_DAY
    return again


def _made_part_time(ctx: Context, contracts: pd.DataFrame, rows: pd.Index) -> None:
    """Full-time workers turned part-time (非全日制, no probation), paid by the hour well above
    the minimum; their pay is cut below it in one month (plant_payroll_violations)."""
    hourly = contracts.loc[rows, "monthly_fen"].to_numpy() // part_time_hours_per_month(ctx)
    contracts.loc[rows, "employment_type"] = "part_time"
    contracts.loc[rows, "term_type"] = "open_ended"
    contracts.loc[rows, ["end", "probation_end"]] = NO_DAY
    contracts.loc[rows, "probation_fen"] = -1
    contracts.loc[rows, "hourly_fen"] = hourly
    contracts.loc[rows, "monthly_fen"] = hourly * part_time_hours_per_month(ctx)


def _uninsured(contracts: pd.DataFrame, rows: pd.Index) -> None:
    """Active workers with no work-injury coverage; on a building site they are yard staff, off
    any project, so no project-wide policy covers them either."""
    contracts.loc[rows, "insured"] = False
    on_site = rows[contracts.loc[rows, "project"].to_numpy() >= 0]
    contracts.loc[on_site, "project"] = -1
    contracts.loc[on_site, "term_type"] = "open_ended"


# Demo only: in each county one clean employer paid a month's wages late, so the monitors runs
# of the months before the demo day find the arrears and, a run or more later, see them settled
# (the assessment's arrears indicators). The month is LATE_PAID_LAG months before the last
# reported one; the delay grows with the county's place in the list, so the counties differ.
LATE_PAID_LAG = 4
# Days after the due date: a month's wages due on the 5th to the 15th are found unpaid at the
# month's end and settled before the end of the next month, the one after, or the third.
LATE_PAID_DELAYS = (40, 65, 95)


def pay_some_wages_late(
    ctx: Context, employers: pd.DataFrame, contracts: pd.DataFrame, payroll: pd.DataFrame
) -> None:
    """The wages of LATE_PAID_LAG months before the last reported period, at the first clean
    employer of each county with at least two workers paid that month, paid in full but late.
    No random draw."""
    worker_employer = contracts["employer"].to_numpy()[payroll["contract"].to_numpy()]
    period = employers["last_period"].to_numpy()[worker_employer] - LATE_PAID_LAG
    in_month = payroll["period"].to_numpy() == period
    clean = (employers["plant_rule"] == "") & ~employers["large"]
    per_employer = pd.Series(worker_employer[in_month]).value_counts()
    for place, county in enumerate(ctx.counties["code"]):
        pool = employers.index[clean & (employers["county_code"] == county)]
        candidates = [e for e in pool if per_employer.get(e, 0) >= 2]
        if not candidates:
            continue
        employer = candidates[0]
        rows = in_month & (worker_employer == employer)
        due = due_days(
            ctx,
            payroll.loc[rows, "period"].to_numpy(),
            np.full(int(rows.sum()), employers.loc[employer, "pay_day"]),
        )
        late = due + LATE_PAID_DELAYS[place % len(LATE_PAID_DELAYS)]
        payroll.loc[rows, "paid_date"] = np.minimum(late, ctx.as_of - 1)


def plant_payroll_violations(
    ctx: Context, employers: pd.DataFrame, contracts: pd.DataFrame, payroll: pd.DataFrame
) -> pd.DataFrame:
    drop = np.zeros(len(payroll), dtype=bool)
    for employer, row in employers[employers["plant_rule"].str.startswith("wages.")].iterrows():
        rule = row["plant_rule"]
        period = int(row["last_period"]) - PLANTED_PERIOD_LAG[rule]
        if row["plant_variant"] == "part_time":
            _below_hourly_minimum(
                ctx, contracts, payroll, int(employer), row["county_code"], period
            )
            continue
        rows = _planted_payroll_rows(contracts, payroll, int(employer), period)
        if rule == "wages.unpaid":
            due = payroll.loc[rows, "amount_due_fen"].to_numpy()
            payroll.loc[rows, "amount_paid_fen"] = due // 2  # half paid
        elif rule == "wages.below_minimum":
            _check_far_below_minimum(ctx, row["county_code"], period)
            payroll.loc[rows, ["amount_due_fen", "amount_paid_fen"]] = PLANTED_WAGE_FEN
        else:  # wages.unreported
            drop[payroll.index.get_indexer(rows)] = True
    return payroll[~drop].reset_index(drop=True)


def _below_hourly_minimum(
    ctx: Context,
    contracts: pd.DataFrame,
    payroll: pd.DataFrame,
    employer: int,
    county: str,
    period: int,
) -> None:
    """The employer's part-time workers owed half the hourly minimum for their hours (LCL
    Art. 72 ¶1) in `period`."""
    worker = payroll["contract"].to_numpy()
    rows = payroll.index[
        (contracts["employer"].to_numpy()[worker] == employer)
        & (contracts["employment_type"].to_numpy()[worker] == "part_time")
        & (payroll["period"].to_numpy() == period)
    ]
    text = period_text(np.array([period]))
    hourly = ctx.reference.minimum_wage_fen(pd.Series([county]), pd.Series(text), "hourly")
    owed = payroll.loc[rows, "hours"].to_numpy() * int(hourly.iloc[0]) // PART_TIME_PLANT_SHARE
    payroll.loc[rows, ["amount_due_fen", "amount_paid_fen"]] = np.stack([owed, owed], axis=1)


def _planted_payroll_rows(
    contracts: pd.DataFrame, payroll: pd.DataFrame, employer: int, period: int
) -> pd.Index:
    """Rows of the employer's full-time workers employed for the whole period."""
    worker = payroll["contract"].to_numpy()
    full_month = payroll["days_employed"].to_numpy() == days_in_month(payroll["period"].to_numpy())
    mask = (
        (contracts["employer"].to_numpy()[worker] == employer)
        & (payroll["period"].to_numpy() == period)
        & (contracts["employment_type"].to_numpy()[worker] == "full_time")
        & full_month
    )
    return payroll.index[mask][:PLANTED_WORKERS]


def _check_far_below_minimum(ctx: Context, county: str, period: int) -> None:
    text = period_text(np.array([period]))
    minimum = ctx.reference.minimum_wage_fen(pd.Series([county]), pd.Series(text)).iloc[0]
    if pd.isna(minimum) or minimum * 2 < PLANTED_WAGE_FEN * 3:  # must be under two thirds
        raise ValueError(f"the planted wage is not far below the minimum wage ({minimum} fen)")


def expected_alerts(employers: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """The alert key (rule, employer, project, period) of every planted violation."""
    planted = employers[employers["plant_rule"] != ""]
    planted_project = projects[projects["plant"] == "planted"].set_index("employer")
    project = planted.index.map(planted_project["project_code"]).to_series(index=planted.index)
    lag = planted["plant_rule"].map(PLANTED_PERIOD_LAG)
    period = pd.Series(
        period_text((planted["last_period"] - lag.fillna(0)).to_numpy(int)), index=planted.index
    ).where(lag.notna())
    frame = pd.DataFrame(
        {
            "rule": planted["plant_rule"],
            "employer_uscc": planted["uscc"],
            "project_code": project,
            "period": period,
        }
    )
    frame = frame.sort_values(["rule", "employer_uscc", "project_code"], ignore_index=True)
    return text_columns(frame, FILE_COLUMNS["expected_alerts"])
