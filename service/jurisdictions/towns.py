"""The towns (乡镇、街道) of each county, and a typed town name read as one of them.

A worker who types "七都" or "七都镇" for 七都街道 means that town: the complaint goes to its
people's mediation committee only when the name is the one on record (service/complaints/
routing.py), so the name typed is matched to the county's towns first. A name that matches no
town, or several, is kept as typed (the county centre then takes the case).
"""

import unicodedata
from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session, col

from service.jurisdictions.models import Jurisdiction

# Longest first: "街道办事处" before "街道". A town's own name never ends in these.
ZH_SUFFIXES = ("街道办事处", "街道办", "办事处", "街道", "镇", "乡")
EN_SUFFIXES = (" subdistrict", " sub-district", " street", " town", " township")
CITY_PREFIXES = ("浙江省", "温州市", "温州")


def towns_by_county(session: Session) -> dict[str, list[Jurisdiction]]:
    """Each county's towns, by name: what the complaint form offers as a list."""
    towns: dict[str, list[Jurisdiction]] = defaultdict(list)
    query = select(Jurisdiction).where(col(Jurisdiction.level) == "town")
    for town in session.scalars(query.order_by(col(Jurisdiction.code))):
        towns[town.parent_code or ""].append(town)
    return dict(towns)


def _core_zh(name: str) -> str:
    for suffix in ZH_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _core_en(name: str) -> str:
    name = " ".join(name.lower().replace("-", " ").split())
    for suffix in EN_SUFFIXES:
        if name.endswith(suffix.replace("-", " ")):
            return name[: -len(suffix)].strip()
    return name


def _without_place_prefix(text: str, county: Jurisdiction | None) -> str:
    """ "温州市鹿城区七都" → "七都": the city and county are chosen on the form already."""
    prefixes = list(CITY_PREFIXES)
    if county is not None:
        prefixes += [county.name_zh, county.name_zh[:-1]]  # 鹿城区, 鹿城
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            if prefix and text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix) :], True
    return text


def matching_town(session: Session, county_code: str, typed: str) -> str | None:
    """The county's town the worker means by `typed` (its name on record), or None."""
    text = "".join(unicodedata.normalize("NFKC", typed).split())
    if not text or not county_code:
        return None
    towns = towns_by_county(session).get(county_code, [])
    for town in towns:
        if text == town.name_zh:
            return town.name_zh
    text = _without_place_prefix(text, session.get(Jurisdiction, county_code))
    spaced = " ".join(unicodedata.normalize("NFKC", typed).split())
    found = {
        town.name_zh
        for town in towns
        if _core_zh(text) == _core_zh(town.name_zh) or _core_en(spaced) == _core_en(town.name_en)
    }
    return found.pop() if len(found) == 1 else None
