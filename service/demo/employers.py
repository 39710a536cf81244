"""The employers of the demo, trade by trade: shoe and garment factories paying by the piece,
restaurants on leased premises (some with part-time staff), construction contractors and a few
other trades. Each has a headcount, a monthly pay day and a county and town of Wenzhou."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from monitors.reference import Reference
from service.demo.context import Context
from service.demo.days import days_in_month, month_of, month_start
from service.demo.identifiers import unique_usccs


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
TRADE_NAME_CHARS = list(
    "华盛泰丰瑞鑫宏达永康信福嘉金宝新兴隆昌恒远通利源鸿祥东海天成佳美豪顺德安荣凯正博明立合和光耀腾龙凤春宇晨锦创星"
)

REPORTED_MONTHS = 12  # each employer's payroll: the last twelve months due by as_of


def draw_employers(ctx: Context) -> pd.DataFrame:
    """Each trade's employers at this scale: industry, county and town, headcount, pay day."""
    frame = pd.concat([_employers_of(ctx, trade) for trade in TRADES], ignore_index=True)
    _check_industries(ctx.reference, frame["industry_code"])
    _builders_in_every_county(ctx, frame)
    frame["town"] = ctx.towns_in(frame["county_code"].to_numpy())
    frame["last_period"] = _last_reported_period(ctx, frame["pay_day"].to_numpy())
    return frame


def register_employers(ctx: Context, employers: pd.DataFrame) -> None:
    """A unified social credit code, a company name and an HR mailbox for every employer."""
    employers["uscc"] = unique_usccs(ctx.rng, employers["county_code"].to_numpy())
    employers["name"] = _employer_names(ctx, employers)
    employers["contact_email"] = "hr-" + employers["uscc"].str.lower() + "@example.com"


def _employers_of(ctx: Context, trade: Trade) -> pd.DataFrame:
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
            "large": False,  # grown past the service-office threshold (violations.py)
        }
    )


def _builders_in_every_county(ctx: Context, frame: pd.DataFrame) -> None:
    """Every county has a building contractor, so each has projects obliged to hold a wage
    deposit and workers in a high-risk industry for the county assessment to measure: a county
    the draw left without one takes the last contractor of the county with the most. No random
    draw, so everything drawn after is unchanged."""
    builders = frame["trade"] == "construction"
    for county in ctx.counties["code"]:
        counts = frame.loc[builders, "county_code"].value_counts()
        if counts.get(county, 0) == 0 and counts.max() > 1:
            richest = counts.index[0]
            moved = frame.index[builders & (frame["county_code"] == richest)][-1]
            frame.loc[moved, "county_code"] = county


def _check_industries(reference: Reference, codes: pd.Series) -> None:
    unknown = sorted(set(codes) - set(reference.industries.index))
    if unknown:
        raise ValueError(f"industry codes missing from the reference data: {unknown}")


def _last_reported_period(ctx: Context, pay_days: np.ndarray) -> np.ndarray:
    """Per employer, the latest month whose wages were due on or before as_of."""
    this_month = month_of(np.array([ctx.as_of]))[0]
    previous = np.full(len(pay_days), this_month - 1)
    due = due_days(ctx, previous, pay_days)
    return np.where(due <= ctx.as_of, previous, previous - 1)


def due_days(ctx: Context, periods: np.ndarray, pay_days: np.ndarray) -> np.ndarray:
    """Due date of a period's wages: the pay day of the next month (its last day if shorter),
    brought forward to a working day (Decree 724 Art. 14)."""
    next_month = periods + 1
    day_in_month = np.minimum(pay_days, days_in_month(next_month))
    return ctx.on_or_before_working_day(month_start(next_month) + day_in_month - 1)


def _employer_names(ctx: Context, employers: pd.DataFrame) -> pd.Series:
    """`瑞安市鸿盛鞋业有限公司`; companies in a district carry the city's name, 温州."""
    county_name = employers["county_code"].map(ctx.counties.set_index("code")["name_zh"])
    place = county_name.where(~county_name.str.endswith("区"), "温州")
    chars = np.array(TRADE_NAME_CHARS)
    first = chars[ctx.rng.integers(0, len(chars), len(employers))]
    second = chars[ctx.rng.integers(0, len(chars), len(employers))]
    word = employers["industry_code"].map(BUSINESS_WORDS)
    return place + first + second + word + "有限公司"


def per_trade(trades: np.ndarray, attribute: Callable[[Trade], float]) -> np.ndarray:
    """An attribute of each row's trade, looked up per trade rather than per row."""
    codes = pd.Categorical(trades, categories=list(TRADE_BY_KEY)).codes
    return np.array([attribute(trade) for trade in TRADE_BY_KEY.values()])[codes]
