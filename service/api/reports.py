"""JSON API for the supervision reports: the twin of the county assessment page, with the same
permission check (`flows.assessment.can_read_reports`) and the same scope."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from service import clock
from service.auth.actors import Actor
from service.deps import ActorDep, ReferenceDep, SessionDep
from service.errors import Forbidden, Unauthenticated
from service.flows import assessment as flow

router = APIRouter(prefix="/api/reports", tags=["reports"])


def reports_reader(actor: ActorDep) -> Actor:
    if actor.is_anonymous:
        raise Unauthenticated("sign in first")
    if not flow.can_read_reports(actor):
        raise Forbidden("only for inspectors of a county or of the city")
    return actor


class IndicatorPublic(BaseModel):
    indicator_id: str
    name_zh: str
    name_en: str
    weight: int
    unit: Literal["bp", "days"]
    target: int
    floor: int
    status: str
    legal_basis_zh: str
    legal_basis_en: str


class FigurePublic(BaseModel):
    """One county's figure: the value (basis points or days; null when there was no case),
    the points, and the counts it rests on."""

    indicator_id: str
    value: float | None
    points: float | None
    numerator: int
    denominator: int
    evidence: dict[str, int]


class CountyPublic(BaseModel):
    code: str
    name_zh: str
    name_en: str
    score: float | None
    rank: int | None
    figures: list[FigurePublic]


class AssessmentPublic(BaseModel):
    period: str
    start: date
    end: date
    cut_off: date
    indicators: list[IndicatorPublic]
    counties: list[CountyPublic]


@router.get("/assessment", response_model=AssessmentPublic)
def get_assessment(
    session: SessionDep,
    actor: Annotated[Actor, Depends(reports_reader)],
    reference: ReferenceDep,
    year: Annotated[int | None, Query(ge=2020, le=2100)] = None,
    quarter: Annotated[int | None, Query(ge=1, le=4)] = None,
) -> AssessmentPublic:
    """The county assessment for a year (or one of its quarters): every county of your
    jurisdiction with its city-wide rank, score, and each indicator's value, points and
    counts."""
    period = flow.Period(year or clock.today().year, quarter)
    found = flow.assess(
        conn=session.connection(), reference=reference, period=period, today=clock.today()
    ).within(actor)
    return AssessmentPublic(
        period=period.key,
        start=period.start,
        end=period.end,
        cut_off=found.cut_off,
        indicators=[
            IndicatorPublic(
                indicator_id=i.id,
                name_zh=i.name_zh,
                name_en=i.name_en,
                weight=i.weight,
                unit=i.unit,
                target=i.target,
                floor=i.floor,
                status=i.status,
                legal_basis_zh=i.legal_basis_zh,
                legal_basis_en=i.legal_basis_en,
            )
            for i in found.indicators
        ],
        counties=[
            CountyPublic(
                code=c.code,
                name_zh=c.name_zh,
                name_en=c.name_en,
                score=c.score,
                rank=c.rank,
                figures=[
                    FigurePublic(
                        indicator_id=key,
                        value=m.value,
                        points=m.points,
                        numerator=m.numerator,
                        denominator=m.denominator,
                        evidence=m.extra,
                    )
                    for key, m in c.measured.items()
                ],
            )
            for c in found.counties
        ],
    )
