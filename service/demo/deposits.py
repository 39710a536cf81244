"""Wage-guarantee deposits: each construction project's, in cash or as a bank guarantee,
within a week of its permit and returned after completion; each leased-premises business's,
before its first worker starts; and a few clean drawdowns still inside their replenishment
window on as_of (no alert of any kind)."""

import numpy as np
import pandas as pd

from service.demo.context import Context
from service.demo.days import NO_DAY, add_months, as_dates, date_text, round_up
from service.demo.files import FILE_COLUMNS, text_columns
from service.demo.violations import PLANTED_DRAWDOWN_SHARE, PLANTED_SHORTFALL_SHARE

DEPOSIT_ROUNDING_FEN = 100_000  # deposits are rounded up to 1,000 CNY
LEASED_DEPOSIT_ROUNDING_FEN = 1_000_000  # … and leased-premises ones to 10,000 CNY
IN_WINDOW_EVERY = 10  # clean running projects with a drawdown still inside its window
IN_WINDOW_WORKING_DAYS = 3  # … made this many working days before as_of


def deposit_events(
    ctx: Context, employers: pd.DataFrame, projects: pd.DataFrame, contracts: pd.DataFrame
) -> pd.DataFrame:
    frames = [
        _project_deposits(ctx, employers, projects),
        _planted_drawdowns(ctx, employers, projects),
        _drawdowns_in_window(ctx, employers, projects),
        _leased_deposits(ctx, employers, contracts),
    ]
    events = pd.concat(frames, ignore_index=True)
    events = events.sort_values(
        ["employer_uscc", "date", "event"], kind="stable", ignore_index=True
    )
    prefix = events["event"].map({"guarantee": "BH"}).fillna("ZJ")
    sequence = pd.Series(np.arange(1, len(events) + 1)).astype("str").str.zfill(7)
    events["reference"] = (
        prefix + "3303" + date_text(events.pop("day").to_numpy()).str.slice(0, 4) + sequence
    )
    return text_columns(
        events[list(FILE_COLUMNS["deposit_events"])],
        ("employer_uscc", "project_code", "event", "reference"),
    )


def _project_deposits(
    ctx: Context, employers: pd.DataFrame, projects: pd.DataFrame
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
    amount = round_up(np.ceil(value * rate_bp / 10_000).astype(np.int64), DEPOSIT_ROUNDING_FEN)
    has_deposit = ~(planted & (rule == "deposit.missing"))
    n = len(projects)
    day = ctx.add_working_days(projects["permit_date"].to_numpy(), ctx.rng.integers(1, 6, n))
    running = projects["completion_date"].to_numpy() == NO_DAY
    guarantee = running & ~planted & (ctx.rng.random(n) < 0.1)
    deposits = _events(
        employers, projects, has_deposit, np.where(guarantee, "guarantee", "deposit"), day, amount
    )
    deposits["expiry_date"] = as_dates(np.where(guarantee, add_months(day, 36) - 1, NO_DAY))[
        has_deposit
    ]
    returned_on = projects["completion_date"].to_numpy() + ctx.uniform_days(40, 70, n)
    returned = ~running & (returned_on < ctx.as_of)
    returns = _events(employers, projects, returned, "return", returned_on, amount)
    return pd.concat([deposits, returns], ignore_index=True)


def _planted_drawdowns(
    ctx: Context, employers: pd.DataFrame, projects: pd.DataFrame
) -> pd.DataFrame:
    """A drawdown two months before as_of, never replenished (65号 Art. 21: 10 working days).
    The gap it opened is not also a shortfall (data contract v2)."""
    rule = employers["plant_rule"].to_numpy()[projects["employer"].to_numpy()]
    chosen = (projects["plant"].to_numpy() == "planted") & (rule == "deposit.not_replenished")
    amount = round_up(
        (_max_rate_deposit(ctx, projects) * PLANTED_DRAWDOWN_SHARE).astype(np.int64), 100
    )
    day = ctx.on_or_before_working_day(
        np.full(len(projects), add_months(np.array([ctx.as_of]), -2)[0])
    )
    return _events(employers, projects, chosen, "drawdown", day, amount)


def _drawdowns_in_window(
    ctx: Context, employers: pd.DataFrame, projects: pd.DataFrame
) -> pd.DataFrame:
    """Every tenth clean running project had a drawdown three working days before as_of, not
    replenished yet: inside its replenishment window, so no alert of any kind (v2)."""
    rule = employers["plant_rule"].to_numpy()[projects["employer"].to_numpy()]
    running = projects["completion_date"].to_numpy() == NO_DAY
    clean = running & (projects["plant"].to_numpy() != "planted") & (rule == "")
    chosen = clean & (np.cumsum(clean) % IN_WINDOW_EVERY == 1)
    amount = round_up(
        (_max_rate_deposit(ctx, projects) * PLANTED_DRAWDOWN_SHARE).astype(np.int64), 100
    )
    day = ctx.add_working_days(np.full(len(projects), ctx.as_of), -IN_WINDOW_WORKING_DAYS)
    return _events(employers, projects, chosen, "drawdown", day, amount)


def _max_rate_deposit(ctx: Context, projects: pd.DataFrame) -> np.ndarray:
    """The deposit each project holds: its value at the highest legal rate, rounded up."""
    value = projects["contract_value_fen"].to_numpy()
    return round_up(
        np.ceil(value * ctx.param("deposit_rate_max_bp") / 10_000).astype(np.int64),
        DEPOSIT_ROUNDING_FEN,
    )


def _leased_deposits(
    ctx: Context, employers: pd.DataFrame, contracts: pd.DataFrame
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
    amount = round_up(amount, LEASED_DEPOSIT_ROUNDING_FEN)
    day = first_start[chosen].to_numpy() - ctx.uniform_days(5, 30, len(rows))
    return pd.DataFrame(
        {
            "employer_uscc": rows["uscc"].to_numpy(),
            "project_code": None,
            "event": "deposit",
            "date": as_dates(day),
            "amount": amount / 100,
            "expiry_date": as_dates(np.full(len(rows), NO_DAY)),
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
            "date": as_dates(day[chosen]),
            "amount": amount[chosen] / 100,
            "expiry_date": as_dates(np.full(int(chosen.sum()), NO_DAY)),
            "day": day[chosen],
        }
    )
