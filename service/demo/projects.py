"""The construction contractors' projects: one to three running (permitted at least 100 days
before as_of), sometimes a completed one, and for each planted deposit violation one running
project of 12–60 M CNY that is the contractor's only one."""

import numpy as np
import pandas as pd

from service.demo.context import Context
from service.demo.days import NO_DAY, add_months, date_text

PROJECT_WORDS = {
    "4710": "号地块住宅工程", "4813": "号路提升改造工程", "4822": "号河道综合治理工程",
    "4871": "号热电联产扩建工程",
}  # fmt: skip


def draw_projects(ctx: Context, employers: pd.DataFrame) -> pd.DataFrame:
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
    ctx: Context, builders: pd.DataFrame, counts: np.ndarray, *, ongoing: bool
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


def _planted_projects(ctx: Context, builders: pd.DataFrame) -> pd.DataFrame:
    """One running project per planted deposit violation, with a value of 12–60 M CNY."""
    n = len(builders)
    rule = builders["plant_rule"].to_numpy()
    months_ago = np.select(
        [rule == "deposit.missing", rule == "deposit.shortfall"],
        [np.full(n, 3), ctx.rng.integers(4, 9, n)],
        ctx.rng.integers(6, 11, n),
    )
    permit = add_months(np.full(n, ctx.as_of), -months_ago)
    signed = permit - ctx.uniform_days(20, 40, n)
    completion = np.full(n, NO_DAY, dtype=np.int64)
    rows = _project_rows(
        ctx, builders, builders.index.to_numpy(), signed, permit, completion, plant="planted"
    )
    rows["contract_value_fen"] = ctx.rng.integers(1_200, 6_001, n) * 1_000_000
    return rows


def _project_rows(
    ctx: Context,
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
    signed = date_text(projects["contract_signed_date"].to_numpy()).str.replace("-", "")
    sequence = pd.Series(np.arange(1, len(projects) + 1)).astype("str").str.zfill(5)
    return projects["county_code"] + signed + sequence


def _project_names(ctx: Context, projects: pd.DataFrame) -> pd.Series:
    town = ctx.towns_in(projects["county_code"].to_numpy())
    number = pd.Series(ctx.rng.integers(1, 30, len(projects))).astype("str")
    return town + number + projects["industry_code"].map(PROJECT_WORDS)
