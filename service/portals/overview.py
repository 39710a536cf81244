"""The supervision overview page (templates/inspector/overview.html): the viewer's scope at a
glance — headline figures, twelve-month trends, the county map and the highest-risk
employers — read from the summaries the monitors run stored (service.overview). Its JSON twin
is service/api/overview.py. Read-only: supervisors see it too."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from service.bounds import CodeText
from service.deps import OverviewReaderDep, SessionDep
from service.i18n import language_of
from service.overview import service as overview
from service.overview.service import INDICATORS, MapIndicator
from service.portals.exports import can_export
from service.web import render

router = APIRouter(prefix="/inspector", include_in_schema=False)

MONEY_INDICATORS = ("at_stake_fen", "arrears_fen", "deposit_gap_fen")


@router.get("/overview", response_class=HTMLResponse)
def overview_page(
    request: Request,
    session: SessionDep,
    actor: OverviewReaderDep,
    county: Annotated[CodeText | None, Query()] = None,
    indicator: Annotated[MapIndicator, Query()] = "open_alerts",
) -> HTMLResponse:
    language = language_of(request, actor.locale)
    view = overview.overview(session=session, actor=actor, county=county or None, language=language)
    return render(
        request,
        "inspector/overview.html",
        {
            "view": view,
            "indicator": indicator,
            "indicators": INDICATORS,
            "money_indicators": MONEY_INDICATORS,
            "files_open": actor.role in ("inspector", "admin"),
            "can_export": can_export(actor),
            # The page's county, so each table's export is of what the page shows.
            "export_query": {"county": view.county} if view.county else {},
        },
    )
