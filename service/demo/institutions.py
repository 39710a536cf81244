"""The institutions around the workers: a dispute-mediation centre per county, a people's
mediation committee per town, an enterprise committee and a migrant-worker service office
wherever the law's thresholds are met, and each county's coordinators."""

import numpy as np
import pandas as pd

from service.demo.context import Context
from service.demo.days import NO_DAY
from service.demo.files import FILE_COLUMNS, text_columns
from service.demo.people import person_names


def mediation_committees(
    ctx: Context, employers: pd.DataFrame, contracts: pd.DataFrame
) -> pd.DataFrame:
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
    return text_columns(frame, ("code", "name", "kind", "employer_uscc", "county_code", "town"))


def _enterprise_committees(
    ctx: Context, employers: pd.DataFrame, contracts: pd.DataFrame
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


def open_service_offices(ctx: Context, employers: pd.DataFrame, contracts: pd.DataFrame) -> None:
    """Every employer with more migrant workers active on as_of than the service-office
    threshold has an office and a named liaison, except the planted ones."""
    threshold = int(ctx.param("migrant_service_office_threshold_workers"))
    active = (contracts["start"] <= ctx.as_of) & (
        (contracts["left"] == NO_DAY) | (contracts["left"] >= ctx.as_of)
    )
    migrants = contracts[active & contracts["migrant"]].groupby("employer")["id_number"].nunique()
    migrants = migrants.reindex(employers.index, fill_value=0)
    chosen = (migrants > threshold) & (employers["plant_rule"] != "institution.missing")
    names = person_names(ctx.rng, ctx.rng.random(len(employers)) < 0.5)
    employers["service_office"] = np.where(chosen, "yes", None)
    employers["liaison_name"] = np.where(chosen, names, None)


# Demo only: which counties are short of coordinators, and how short.
UNDERSTAFFED_EVERY = 4
UNDERSTAFFED_PERCENT = 70


def county_coordinators(ctx: Context) -> pd.DataFrame:
    """Each county's coordinators in post in as_of's year beside the migrants registered the
    year before: staffed at or better than one per coordinator_migrants_per_coordinator,
    except every fourth county (the second, sixth, ...), which has only about 70 % of the
    coordinators it needs, so the county assessment shows a staffing shortfall."""
    counties = ctx.counties["code"].to_numpy()
    per_coordinator = int(ctx.param("coordinator_migrants_per_coordinator"))
    registered = ctx.rng.integers(20_000, 400_000, len(counties)) * ctx.scale
    required = -(-registered // per_coordinator)
    coordinators = required + ctx.rng.integers(0, 40, len(counties))
    short = np.arange(len(counties)) % UNDERSTAFFED_EVERY == 1
    coordinators = np.where(short, required * UNDERSTAFFED_PERCENT // 100, coordinators)
    frame = pd.DataFrame(
        {
            "county_code": counties,
            "year": ctx.as_of_date.year,
            "coordinators": coordinators,
            "registered_migrants": registered,
        }
    )
    return text_columns(frame, ("county_code",))
