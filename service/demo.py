"""WageGuard's demo and scale data set, written as data-contract import files.

`generate_demo(out_dir)` writes a realistic Wenzhou data set — shoe and garment factories,
restaurants on leased premises, construction contractors with their projects, a few other
trades; mostly migrant workers; twelve months of payroll — in which everything is lawful except
a handful of planted violations per rule, each on its own employer and far from any boundary.
`expected/expected_alerts.csv` holds the alert key of every planted violation, so the monitors can
be checked end to end against it; `mediation_committees.csv` is the project's extension file.

Everything derives from `seed`, `scale` and `as_of` (never the clock): the same arguments give
byte-identical files. Columns are built as whole numpy arrays, so scale 170 (51,000 employers,
580,000 workers, 5.4 M payroll rows) takes about 20 s and scale 1 under a second. Legal figures
(deposit rate, probation limits, leased-premises deposit terms, the mediation-committee
threshold, minimum wages) are read from the reference data, never written here.

Every worker of the demo starts work inside the twelve reported months, so a monitor that
looks for missing payroll rows never sees an unreported month that simply predates the data.

Planted violations (see PLANTS; each on its own employer, which is otherwise clean):
- deposit.missing: a project permitted 3 months ago, 12–60 M CNY, no deposit (3 contractors);
  a leased-premises restaurant with workers and no employer-level deposit (1).
- deposit.shortfall: a project holding 0.2 % of its value (4).
- deposit.not_replenished: 90 % of a project's deposit drawn down 2 months ago and never
  replenished (4); each of these projects is then also short of its deposit.
- wages.unpaid / wages.unreported / wages.below_minimum: in one month, 4 full-time workers paid
  half / not reported / owed 1,200 CNY (4 employers each).
- contract.missing: 4 workers without a written contract 5–7 months after starting (4).
- contract.probation_invalid: 3 months' probation on 1-year contracts (2), probation on
  task-based contracts (2).
- insurance.work_injury_uncovered: 4 active workers without cover (2 builders, 2 shoe makers).
- mediation.committee_missing: 90 migrant workers and no enterprise committee (3).

    python -m service.demo OUT_DIR [--scale N] [--seed S] [--as-of YYYY-MM-DD]
"""

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from monitors.calendar import WorkCalendar, default_calendar
from monitors.identifiers import ID_CHECK_CHARS, ID_WEIGHTS, USCC_ALPHABET, USCC_WEIGHTS
from monitors.reference import Reference, load_reference

# --- the files --------------------------------------------------------------------------------

FILE_COLUMNS: dict[str, tuple[str, ...]] = {
    "employers": (
        "uscc", "name", "industry_code", "county_code", "town", "leased_premises",
        "contact_email",
    ),
    "workers": ("id_number", "name", "phone", "hukou_county_code"),
    "contracts": (
        "employer_uscc", "worker_id_number", "start_date", "signed_date", "term_type",
        "end_date", "employment_type", "probation_end", "monthly_wage", "hourly_wage",
        "probation_wage", "pay_day", "left_date", "project_code",
    ),
    "payroll": (
        "employer_uscc", "worker_id_number", "period", "amount_due", "amount_paid", "paid_date",
        "hours_worked",
    ),
    "projects": (
        "project_code", "name", "contractor_uscc", "county_code", "industry_code",
        "contract_value", "contract_signed_date", "permit_date", "completion_date",
    ),
    "deposit_events": (
        "employer_uscc", "project_code", "event", "date", "amount", "reference", "expiry_date",
    ),
    "insurance": ("employer_uscc", "worker_id_number", "project_code", "start_date", "end_date"),
    # Extension (documented in the README): mediation committees.
    "mediation_committees": (
        "code", "name", "kind", "employer_uscc", "county_code", "town", "contact_email",
    ),
    # Not an import file: the key of every planted violation.
    "expected_alerts": ("rule", "employer_uscc", "project_code", "period"),
}  # fmt: skip
IMPORT_FILES = tuple(name for name in FILE_COLUMNS if name != "expected_alerts")
EXPECTED_DIR = "expected"


@dataclass(frozen=True)
class DemoManifest:
    out_dir: Path
    row_counts: dict[str, int]
    expected_alerts: pd.DataFrame

    def path(self, name: str) -> Path:
        """Where file `name` was written (the expected alerts sit outside the import)."""
        folder = self.out_dir if name in IMPORT_FILES else self.out_dir / EXPECTED_DIR
        return folder / f"{name}.csv"


# --- who is in the demo -----------------------------------------------------------------------


@dataclass(frozen=True)
class Trade:
    key: str
    employers: int  # at scale 1
    industries: tuple[str, ...]  # GB/T 4754-2017 classes, drawn uniformly (repeat to weight)
    headcount_median: float
    headcount_spread: float  # sigma of the log-normal headcount
    wage_range: tuple[int, int]  # agreed monthly wage, CNY
    migrant_share: float
    female_share: float
    piece_rate: bool = False  # monthly pay follows output (shoes, garments)
    leased: bool = False
    part_time_share: float = 0.0


TRADES = (
    Trade("shoe", 90, ("1952", "1952", "1952", "1951"), 11, 0.8, (5500, 8500), 0.85, 0.5,
          piece_rate=True),
    Trade("garment", 70, ("1811", "1819", "1819"), 9, 0.8, (5000, 8000), 0.85, 0.65,
          piece_rate=True),
    Trade("restaurant", 70, ("6210",), 5, 0.5, (4000, 6500), 0.7, 0.55, leased=True,
          part_time_share=0.08),
    Trade("construction", 40, ("4710", "4710", "4813", "4822", "4871"), 11, 0.6, (6500, 9000),
          0.9, 0.08),
    Trade("other", 30, ("1761", "1922", "1922", "2641"), 7, 0.6, (4500, 7500), 0.75, 0.45),
)  # fmt: skip
TRADE_BY_KEY = {trade.key: trade for trade in TRADES}
BUSINESS_WORDS = {
    "1952": "鞋业", "1951": "鞋业", "1811": "服饰", "1819": "服装", "6210": "餐饮",
    "4710": "建设", "4813": "市政建设", "4822": "水利建设", "4871": "电力建设",
    "1761": "针织", "1922": "箱包", "2641": "涂料",
}  # fmt: skip
PROJECT_WORDS = {
    "4710": "号地块住宅工程", "4813": "号路提升改造工程", "4822": "号河道综合治理工程",
    "4871": "号热电联产扩建工程",
}  # fmt: skip
TRADE_NAME_CHARS = list(
    "华盛泰丰瑞鑫宏达永康信福嘉金宝新兴隆昌恒远通利源鸿祥东海天成佳美豪顺德安荣凯正博明立合和光耀腾龙凤春宇晨锦创星"
)
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
MALE_CHARS = list(
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国志文海峰亮成东兵"
)
FEMALE_CHARS = list("芳娟敏静丽艳娜秀英霞玲燕萍红琴云莲梅兰凤洁倩婷雪慧佳颖琳月春桂霜")
PHONE_PREFIXES = (
    130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 157, 158, 159, 166,
    173, 176, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 191, 199,
)  # fmt: skip
# Household-registration counties of the provinces most Wenzhou migrant workers come from.
HUKOU_COUNTIES = {
    "四川": ("510722", "511321", "511322", "511323", "511324", "511025", "513721", "513722",
             "511621", "510821"),
    "贵州": ("522121", "522622", "522701", "520121", "520324", "522426", "522425", "520221"),
    "河南": ("411421", "411622", "411627", "411522", "411524", "411525", "410926", "411725"),
    "安徽": ("341221", "341222", "341226", "341321", "340421", "341523", "341623"),
    "江西": ("360781", "360731", "360733", "360428", "361126", "360721"),
}  # fmt: skip
HUKOU_PROVINCE_WEIGHTS = (0.28, 0.24, 0.18, 0.15, 0.15)

# Demo choices (not legal figures): how the clean population is shaped.
REPORTED_MONTHS = 12
LATEST_START_BEFORE_AS_OF = 45  # days: every contract is signed and reported by as_of
LEAVER_SHARE = 0.12
PROJECT_STAFF_SHARE = 0.15  # construction workers not assigned to a project (office, yard)
DEPOSIT_ROUNDING_FEN = 100_000  # deposits are rounded up to 1,000 CNY
LEASED_DEPOSIT_ROUNDING_FEN = 1_000_000  # … and leased-premises ones to 10,000 CNY
HOURS_PER_WORKING_DAY = 8
PLANTED_WAGE_FEN = 120_000  # 1,200 CNY for a full month: far below any Zhejiang minimum
PLANTED_SHORTFALL_SHARE = 0.4  # of the lowest legal rate: 0.2 % of the contract value
PLANTED_DRAWDOWN_SHARE = 0.9  # of the deposit, never replenished
PLANTED_WORKERS = 4  # workers touched per planted violation (fewer if the employer is small)
MEDIATION_PLANT_HEADCOUNT = 90  # all migrants: well above the committee threshold
PLANTED_HEADCOUNT = (8, 30)  # other planted employers: enough workers, below that threshold

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
    *(("insurance.work_injury_uncovered", "", "construction"),) * 2,
    *(("insurance.work_injury_uncovered", "", "shoe"),) * 2,
    *(("mediation.committee_missing", "", "shoe"),) * 2,
    ("mediation.committee_missing", "", "garment"),
)  # fmt: skip
# Months before the last reported period in which the wage violations are planted.
PLANTED_PERIOD_LAG = {"wages.unpaid": 2, "wages.unreported": 3, "wages.below_minimum": 4}

NO_DAY = np.iinfo(np.int32).min  # an empty date cell
_EPOCH = date(1970, 1, 1)


# --- public API -------------------------------------------------------------------------------


def generate_demo(
    out_dir: Path, *, seed: int = 2026, scale: int = 1, as_of: date = date(2026, 11, 30)
) -> DemoManifest:
    """Write the demo data set into `out_dir` (created if needed) and describe it."""
    frames = generate_frames(seed=seed, scale=scale, as_of=as_of)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The expected alerts are not an import file: keep them out of the import folder.
    (out_dir / EXPECTED_DIR).mkdir(exist_ok=True)
    for name, frame in frames.items():
        folder = out_dir if name in IMPORT_FILES else out_dir / EXPECTED_DIR
        _write_csv(frame, folder / f"{name}.csv")
    counts = {name: len(frame) for name, frame in frames.items()}
    return DemoManifest(out_dir, counts, frames["expected_alerts"])


def generate_frames(
    *, seed: int = 2026, scale: int = 1, as_of: date = date(2026, 11, 30)
) -> dict[str, pd.DataFrame]:
    """The demo files as DataFrames (columns as in the files; dates datetime64, money CNY)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    ctx = _Context.build(seed, scale, as_of)
    employers = _employers(ctx)
    projects = _projects(ctx, employers)
    contracts = _contracts(ctx, employers, projects)
    _plant_contract_violations(ctx, employers, contracts)
    payroll = _payroll(ctx, employers, contracts)
    payroll = _plant_payroll_violations(ctx, employers, contracts, payroll)
    return {
        "employers": _employers_file(employers),
        "workers": _workers_file(contracts),
        "contracts": _contracts_file(employers, contracts, projects),
        "payroll": _payroll_file(employers, contracts, payroll),
        "projects": _projects_file(employers, projects),
        "deposit_events": _deposit_events(ctx, employers, projects, contracts),
        "insurance": _insurance(ctx, employers, projects, contracts),
        "mediation_committees": _committees(ctx, employers, contracts),
        "expected_alerts": _expected_alerts(employers, projects),
    }


# --- context: randomness, reference data, days ------------------------------------------------


@dataclass
class _Context:
    rng: np.random.Generator
    reference: Reference
    calendar: WorkCalendar
    scale: int
    as_of: int  # day number (days since 1970-01-01)
    as_of_date: date
    counties: pd.DataFrame  # code, name_zh, weight
    towns: pd.DataFrame  # county_code, name_zh; sorted by county

    @classmethod
    def build(cls, seed: int, scale: int, as_of: date) -> "_Context":
        reference = load_reference()
        return cls(
            rng=np.random.default_rng([seed, scale]),
            reference=reference,
            calendar=default_calendar(),
            scale=scale,
            as_of=_day(as_of),
            as_of_date=as_of,
            counties=_wenzhou_counties(reference),
            towns=reference.towns[["county_code", "name_zh"]].sort_values(
                ["county_code", "name_zh"], ignore_index=True
            ),
        )

    def param(self, name: str) -> int | float:
        return self.reference.value(name, on=self.as_of_date)

    def uniform_days(self, low: np.ndarray | int, high: np.ndarray | int, n: int) -> np.ndarray:
        """Whole days uniformly in [low, high] (high < low is read as low)."""
        low_a = np.broadcast_to(np.asarray(low, dtype=np.int64), (n,))
        high_a = np.maximum(np.broadcast_to(np.asarray(high, dtype=np.int64), (n,)), low_a)
        return low_a + np.floor(self.rng.random(n) * (high_a - low_a + 1)).astype(np.int64)

    # working-day arithmetic over day numbers
    def on_or_before_working_day(self, days: np.ndarray) -> np.ndarray:
        return _from_series(self.calendar.on_or_before_working_day_many(_to_series(days)))

    def add_working_days(self, days: np.ndarray, n: int | np.ndarray) -> np.ndarray:
        n_series = pd.Series(np.broadcast_to(np.asarray(n, dtype=np.int64), days.shape))
        return _from_series(self.calendar.add_working_days_many(_to_series(days), n_series))

    def working_days_between(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        counts = self.calendar.working_days_between_many(_to_series(starts), _to_series(ends))
        return counts.to_numpy(dtype=np.int64)


def _wenzhou_counties(reference: Reference) -> pd.DataFrame:
    """The county-level divisions of the reference city, weighted so districts and county-level
    cities (where the factories are) get more employers than rural counties."""
    table = reference.jurisdictions.reset_index()
    city = table.loc[table["level"] == "city", "code"]
    counties = table[(table["level"] == "county") & table["parent_code"].isin(city)]
    counties = counties.sort_values("code", ignore_index=True)
    rural = counties["name_zh"].str.endswith("县")
    weight = np.where(rural, 1.0, 3.0)
    return pd.DataFrame(
        {"code": counties["code"], "name_zh": counties["name_zh"], "weight": weight / weight.sum()}
    )


# --- employers --------------------------------------------------------------------------------


def _employers(ctx: _Context) -> pd.DataFrame:
    frame = pd.concat([_employers_of(ctx, trade) for trade in TRADES], ignore_index=True)
    _check_industries(ctx.reference, frame["industry_code"])
    frame["town"] = _towns_for(ctx, frame["county_code"].to_numpy())
    frame["last_period"] = _last_reported_period(ctx, frame["pay_day"].to_numpy())
    _assign_plants(ctx, frame)
    frame["uscc"] = _unique_usccs(ctx.rng, frame["county_code"].to_numpy())
    frame["name"] = _employer_names(ctx, frame)
    frame["contact_email"] = "hr-" + frame["uscc"].str.lower() + "@example.com"
    return frame


def _employers_of(ctx: _Context, trade: Trade) -> pd.DataFrame:
    n = trade.employers * ctx.scale
    rng = ctx.rng
    headcount = rng.lognormal(np.log(trade.headcount_median), trade.headcount_spread, n)
    return pd.DataFrame(
        {
            "trade": trade.key,
            "industry_code": rng.choice(np.array(trade.industries), n),
            "county_code": rng.choice(ctx.counties["code"].to_numpy(), n, p=ctx.counties["weight"]),
            "leased_premises": trade.leased,
            "headcount": np.clip(np.rint(headcount), 2, 400).astype(np.int64),
            "pay_day": rng.integers(5, 16, n),
            # working days between paying and the due date: some employers pay early
            "pay_lead": rng.integers(0, 3, n),
            "migrant_share": trade.migrant_share,
            "plant_rule": "",
            "plant_variant": "",
            "stable": False,  # planted employers: everyone starts early and nobody leaves
        }
    )


def _check_industries(reference: Reference, codes: pd.Series) -> None:
    unknown = sorted(set(codes) - set(reference.industries.index))
    if unknown:
        raise ValueError(f"industry codes missing from the reference data: {unknown}")


def _towns_for(ctx: _Context, county_codes: np.ndarray) -> np.ndarray:
    """A town of each employer's county (vectorised: an offset into the county's block)."""
    towns = ctx.towns
    first = towns.groupby("county_code").cumcount() == 0
    offsets = pd.Series(towns.index[first], index=towns.loc[first, "county_code"])
    counts = towns.groupby("county_code").size()
    offset = offsets.reindex(county_codes).to_numpy()
    count = counts.reindex(county_codes).to_numpy()
    if np.isnan(count.astype(float)).any():
        raise ValueError("a county of the demo has no towns in the reference data")
    pick = offset + np.floor(ctx.rng.random(len(county_codes)) * count).astype(np.int64)
    return towns["name_zh"].to_numpy()[pick]


def _last_reported_period(ctx: _Context, pay_days: np.ndarray) -> np.ndarray:
    """Per employer, the latest month whose wages were due on or before as_of."""
    this_month = _month_of(np.array([ctx.as_of]))[0]
    previous = np.full(len(pay_days), this_month - 1)
    due = _due_days(ctx, previous, pay_days)
    return np.where(due <= ctx.as_of, previous, previous - 1)


def _due_days(ctx: _Context, periods: np.ndarray, pay_days: np.ndarray) -> np.ndarray:
    """Due date of a period's wages: the pay day of the next month (its last day if shorter),
    brought forward to a working day (Decree 724 Art. 14)."""
    next_month = periods + 1
    day_in_month = np.minimum(pay_days, _days_in_month(next_month))
    return ctx.on_or_before_working_day(_month_start(next_month) + day_in_month - 1)


def _assign_plants(ctx: _Context, employers: pd.DataFrame) -> None:
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
    leased = employers["plant_variant"] == "leased"
    county = _county_with_own_leased_terms(ctx)
    employers.loc[leased, "county_code"] = county
    employers.loc[leased, "town"] = _towns_for(ctx, np.full(int(leased.sum()), county))


def _county_with_own_leased_terms(ctx: _Context) -> str:
    """The planted leased-premises employer sits where the reference has its own deposit terms
    (Ouhai), so the obligation does not rest on the city-wide stand-in alone."""
    own = ctx.reference.leased_premises_deposit["county_code"]
    listed = ctx.counties["code"][ctx.counties["code"].isin(own)]
    return str(listed.iloc[0]) if len(listed) else str(ctx.counties["code"].iloc[0])


def _employer_names(ctx: _Context, employers: pd.DataFrame) -> pd.Series:
    """`瑞安市鸿盛鞋业有限公司`; companies in a district carry the city's name, 温州."""
    county_name = employers["county_code"].map(ctx.counties.set_index("code")["name_zh"])
    place = county_name.where(~county_name.str.endswith("区"), "温州")
    chars = np.array(TRADE_NAME_CHARS)
    first = chars[ctx.rng.integers(0, len(chars), len(employers))]
    second = chars[ctx.rng.integers(0, len(chars), len(employers))]
    word = employers["industry_code"].map(BUSINESS_WORDS)
    return place + first + second + word + "有限公司"


# --- projects ---------------------------------------------------------------------------------


def _projects(ctx: _Context, employers: pd.DataFrame) -> pd.DataFrame:
    builders = employers[employers["trade"] == "construction"]
    planted_deposit = builders["plant_rule"].str.startswith("deposit.")
    # A planted contractor has no other running project, so its alerts cannot mix with others.
    ongoing = np.where(planted_deposit, 0, 1 + ctx.rng.binomial(2, 0.35, len(builders)))
    completed = ctx.rng.binomial(1, 0.4, len(builders))
    frames = [
        _clean_projects(ctx, builders, ongoing, ongoing=True),
        _clean_projects(ctx, builders, completed, ongoing=False),
        _planted_projects(ctx, builders[planted_deposit]),
    ]
    projects = pd.concat(frames, ignore_index=True)
    projects = projects.sort_values(["employer", "permit_date"], kind="stable", ignore_index=True)
    projects["project_code"] = _project_codes(projects)
    projects["name"] = _project_names(ctx, projects)
    return projects


def _clean_projects(
    ctx: _Context, builders: pd.DataFrame, counts: np.ndarray, *, ongoing: bool
) -> pd.DataFrame:
    employer = np.repeat(builders.index.to_numpy(), counts)
    n = len(employer)
    if ongoing:
        signed = ctx.as_of - ctx.uniform_days(150, 720, n)
        permit = np.minimum(signed + ctx.uniform_days(10, 50, n), ctx.as_of - 100)
        completion = np.full(n, NO_DAY, dtype=np.int64)
    else:
        signed = ctx.as_of - ctx.uniform_days(800, 1200, n)
        permit = signed + ctx.uniform_days(10, 50, n)
        completion = ctx.as_of - ctx.uniform_days(90, 330, n)
    return _project_rows(ctx, builders, employer, signed, permit, completion, plant="")


def _planted_projects(ctx: _Context, builders: pd.DataFrame) -> pd.DataFrame:
    """One running project per planted deposit violation, with a value of 12–60 M CNY."""
    n = len(builders)
    rule = builders["plant_rule"].to_numpy()
    months_ago = np.select(
        [rule == "deposit.missing", rule == "deposit.shortfall"],
        [np.full(n, 3), ctx.rng.integers(4, 9, n)],
        ctx.rng.integers(6, 11, n),
    )
    permit = _add_months(np.full(n, ctx.as_of), -months_ago)
    signed = permit - ctx.uniform_days(20, 40, n)
    completion = np.full(n, NO_DAY, dtype=np.int64)
    rows = _project_rows(
        ctx, builders, builders.index.to_numpy(), signed, permit, completion, plant="planted"
    )
    rows["contract_value_fen"] = ctx.rng.integers(1_200, 6_001, n) * 1_000_000
    return rows


def _project_rows(
    ctx: _Context,
    builders: pd.DataFrame,
    employer: np.ndarray,
    signed: np.ndarray,
    permit: np.ndarray,
    completion: np.ndarray,
    *,
    plant: str,
) -> pd.DataFrame:
    n = len(employer)
    own_county = builders["county_code"].reindex(employer).to_numpy()
    other_county = ctx.rng.choice(ctx.counties["code"].to_numpy(), n, p=ctx.counties["weight"])
    value = np.clip(ctx.rng.lognormal(np.log(40e6), 0.9, n), 5e6, 800e6)
    return pd.DataFrame(
        {
            "employer": employer,
            "county_code": np.where(ctx.rng.random(n) < 0.7, own_county, other_county),
            "industry_code": builders["industry_code"].reindex(employer).to_numpy(),
            "contract_value_fen": (np.rint(value / 10_000) * 1_000_000).astype(np.int64),
            "contract_signed_date": signed,
            "permit_date": permit,
            "completion_date": completion,
            "plant": plant,
        }
    )


def _project_codes(projects: pd.DataFrame) -> pd.Series:
    """County code, signing date and a sequence number, like a construction-permit number."""
    signed = _date_text(projects["contract_signed_date"].to_numpy()).str.replace("-", "")
    sequence = pd.Series(np.arange(1, len(projects) + 1)).astype("str").str.zfill(5)
    return projects["county_code"] + signed + sequence


def _project_names(ctx: _Context, projects: pd.DataFrame) -> pd.Series:
    town = _towns_for(ctx, projects["county_code"].to_numpy())
    number = pd.Series(ctx.rng.integers(1, 30, len(projects))).astype("str")
    return town + number + projects["industry_code"].map(PROJECT_WORDS)


# --- workers and contracts --------------------------------------------------------------------


def _contracts(ctx: _Context, employers: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """One worker and one employment contract per head of each employer."""
    employer = np.repeat(employers.index.to_numpy(), employers["headcount"].to_numpy())
    frame = pd.DataFrame({"employer": employer})
    frame["project"] = _project_assignments(ctx, employers, projects, employer)
    _employment_dates(ctx, employers, projects, frame)
    _contract_terms(ctx, employers, frame)
    _identities(ctx, employers, frame)
    frame["insured"] = True
    return frame


def _project_assignments(
    ctx: _Context, employers: pd.DataFrame, projects: pd.DataFrame, employer: np.ndarray
) -> np.ndarray:
    """Index of the running project a construction worker works on, or -1 (staff)."""
    running = projects[projects["completion_date"] == NO_DAY]
    count = running.groupby("employer").size().reindex(employers.index, fill_value=0).to_numpy()
    first = running.reset_index().groupby("employer")["index"].min()
    offset = first.reindex(employers.index, fill_value=0).to_numpy()
    n = len(employer)
    pick = offset[employer] + np.floor(ctx.rng.random(n) * count[employer]).astype(np.int64)
    on_site = (count[employer] > 0) & (ctx.rng.random(n) >= PROJECT_STAFF_SHARE)
    return np.where(on_site, pick, -1)


def _employment_dates(
    ctx: _Context, employers: pd.DataFrame, projects: pd.DataFrame, frame: pd.DataFrame
) -> None:
    e = frame["employer"].to_numpy()
    n = len(e)
    last_period = employers["last_period"].to_numpy()[e]
    earliest = _month_start(last_period - (REPORTED_MONTHS - 1))
    project = frame["project"].to_numpy()
    permit = projects["permit_date"].to_numpy()[np.maximum(project, 0)]
    earliest = np.where(project >= 0, np.maximum(earliest, permit + 3), earliest)
    latest = np.minimum(ctx.as_of - LATEST_START_BEFORE_AS_OF, _month_start(last_period + 1) - 1)
    stable = employers["stable"].to_numpy()[e]
    # Most workers were there when reporting began; the rest joined during the year.
    early = stable | (ctx.rng.random(n) < 0.6)
    start = np.where(
        early,
        np.minimum(earliest + ctx.uniform_days(0, 20, n), latest),
        ctx.uniform_days(earliest, latest, n),
    )
    leaves = ~stable & (ctx.rng.random(n) < LEAVER_SHARE) & (start <= ctx.as_of - 100)
    left = ctx.uniform_days(start + 60, ctx.as_of - 20, n)
    frame["start"] = start
    frame["left"] = np.where(leaves, left, NO_DAY)
    frame["signed"] = start + ctx.uniform_days(0, 7, n)


def _contract_terms(ctx: _Context, employers: pd.DataFrame, frame: pd.DataFrame) -> None:
    e = frame["employer"].to_numpy()
    n = len(e)
    rng = ctx.rng
    trade = employers["trade"].to_numpy()[e]
    stable = employers["stable"].to_numpy()[e]
    part_time = ~stable & (rng.random(n) < _per_trade(trade, lambda t: t.part_time_share))
    on_site = frame["project"].to_numpy() >= 0
    start = frame["start"].to_numpy()

    draw = rng.random(n)
    one_year_allowed = _add_months(start, 12) - 1 > ctx.as_of + 30  # else it would have lapsed
    years = np.select([draw < 0.55, draw < 0.70, draw < 0.90], [2, 1, 0], 5)
    years = np.where((years == 1) & ~one_year_allowed, 2, years)
    term = np.where(years == 0, "open_ended", "fixed")
    term = np.where(on_site, "task", term)
    term = np.where(part_time, "open_ended", term)
    fixed = term == "fixed"
    frame["term_type"] = term
    frame["end"] = np.where(fixed, _add_months(start, 12 * np.maximum(years, 1)) - 1, NO_DAY)
    frame["employment_type"] = np.where(part_time, "part_time", "full_time")
    frame["years"] = np.where(fixed, years, 0)
    _wages(ctx, frame, trade, part_time)
    _probation(ctx, frame)


def _wages(ctx: _Context, frame: pd.DataFrame, trade: np.ndarray, part_time: np.ndarray) -> None:
    n = len(frame)
    low = _per_trade(trade, lambda t: t.wage_range[0]) // 100
    high = _per_trade(trade, lambda t: t.wage_range[1]) // 100
    monthly = (low + np.floor(ctx.rng.random(n) * (high - low + 1)).astype(np.int64)) * 10_000
    hourly = ctx.rng.integers(30, 41, n) * 100
    hours_per_month = round(float(ctx.param("monthly_paid_days")) * HOURS_PER_WORKING_DAY)
    frame["monthly_fen"] = np.where(part_time, hourly * hours_per_month, monthly)
    frame["hourly_fen"] = np.where(part_time, hourly, -1)
    frame["piece_rate"] = _per_trade(trade, lambda t: t.piece_rate)


def _per_trade(trades: np.ndarray, attribute: Callable[[Trade], float]) -> np.ndarray:
    """An attribute of each row's trade, looked up per trade rather than per row."""
    codes = pd.Categorical(trades, categories=list(TRADE_BY_KEY)).codes
    return np.array([attribute(trade) for trade in TRADE_BY_KEY.values()])[codes]


def _probation(ctx: _Context, frame: pd.DataFrame) -> None:
    """Probations well inside LCL Art. 19 and wages well above the Art. 20 floor."""
    n = len(frame)
    rng = ctx.rng
    years = frame["years"].to_numpy()
    term = frame["term_type"].to_numpy()
    long_term = (term == "open_ended") | (years >= 5)
    two_years = (term == "fixed") & (years == 2)
    long_limit = int(ctx.param("probation_max_months_3y_plus"))
    mid_limit = int(ctx.param("probation_max_months_1y_to_3y"))
    months = np.where(long_term, rng.integers(1, long_limit // 2 + 1, n), 0)
    months = np.where(two_years, mid_limit - 1, months)
    months = np.where((rng.random(n) < 0.5) | (frame["employment_type"] == "part_time"), 0, months)
    start = frame["start"].to_numpy()
    frame["probation_end"] = np.where(months > 0, _add_months(start, months) - 1, NO_DAY)
    floor_bp = int(ctx.param("probation_wage_min_ratio_bp"))
    ratio_bp = rng.choice(np.array([floor_bp + 500, floor_bp + 1000, 10_000]), n)
    ratio_bp = np.minimum(ratio_bp, 10_000)
    wage = _round_up(frame["monthly_fen"].to_numpy() * ratio_bp // 10_000, 10_000)
    frame["probation_fen"] = np.where(months > 0, wage, -1)


def _identities(ctx: _Context, employers: pd.DataFrame, frame: pd.DataFrame) -> None:
    e = frame["employer"].to_numpy()
    n = len(e)
    rng = ctx.rng
    trade = employers["trade"].to_numpy()[e]
    female = rng.random(n) < _per_trade(trade, lambda t: t.female_share)
    migrant = rng.random(n) < employers["migrant_share"].to_numpy()[e]
    frame["migrant"] = migrant
    frame["hukou"] = _hukou_counties(ctx, employers, e, migrant)
    # Adults of 20–57 on as_of: 18 or more on their first day, under 60 throughout.
    age_days = ctx.uniform_days(20 * 365 + 5, 57 * 365, n)
    birth = ctx.as_of - age_days
    frame["id_number"] = _unique_id_numbers(rng, frame["hukou"].to_numpy(), birth, female)
    frame["worker_name"] = _person_names(rng, female)
    prefixes = np.array(PHONE_PREFIXES, dtype=np.int64)[rng.integers(0, len(PHONE_PREFIXES), n)]
    phone = prefixes * 100_000_000 + rng.integers(0, 100_000_000, n)
    frame["phone"] = pd.Series(phone).astype("str")


def _hukou_counties(
    ctx: _Context, employers: pd.DataFrame, e: np.ndarray, migrant: np.ndarray
) -> np.ndarray:
    n = len(e)
    provinces = list(HUKOU_COUNTIES.values())
    province = ctx.rng.choice(len(provinces), n, p=HUKOU_PROVINCE_WEIGHTS)
    sizes = np.array([len(codes) for codes in provinces])
    flat = np.concatenate([np.array(codes) for codes in provinces])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pick = starts[province] + np.floor(ctx.rng.random(n) * sizes[province]).astype(np.int64)
    # Local workers: most are registered in the employer's own county.
    own = employers["county_code"].to_numpy()[e]
    elsewhere = ctx.rng.choice(ctx.counties["code"].to_numpy(), n, p=ctx.counties["weight"])
    local = np.where(ctx.rng.random(n) < 0.6, own, elsewhere)
    return np.where(migrant, flat[pick], local)


def _person_names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    n = len(female)
    ranks = np.arange(1, len(SURNAMES) + 1)
    weights = 1 / ranks**0.8  # a few surnames are very common (王, 李, 张 …)
    surname = np.array(SURNAMES)[rng.choice(len(SURNAMES), n, p=weights / weights.sum())]
    male_chars, female_chars = np.array(MALE_CHARS), np.array(FEMALE_CHARS)
    first = np.where(
        female,
        female_chars[rng.integers(0, len(female_chars), n)],
        male_chars[rng.integers(0, len(male_chars), n)],
    )
    second = np.where(
        female,
        female_chars[rng.integers(0, len(female_chars), n)],
        male_chars[rng.integers(0, len(male_chars), n)],
    )
    second = np.where(rng.random(n) < 0.2, "", second)  # one in five has a one-character name
    return (
        pd.Series(surname, dtype="str")
        + pd.Series(first, dtype="str")
        + pd.Series(second, dtype="str")
    ).to_numpy()


# --- identifiers (GB 32100-2015, GB 11643-1999) -----------------------------------------------


def _unique_usccs(rng: np.random.Generator, county_codes: np.ndarray) -> pd.Series:
    """`91` (an enterprise registered by market regulation), the county, an organisation code
    (post-2015 `MA…` form or an older all-digit one), and the check character."""
    codes = _usccs(rng, county_codes)
    while True:  # redraw the (rare) duplicates; deterministic for a seed
        duplicated = codes.duplicated(keep="first").to_numpy()
        if not duplicated.any():
            return codes
        codes[duplicated] = _usccs(rng, county_codes[duplicated]).to_numpy()


def _usccs(rng: np.random.Generator, county_codes: np.ndarray) -> pd.Series:
    n = len(county_codes)
    alphabet = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
    region = np.frombuffer("".join(county_codes).encode(), dtype=np.uint8).reshape(n, 6)
    digits = alphabet[rng.integers(0, 10, (n, 9))]
    new_style = alphabet[rng.integers(0, len(alphabet), (n, 9))]
    new_style[:, :2] = np.frombuffer(b"MA", dtype=np.uint8)
    organisation = np.where((rng.random(n) < 0.6)[:, None], new_style, digits)
    head = np.broadcast_to(np.frombuffer(b"91", dtype=np.uint8), (n, 2))
    body = np.hstack([head, region, organisation])
    value = np.searchsorted(alphabet, body)  # the alphabet is in byte order
    total = value @ np.array(USCC_WEIGHTS)
    check = alphabet[(31 - total % 31) % 31]
    return _fixed_width_text(np.hstack([body, check[:, None]]))


def _unique_id_numbers(
    rng: np.random.Generator, hukou: np.ndarray, birth: np.ndarray, female: np.ndarray
) -> np.ndarray:
    """Region (hukou county), birth date, a sequence number unique within that pair — odd for
    men, even for women — and the check character."""
    n = len(hukou)
    keys = pd.DataFrame({"hukou": hukou, "birth": birth})
    group = keys.groupby(["hukou", "birth"], sort=False).ngroup().to_numpy()
    rank = keys.groupby(["hukou", "birth"], sort=False).cumcount().to_numpy()
    group_offset = rng.integers(0, 400, group.max() + 1 if n else 0) * 2
    sequence = group_offset[group] + 2 * rank + np.where(female, 0, 1)
    if (sequence > 999).any():
        raise ValueError("too many people share a birth date and county")
    birth_text = _date_text(birth).str.replace("-", "").to_numpy()
    body_text = (
        pd.Series(hukou, dtype="str")
        + pd.Series(birth_text, dtype="str")
        + pd.Series(sequence).astype("str").str.zfill(3)
    )
    body = np.frombuffer("".join(body_text).encode(), dtype=np.uint8).reshape(n, 17)
    total = (body - ord("0")).astype(np.int64) @ np.array(ID_WEIGHTS)
    check = np.frombuffer(ID_CHECK_CHARS.encode(), dtype=np.uint8)[(12 - total % 11) % 11]
    return _fixed_width_text(np.hstack([body, check[:, None]])).to_numpy()


def _fixed_width_text(chars: np.ndarray) -> pd.Series:
    width = chars.shape[1]
    joined = np.ascontiguousarray(chars, dtype=np.uint8).tobytes()
    return pd.Series(np.frombuffer(joined, dtype=f"S{width}").astype(f"U{width}"), dtype="str")


# --- planted violations -----------------------------------------------------------------------


def _plant_contract_violations(
    ctx: _Context, employers: pd.DataFrame, contracts: pd.DataFrame
) -> None:
    """Violations that live in contracts (and so shape payroll and insurance)."""
    for employer, row in employers[employers["plant_rule"] != ""].iterrows():
        rows = _planted_workers(contracts, int(employer))
        if row["plant_rule"] == "contract.missing":
            _unsigned(ctx, contracts, rows)
        elif row["plant_rule"] == "contract.probation_invalid":
            _invalid_probation(ctx, contracts, rows, row["plant_variant"])
        elif row["plant_rule"] == "insurance.work_injury_uncovered":
            _uninsured(contracts, rows)


def _planted_workers(contracts: pd.DataFrame, employer: int) -> pd.Index:
    """The employer's first few full-time workers (its workers all stay the whole year)."""
    mine = contracts[
        (contracts["employer"] == employer) & (contracts["employment_type"] == "full_time")
    ]
    return mine.index[:PLANTED_WORKERS]


def _unsigned(ctx: _Context, contracts: pd.DataFrame, rows: pd.Index) -> None:
    """No written contract (LCL Art. 10) for workers who started 5–7 months before as_of: well
    past the one-month deadline, well short of the one-year mark (LCL Art. 14)."""
    start = ctx.as_of - ctx.uniform_days(150, 210, len(rows))
    contracts.loc[rows, "start"] = start
    contracts.loc[rows, ["signed", "end", "probation_end"]] = NO_DAY
    contracts.loc[rows, "probation_fen"] = -1
    contracts.loc[rows, "term_type"] = "open_ended"


def _invalid_probation(
    ctx: _Context, contracts: pd.DataFrame, rows: pd.Index, variant: str
) -> None:
    """3 months' probation on a 1-year contract (Art. 19 allows at most 2), or any probation on
    a task-based contract (Art. 19 allows none)."""
    n = len(rows)
    monthly = contracts.loc[rows, "monthly_fen"].to_numpy()
    if variant == "one_year":
        start = ctx.as_of - ctx.uniform_days(150, 200, n)  # still running on as_of
        contracts.loc[rows, "start"] = start
        contracts.loc[rows, "signed"] = start + ctx.uniform_days(0, 3, n)
        contracts.loc[rows, "term_type"] = "fixed"
        contracts.loc[rows, "end"] = _add_months(start, 12) - 1
        contracts.loc[rows, "probation_end"] = _add_months(start, 3) - 1
    else:
        start = contracts.loc[rows, "start"].to_numpy()
        contracts.loc[rows, "term_type"] = "task"
        contracts.loc[rows, "end"] = NO_DAY
        contracts.loc[rows, "probation_end"] = _add_months(start, 1) - 1
    contracts.loc[rows, "probation_fen"] = _round_up(monthly * 9 // 10, 10_000)


def _uninsured(contracts: pd.DataFrame, rows: pd.Index) -> None:
    """Active workers with no work-injury coverage; on a building site they are yard staff, off
    any project, so no project-wide policy covers them either."""
    contracts.loc[rows, "insured"] = False
    on_site = rows[contracts.loc[rows, "project"].to_numpy() >= 0]
    contracts.loc[on_site, "project"] = -1
    contracts.loc[on_site, "term_type"] = "open_ended"


def _plant_payroll_violations(
    ctx: _Context, employers: pd.DataFrame, contracts: pd.DataFrame, payroll: pd.DataFrame
) -> pd.DataFrame:
    drop = np.zeros(len(payroll), dtype=bool)
    for employer, row in employers[employers["plant_rule"].str.startswith("wages.")].iterrows():
        rule = row["plant_rule"]
        period = int(row["last_period"]) - PLANTED_PERIOD_LAG[rule]
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


def _planted_payroll_rows(
    contracts: pd.DataFrame, payroll: pd.DataFrame, employer: int, period: int
) -> pd.Index:
    """Rows of the employer's full-time workers employed for the whole period."""
    worker = payroll["contract"].to_numpy()
    full_month = payroll["days_employed"].to_numpy() == _days_in_month(payroll["period"].to_numpy())
    mask = (
        (contracts["employer"].to_numpy()[worker] == employer)
        & (payroll["period"].to_numpy() == period)
        & (contracts["employment_type"].to_numpy()[worker] == "full_time")
        & full_month
    )
    return payroll.index[mask][:PLANTED_WORKERS]


def _check_far_below_minimum(ctx: _Context, county: str, period: int) -> None:
    text = _period_text(np.array([period]))
    minimum = ctx.reference.minimum_wage_fen(pd.Series([county]), pd.Series(text)).iloc[0]
    if pd.isna(minimum) or minimum * 2 < PLANTED_WAGE_FEN * 3:  # must be under two thirds
        raise ValueError(f"the planted wage is not far below the minimum wage ({minimum} fen)")


# --- payroll ----------------------------------------------------------------------------------


def _payroll(ctx: _Context, employers: pd.DataFrame, contracts: pd.DataFrame) -> pd.DataFrame:
    """One row per worker and reported month worked, paid in full on or before the due date."""
    e = contracts["employer"].to_numpy()
    start = contracts["start"].to_numpy()
    left = contracts["left"].to_numpy()
    last_period = employers["last_period"].to_numpy()[e]
    first = np.maximum(_month_of(start), last_period - (REPORTED_MONTHS - 1))
    last = np.where(
        left != NO_DAY, np.minimum(_month_of(np.maximum(left, 0)), last_period), last_period
    )
    months = np.maximum(last - first + 1, 0)
    contract = np.repeat(np.arange(len(contracts)), months)
    offset = np.arange(len(contract)) - np.repeat(np.cumsum(months) - months, months)
    frame = pd.DataFrame({"contract": contract, "period": first[contract] + offset})
    _amounts(ctx, contracts, frame)
    frame["paid_date"] = _paid_dates(ctx, employers, contracts, frame)
    return frame


def _amounts(ctx: _Context, contracts: pd.DataFrame, frame: pd.DataFrame) -> None:
    c = frame["contract"].to_numpy()
    period = frame["period"].to_numpy()
    month_first = _month_start(period)
    month_last = _month_start(period + 1) - 1
    start = contracts["start"].to_numpy()[c]
    left = contracts["left"].to_numpy()[c]
    begin = np.maximum(start, month_first)
    end = np.where(left != NO_DAY, np.minimum(left, month_last), month_last)
    employed = end - begin + 1
    probation_end = contracts["probation_end"].to_numpy()[c]
    on_probation = np.clip(np.minimum(probation_end, end) - begin + 1, 0, None)
    monthly = contracts["monthly_fen"].to_numpy()[c]
    probation = np.where(on_probation > 0, contracts["probation_fen"].to_numpy()[c], 0)
    # Wage for the days worked, at the probation rate while on probation.
    due = (on_probation * probation + (employed - on_probation) * monthly) / (
        month_last - month_first + 1
    )
    piece_rate = contracts["piece_rate"].to_numpy()[c]
    due = np.where(piece_rate, due * ctx.rng.uniform(0.97, 1.10, len(c)), due)
    part_time = contracts["employment_type"].to_numpy()[c] == "part_time"
    part_hours = ctx.rng.integers(60, 97, len(c))
    hours = np.where(
        part_time,
        part_hours,
        ctx.working_days_between(begin - 1, end) * HOURS_PER_WORKING_DAY,
    )
    due = np.where(part_time, part_hours * contracts["hourly_fen"].to_numpy()[c], due)
    frame["days_employed"] = employed
    frame["amount_due_fen"] = np.rint(due).astype(np.int64)
    frame["amount_paid_fen"] = frame["amount_due_fen"]
    frame["hours"] = hours


def _paid_dates(
    ctx: _Context, employers: pd.DataFrame, contracts: pd.DataFrame, frame: pd.DataFrame
) -> np.ndarray:
    """The employer's pay date for the period; a leaver's last month is settled on leaving."""
    e = contracts["employer"].to_numpy()[frame["contract"].to_numpy()]
    period = frame["period"].to_numpy()
    # Pay dates per employer and month, computed once on a small grid and looked up per row.
    first, span = int(period.min()), int(period.max() - period.min() + 1)
    grid_employer = np.repeat(np.arange(len(employers)), span)
    grid_period = np.tile(np.arange(first, first + span), len(employers))
    pay_day = employers["pay_day"].to_numpy()[grid_employer]
    lead = employers["pay_lead"].to_numpy()[grid_employer]
    grid = ctx.add_working_days(_due_days(ctx, grid_period, pay_day), -lead)
    paid = grid.reshape(len(employers), span)[e, period - first]
    left = contracts["left"].to_numpy()[frame["contract"].to_numpy()]
    leaving_month = (left != NO_DAY) & (_month_of(np.maximum(left, 0)) == period)
    settle = ctx.add_working_days(np.where(leaving_month, left, ctx.as_of), 1)
    return np.where(leaving_month, np.minimum(paid, settle), paid)


# --- insurance, deposits, committees ----------------------------------------------------------


def _insurance(
    ctx: _Context, employers: pd.DataFrame, projects: pd.DataFrame, contracts: pd.DataFrame
) -> pd.DataFrame:
    """Personal cover from (just before) the first day for everyone off-site; a project-wide
    policy from the permit for every project (按项目参保, insure first, then start work)."""
    personal = contracts[(contracts["project"] < 0) & contracts["insured"]]
    n = len(personal)
    personal_rows = pd.DataFrame(
        {
            "employer_uscc": employers["uscc"].to_numpy()[personal["employer"].to_numpy()],
            "worker_id_number": personal["id_number"].to_numpy(),
            "project_code": None,
            "start_date": _dates(personal["start"].to_numpy() - ctx.uniform_days(0, 3, n)),
            "end_date": _dates(personal["left"].to_numpy()),
        }
    )
    project_rows = pd.DataFrame(
        {
            "employer_uscc": employers["uscc"].to_numpy()[projects["employer"].to_numpy()],
            "worker_id_number": None,
            "project_code": projects["project_code"].to_numpy(),
            "start_date": _dates(projects["permit_date"].to_numpy()),
            "end_date": _dates(projects["completion_date"].to_numpy()),
        }
    )
    frame = pd.concat([personal_rows, project_rows], ignore_index=True)
    return _text_columns(frame, ("employer_uscc", "worker_id_number", "project_code"))


def _deposit_events(
    ctx: _Context, employers: pd.DataFrame, projects: pd.DataFrame, contracts: pd.DataFrame
) -> pd.DataFrame:
    frames = [
        _project_deposits(ctx, employers, projects),
        _planted_drawdowns(ctx, employers, projects),
        _leased_deposits(ctx, employers, contracts),
    ]
    events = pd.concat(frames, ignore_index=True)
    events = events.sort_values(
        ["employer_uscc", "date", "event"], kind="stable", ignore_index=True
    )
    prefix = events["event"].map({"guarantee": "BH"}).fillna("ZJ")
    sequence = pd.Series(np.arange(1, len(events) + 1)).astype("str").str.zfill(7)
    events["reference"] = (
        prefix + "3303" + _date_text(events.pop("day").to_numpy()).str.slice(0, 4) + sequence
    )
    return _text_columns(
        events[list(FILE_COLUMNS["deposit_events"])],
        ("employer_uscc", "project_code", "event", "reference"),
    )


def _project_deposits(
    ctx: _Context, employers: pd.DataFrame, projects: pd.DataFrame
) -> pd.DataFrame:
    """Cash (or, for some running projects, a bank guarantee) of the highest legal rate within
    a week of the permit; returned after completion. Planted projects: none, or 0.2 %."""
    rule = employers["plant_rule"].to_numpy()[projects["employer"].to_numpy()]
    planted = projects["plant"].to_numpy() == "planted"
    value = projects["contract_value_fen"].to_numpy()
    rate_bp = np.where(
        planted & (rule == "deposit.shortfall"),
        ctx.param("deposit_rate_floor_multi_project_bp") * PLANTED_SHORTFALL_SHARE,
        ctx.param("deposit_rate_max_bp"),
    )
    amount = _round_up(np.ceil(value * rate_bp / 10_000).astype(np.int64), DEPOSIT_ROUNDING_FEN)
    has_deposit = ~(planted & (rule == "deposit.missing"))
    n = len(projects)
    day = ctx.add_working_days(projects["permit_date"].to_numpy(), ctx.rng.integers(1, 6, n))
    running = projects["completion_date"].to_numpy() == NO_DAY
    guarantee = running & ~planted & (ctx.rng.random(n) < 0.1)
    deposits = _events(
        employers, projects, has_deposit, np.where(guarantee, "guarantee", "deposit"), day, amount
    )
    deposits["expiry_date"] = _dates(np.where(guarantee, _add_months(day, 36) - 1, NO_DAY))[
        has_deposit
    ]
    returned_on = projects["completion_date"].to_numpy() + ctx.uniform_days(40, 70, n)
    returned = ~running & (returned_on < ctx.as_of)
    returns = _events(employers, projects, returned, "return", returned_on, amount)
    return pd.concat([deposits, returns], ignore_index=True)


def _planted_drawdowns(
    ctx: _Context, employers: pd.DataFrame, projects: pd.DataFrame
) -> pd.DataFrame:
    """A drawdown two months before as_of, never replenished (65号 Art. 21: 10 working days).
    It leaves 0.3 % of the value, so the project is also short of its deposit."""
    rule = employers["plant_rule"].to_numpy()[projects["employer"].to_numpy()]
    chosen = (projects["plant"].to_numpy() == "planted") & (rule == "deposit.not_replenished")
    value = projects["contract_value_fen"].to_numpy()
    deposit = _round_up(
        np.ceil(value * ctx.param("deposit_rate_max_bp") / 10_000).astype(np.int64),
        DEPOSIT_ROUNDING_FEN,
    )
    amount = _round_up((deposit * PLANTED_DRAWDOWN_SHARE).astype(np.int64), 100)
    day = ctx.on_or_before_working_day(
        np.full(len(projects), _add_months(np.array([ctx.as_of]), -2)[0])
    )
    return _events(employers, projects, chosen, "drawdown", day, amount)


def _leased_deposits(
    ctx: _Context, employers: pd.DataFrame, contracts: pd.DataFrame
) -> pd.DataFrame:
    """Employer-level deposit of leased-premises businesses before their first worker starts:
    the local per-worker amount × every worker of the year, within the local min and max."""
    headcount = contracts.groupby("employer").size().reindex(employers.index, fill_value=0)
    first_start = contracts.groupby("employer")["start"].min().reindex(employers.index)
    chosen = employers["leased_premises"] & (employers["plant_variant"] != "leased")
    chosen &= headcount > 0
    rows = employers[chosen]
    counties = rows["county_code"].unique()  # one look-up per county, not per employer
    terms = pd.DataFrame(
        [ctx.reference.leased_deposit_terms(c, on=ctx.as_of_date) for c in counties],
        index=counties,
    ).reindex(rows["county_code"])
    per_worker = terms["per_worker_fen"].to_numpy(dtype=np.int64)
    amount = np.clip(
        headcount[chosen].to_numpy() * per_worker,
        terms["min_fen"].to_numpy(dtype=np.int64),
        terms["max_fen"].to_numpy(dtype=np.int64),
    )
    amount = _round_up(amount, LEASED_DEPOSIT_ROUNDING_FEN)
    day = first_start[chosen].to_numpy() - ctx.uniform_days(5, 30, len(rows))
    return pd.DataFrame(
        {
            "employer_uscc": rows["uscc"].to_numpy(),
            "project_code": None,
            "event": "deposit",
            "date": _dates(day),
            "amount": amount / 100,
            "expiry_date": _dates(np.full(len(rows), NO_DAY)),
            "day": day,
        }
    )


def _events(
    employers: pd.DataFrame,
    projects: pd.DataFrame,
    chosen: np.ndarray,
    event: str | np.ndarray,
    day: np.ndarray,
    amount: np.ndarray,
) -> pd.DataFrame:
    kinds = np.broadcast_to(np.asarray(event), chosen.shape)
    return pd.DataFrame(
        {
            "employer_uscc": employers["uscc"].to_numpy()[projects["employer"].to_numpy()][chosen],
            "project_code": projects["project_code"].to_numpy()[chosen],
            "event": kinds[chosen],
            "date": _dates(day[chosen]),
            "amount": amount[chosen] / 100,
            "expiry_date": _dates(np.full(int(chosen.sum()), NO_DAY)),
            "day": day[chosen],
        }
    )


def _committees(ctx: _Context, employers: pd.DataFrame, contracts: pd.DataFrame) -> pd.DataFrame:
    """A county centre per county, a people's committee per town, and an enterprise committee
    for every employer with at least the threshold number of migrant workers in the year."""
    counties = ctx.counties
    centres = pd.DataFrame(
        {
            "code": "TJ" + counties["code"] + "00",
            "name": counties["name_zh"] + "劳动人事争议调解中心",
            "kind": "county_centre",
            "employer_uscc": None,
            "county_code": counties["code"],
            "town": None,
        }
    )
    towns = ctx.towns
    number = (towns.groupby("county_code").cumcount() + 1).astype("str").str.zfill(2)
    people = pd.DataFrame(
        {
            "code": "TJ" + towns["county_code"] + number,
            "name": towns["name_zh"] + "人民调解委员会",
            "kind": "people",
            "employer_uscc": None,
            "county_code": towns["county_code"],
            "town": towns["name_zh"],
        }
    )
    enterprises = _enterprise_committees(ctx, employers, contracts)
    frame = pd.concat([centres, people, enterprises], ignore_index=True)
    frame["contact_email"] = "mediation-" + frame["code"].str.lower() + "@example.org"
    frame = frame[list(FILE_COLUMNS["mediation_committees"])]
    return _text_columns(frame, ("code", "name", "kind", "employer_uscc", "county_code", "town"))


def _enterprise_committees(
    ctx: _Context, employers: pd.DataFrame, contracts: pd.DataFrame
) -> pd.DataFrame:
    threshold = int(ctx.param("mediation_committee_migrant_threshold"))
    migrants = contracts[contracts["migrant"]].groupby("employer").size()
    migrants = migrants.reindex(employers.index, fill_value=0)
    chosen = (migrants >= threshold) & (employers["plant_rule"] != "mediation.committee_missing")
    rows = employers[chosen]
    return pd.DataFrame(
        {
            "code": "TJ" + rows["uscc"],
            "name": rows["name"] + "劳动争议调解委员会",
            "kind": "enterprise",
            "employer_uscc": rows["uscc"],
            "county_code": rows["county_code"],
            "town": rows["town"],
        }
    )


def _expected_alerts(employers: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """The alert key (rule, employer, project, period) of every planted violation."""
    planted = employers[employers["plant_rule"] != ""]
    planted_project = projects[projects["plant"] == "planted"].set_index("employer")
    project = planted.index.map(planted_project["project_code"]).to_series(index=planted.index)
    lag = planted["plant_rule"].map(PLANTED_PERIOD_LAG)
    period = pd.Series(
        _period_text((planted["last_period"] - lag.fillna(0)).to_numpy(int)), index=planted.index
    ).where(lag.notna())
    frame = pd.DataFrame(
        {
            "rule": planted["plant_rule"],
            "employer_uscc": planted["uscc"],
            "project_code": project,
            "period": period,
        }
    )
    # The unreplenished drawdown leaves the project short of its deposit as well.
    shortfall = frame[frame["rule"] == "deposit.not_replenished"].assign(rule="deposit.shortfall")
    frame = pd.concat([frame, shortfall], ignore_index=True)
    frame = frame.sort_values(["rule", "employer_uscc", "project_code"], ignore_index=True)
    return _text_columns(frame, FILE_COLUMNS["expected_alerts"])


# --- the contract files from the internal frames ----------------------------------------------


def _employers_file(employers: pd.DataFrame) -> pd.DataFrame:
    frame = employers[list(FILE_COLUMNS["employers"])].reset_index(drop=True)
    return _text_columns(
        frame, ("uscc", "name", "industry_code", "county_code", "town", "contact_email")
    )


def _workers_file(contracts: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "id_number": contracts["id_number"].to_numpy(),
            "name": contracts["worker_name"].to_numpy(),
            "phone": contracts["phone"].to_numpy(),
            "hukou_county_code": contracts["hukou"].to_numpy(),
        }
    )
    return _text_columns(frame, FILE_COLUMNS["workers"])


def _contracts_file(
    employers: pd.DataFrame, contracts: pd.DataFrame, projects: pd.DataFrame
) -> pd.DataFrame:
    project = contracts["project"].to_numpy()
    project_code = np.where(
        project >= 0, projects["project_code"].to_numpy()[np.maximum(project, 0)], None
    )
    frame = pd.DataFrame(
        {
            "employer_uscc": employers["uscc"].to_numpy()[contracts["employer"].to_numpy()],
            "worker_id_number": contracts["id_number"].to_numpy(),
            "start_date": _dates(contracts["start"].to_numpy()),
            "signed_date": _dates(contracts["signed"].to_numpy()),
            "term_type": contracts["term_type"].to_numpy(),
            "end_date": _dates(contracts["end"].to_numpy()),
            "employment_type": contracts["employment_type"].to_numpy(),
            "probation_end": _dates(contracts["probation_end"].to_numpy()),
            "monthly_wage": contracts["monthly_fen"].to_numpy() / 100,
            "hourly_wage": _money_or_empty(contracts["hourly_fen"].to_numpy()),
            "probation_wage": _money_or_empty(contracts["probation_fen"].to_numpy()),
            "pay_day": employers["pay_day"].to_numpy()[contracts["employer"].to_numpy()],
            "left_date": _dates(contracts["left"].to_numpy()),
            "project_code": project_code,
        }
    )
    return _text_columns(
        frame, ("employer_uscc", "worker_id_number", "term_type", "employment_type", "project_code")
    )


def _payroll_file(
    employers: pd.DataFrame, contracts: pd.DataFrame, payroll: pd.DataFrame
) -> pd.DataFrame:
    c = payroll["contract"].to_numpy()
    usccs = employers["uscc"].to_numpy()[contracts["employer"].to_numpy()]
    frame = pd.DataFrame(
        {
            "employer_uscc": usccs[c],
            "worker_id_number": contracts["id_number"].to_numpy()[c],
            "period": _period_text(payroll["period"].to_numpy()),
            "amount_due": payroll["amount_due_fen"].to_numpy() / 100,
            "amount_paid": payroll["amount_paid_fen"].to_numpy() / 100,
            "paid_date": _dates(payroll["paid_date"].to_numpy()),
            "hours_worked": payroll["hours"].to_numpy(),
        }
    )
    return _text_columns(frame, ("employer_uscc", "worker_id_number", "period"))


def _projects_file(employers: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "project_code": projects["project_code"].to_numpy(),
            "name": projects["name"].to_numpy(),
            "contractor_uscc": employers["uscc"].to_numpy()[projects["employer"].to_numpy()],
            "county_code": projects["county_code"].to_numpy(),
            "industry_code": projects["industry_code"].to_numpy(),
            "contract_value": projects["contract_value_fen"].to_numpy() / 100,
            "contract_signed_date": _dates(projects["contract_signed_date"].to_numpy()),
            "permit_date": _dates(projects["permit_date"].to_numpy()),
            "completion_date": _dates(projects["completion_date"].to_numpy()),
        }
    )
    return _text_columns(
        frame, ("project_code", "name", "contractor_uscc", "county_code", "industry_code")
    )


def _text_columns(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    return frame.astype({column: "str" for column in columns})


def _money_or_empty(fen: np.ndarray) -> np.ndarray:
    return np.where(fen >= 0, fen / 100, np.nan)


# --- writing ----------------------------------------------------------------------------------


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with a header; empty cell = no value; dates ISO; booleans true/false.

    No value ever needs quoting (the generator writes no commas, quotes or line breaks), and
    pyarrow refuses to write one that would, so the files stay plain. The header is written
    here because pyarrow would quote it.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
    options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
    with path.open("wb") as handle:
        handle.write((",".join(frame.columns) + "\n").encode())
        pa_csv.write_csv(table, handle, write_options=options)


# --- day numbers ------------------------------------------------------------------------------


def _day(d: date) -> int:
    return (d - _EPOCH).days


def _month_of(days: np.ndarray) -> np.ndarray:
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _month_start(months: np.ndarray) -> np.ndarray:
    return np.asarray(months).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _days_in_month(months: np.ndarray) -> np.ndarray:
    return _month_start(np.asarray(months) + 1) - _month_start(months)


def _add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Same day of the month `months` later, or that month's last day (LCL terms run so)."""
    target = _month_of(days) + months
    day_of_month = np.asarray(days) - _month_start(_month_of(days))
    return _month_start(target) + np.minimum(day_of_month, _days_in_month(target) - 1)


def _round_up(values: np.ndarray, step: int) -> np.ndarray:
    return -(-np.asarray(values, dtype=np.int64) // step) * step


def _period_text(months: np.ndarray) -> np.ndarray:
    """`YYYY-MM` per month number, formatted once per distinct month."""
    unique, inverse = np.unique(months, return_inverse=True)
    return unique.astype("datetime64[M]").astype(str)[inverse]


def _date_text(days: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(days).astype("datetime64[D]").astype(str), dtype="str")


def _dates(days: np.ndarray) -> np.ndarray:
    """Day numbers → datetime64 with NaT for an empty cell."""
    days = np.asarray(days, dtype=np.int64)
    out = days.astype("datetime64[D]")
    out[days == NO_DAY] = np.datetime64("NaT")
    return out.astype("datetime64[s]")


def _to_series(days: np.ndarray) -> pd.Series:
    return pd.Series(
        np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[s]")
    )


def _from_series(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="datetime64[D]").astype(np.int64)


# --- command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the WageGuard demo data set.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 30))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate_demo(args.out_dir, seed=args.seed, scale=args.scale, as_of=args.as_of)
    elapsed = time.perf_counter() - started
    for name, count in manifest.row_counts.items():
        print(f"{name:22} {count:>10,}")
    print(f"written to {manifest.out_dir} in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
