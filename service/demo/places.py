"""Where the demo happens: the county-level divisions of Wenzhou (districts and county-level
cities weighted above rural counties), their towns, and the home counties of the provinces most
Wenzhou migrant workers come from."""

import numpy as np
import pandas as pd

from monitors.reference import Reference

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


def wenzhou_counties(reference: Reference) -> pd.DataFrame:
    """The county-level divisions of the reference's city (Wenzhou in data/; every city's, for
    a benchmark's province), weighted so districts and county-level cities (where the factories
    are) get more employers than rural counties."""
    table = reference.jurisdictions.reset_index()
    city = table.loc[table["level"] == "city", "code"]
    counties = table[(table["level"] == "county") & table["parent_code"].isin(city)]
    counties = counties.sort_values("code", ignore_index=True)
    rural = counties["name_zh"].str.endswith("县")
    weight = np.where(rural, 1.0, 3.0)
    return pd.DataFrame(
        {"code": counties["code"], "name_zh": counties["name_zh"], "weight": weight / weight.sum()}
    )


def wenzhou_towns(reference: Reference) -> pd.DataFrame:
    """The towns and streets of the reference data (county_code, name_zh), sorted by county."""
    return reference.towns[["county_code", "name_zh"]].sort_values(
        ["county_code", "name_zh"], ignore_index=True
    )
