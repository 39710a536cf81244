"""The overview for one viewer: the latest run's stored summaries of the places in their scope
(a handful of indexed rows: no scan of employers, alerts or complaints per page view).

Scope: an administrator and a city-wide inspector or supervisor see the city and every county,
and any county's towns; a county's inspector or supervisor sees their counties and those
counties' towns; a town's sees its towns. Asking for a county outside the scope is Forbidden.
"""

from typing import Literal, get_args

from sqlalchemy import func, select
from sqlmodel import Session, col

from service.alerts.models import MonitorRun
from service.auth.actors import Actor
from service.employers.models import Employer
from service.errors import Forbidden
from service.jurisdictions.models import Jurisdiction, town_code
from service.overview.compute import CITY_CODE, TOP_EMPLOYERS, months_up_to
from service.overview.models import PlaceMonth, PlaceSummary, PlaceTopEmployer
from service.overview.schemas import Figures, Month, Overview, Place, RiskyEmployer
from service.risk.models import TIERS

READERS = ("admin", "inspector", "supervisor")
# What the map can be coloured by: a Figures field or property, larger = worse.
MapIndicator = Literal[
    "open_alerts",
    "at_stake_fen",
    "arrears_fen",
    "tier_red",
    "deposit_gap_fen",
    "injury_uncovered",
    "complaints_overdue",
]
INDICATORS: tuple[MapIndicator, ...] = get_args(MapIndicator)
FIGURE_FIELDS = tuple(Figures.model_fields)


def latest_run(session: Session) -> int | None:
    """The latest monitors run with stored summaries (a run that reused its findings stores
    none: its data, and so its figures, are the previous run's)."""
    return session.scalar(select(func.max(col(PlaceSummary.run_id))))


def _city_wide(actor: Actor) -> bool:
    return actor.role == "admin" or CITY_CODE in actor.counties


def visible_counties(session: Session, actor: Actor) -> list[str]:
    """The counties whose figures the viewer may see (a town's viewer: none whole)."""
    query = select(col(Jurisdiction.code)).where(col(Jurisdiction.level) == "county")
    if not _city_wide(actor):
        query = query.where(col(Jurisdiction.code).in_(sorted(actor.counties)))
    return list(session.scalars(query.order_by(col(Jurisdiction.code))))


def _names(session: Session, codes: list[str], language: str) -> dict[str, str]:
    rows = session.execute(
        select(col(Jurisdiction.code), col(Jurisdiction.name_zh), col(Jurisdiction.name_en)).where(
            col(Jurisdiction.code).in_(codes)
        )
    ).all()
    return {code: (name_en if language == "en" else name_zh) for code, name_zh, name_en in rows}


def _place(row: PlaceSummary, names: dict[str, str]) -> Place:
    name = names.get(row.place_code) or row.town or row.place_code
    figures = Figures.model_validate({f: getattr(row, f) for f in FIGURE_FIELDS})
    return Place(
        code=row.place_code,
        level=row.level,
        name=name,
        county_code=row.county_code,
        figures=figures,
    )


def _summed(places: list[Place], *, code: str, level: str, name: str) -> Place:
    totals = {f: sum(getattr(p.figures, f) for p in places) for f in FIGURE_FIELDS}
    county = places[0].county_code if len(places) == 1 else None
    return Place(
        code=code,
        level=level,
        name=name,
        county_code=county,
        figures=Figures.model_validate(totals),
    )


def _rows(session: Session, run_id: int, codes: list[str]) -> list[PlaceSummary]:
    return list(
        session.scalars(
            select(PlaceSummary)
            .where(col(PlaceSummary.run_id) == run_id, col(PlaceSummary.place_code).in_(codes))
            .order_by(col(PlaceSummary.place_code))
        )
    )


def _town_rows(session: Session, run_id: int, counties: list[str]) -> list[PlaceSummary]:
    return list(
        session.scalars(
            select(PlaceSummary)
            .where(
                col(PlaceSummary.run_id) == run_id,
                col(PlaceSummary.level) == "town",
                col(PlaceSummary.county_code).in_(counties),
            )
            .order_by(col(PlaceSummary.place_code))
        )
    )


def _months(session: Session, run_id: int, codes: list[str], as_of_month: list[str]) -> list[Month]:
    sums = {
        month: {
            "alerts_opened": 0,
            "alerts_resolved": 0,
            "arrears_fen": 0,
            "complaints_received": 0,
        }
        for month in as_of_month
    }
    for row in session.scalars(
        select(PlaceMonth).where(
            col(PlaceMonth.run_id) == run_id, col(PlaceMonth.place_code).in_(codes)
        )
    ):
        if row.month in sums:
            for name in sums[row.month]:
                sums[row.month][name] += getattr(row, name)
    return [Month(month=month, **figures) for month, figures in sums.items()]


def _top(session: Session, run_id: int, codes: list[str], language: str) -> list[RiskyEmployer]:
    rows = session.execute(
        select(PlaceTopEmployer, col(Employer.name), col(Employer.county_code), col(Employer.town))
        .join(Employer, col(Employer.id) == col(PlaceTopEmployer.employer_id))
        .where(col(PlaceTopEmployer.run_id) == run_id, col(PlaceTopEmployer.place_code).in_(codes))
    ).all()
    rank = {tier: index for index, tier in enumerate(TIERS)}
    best: dict[int, tuple[PlaceTopEmployer, str, str, str | None]] = {}
    for top, name, county, town in rows:
        best[top.employer_id] = (top, name, county, town)
    ordered = sorted(
        best.values(),
        key=lambda r: (
            rank.get(r[0].tier, len(TIERS)),
            -r[0].at_stake_fen,
            -r[0].open_alerts,
            r[0].employer_id,
        ),
    )[:TOP_EMPLOYERS]
    county_names = _names(session, sorted({r[2] for r in ordered}), language)
    return [
        RiskyEmployer(
            rank=index,
            employer_id=top.employer_id,
            name=name,
            county_code=county,
            county_name=county_names.get(county, county),
            town=town,
            tier=top.tier,
            at_stake_fen=top.at_stake_fen,
            open_alerts=top.open_alerts,
        )
        for index, (top, name, county, town) in enumerate(ordered, start=1)
    ]


def overview(
    *, session: Session, actor: Actor, county: str | None = None, language: str = "zh-CN"
) -> Overview:
    """The overview of the viewer's scope, or of one county in it (its towns)."""
    if actor.role not in READERS:
        raise Forbidden("the overview is for inspectors, supervisors and administrators")
    counties = visible_counties(session, actor)
    if county is not None and county not in counties:
        raise Forbidden(f"county {county} is outside your jurisdiction")
    if county is None and len(counties) == 1 and not _city_wide(actor):
        county = counties[0]
    run_id = latest_run(session)
    names = _names(session, [CITY_CODE, *counties], language)
    empty = Place(
        code=CITY_CODE,
        level="city",
        name=names.get(CITY_CODE, ""),
        county_code=None,
        figures=Figures(),
    )
    if run_id is None:
        return Overview(
            run_id=None,
            as_of=None,
            level="county",
            scope=empty,
            county=county,
            places=[],
            map_places=[],
            months=[],
            top_employers=[],
        )
    county_rows = _rows(session, run_id, counties)
    map_places = [_place(row, names) for row in county_rows]
    if county is not None:
        rows = _town_rows(session, run_id, [county])
        town_names = _names(session, [row.place_code for row in rows], language)
        places = [_place(row, town_names) for row in rows]
        scope_place = next(p for p in map_places if p.code == county)
        level, codes = "town", [county]
    elif _city_wide(actor):
        places = map_places
        city_rows = _rows(session, run_id, [CITY_CODE])
        scope_place = _place(city_rows[0], names) if city_rows else empty
        level, codes = "county", [CITY_CODE]
    elif counties:
        places = map_places
        scope_place = _summed(
            places, code="+".join(counties), level="county", name="、".join(p.name for p in places)
        )
        level, codes = "county", counties
    else:  # a town's viewer
        wanted = [town_code(c, t) for c, t in sorted(actor.towns)]
        rows = _rows(session, run_id, wanted)
        town_names = _names(session, wanted, language)
        places = [_place(row, town_names) for row in rows]
        scope_place = (
            _summed(
                places, code="+".join(wanted), level="town", name="、".join(p.name for p in places)
            )
            if places
            else empty
        )
        level, codes = "town", wanted
    as_of = session.scalar(
        select(col(PlaceSummary.as_of)).where(col(PlaceSummary.run_id) == run_id).limit(1)
    )
    months = months_up_to(as_of) if as_of else []
    return Overview(
        run_id=run_id,
        as_of=as_of,
        level=level,
        scope=scope_place,
        county=county,
        places=places,
        map_places=map_places,
        months=_months(session, run_id, codes, months),
        top_employers=_top(session, run_id, codes, language),
        partial_runs_since=_partial_runs_since(session, run_id),
    )


def _partial_runs_since(session: Session, run_id: int) -> int:
    """Runs after the summarised one that evaluated only some employers."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(MonitorRun)
            .where(
                col(MonitorRun.id) > run_id,
                col(MonitorRun.status) == "succeeded",
                col(MonitorRun.employers_evaluated).is_not(None),
            )
        )
        or 0
    )
