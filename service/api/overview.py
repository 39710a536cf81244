"""JSON twin of the supervision overview page, with the same scope checks."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from service.bounds import CodeText
from service.deps import OverviewReaderDep, SessionDep
from service.i18n import language_of
from service.overview import service as overview
from service.overview.schemas import Overview

router = APIRouter(prefix="/api", tags=["overview"])


@router.get("/overview", response_model=Overview)
def get_overview(
    request: Request,
    session: SessionDep,
    actor: OverviewReaderDep,
    county: Annotated[CodeText | None, Query()] = None,
) -> Overview:
    """Your scope at a glance, from the latest monitors run: headline figures (money in fen),
    the counties (or, with `county`, that county's towns), twelve months of trends and the 20
    highest-risk employers. A county outside your jurisdiction is refused (403)."""
    return overview.overview(
        session=session,
        actor=actor,
        county=county or None,
        language=language_of(request, actor.locale),
    )
