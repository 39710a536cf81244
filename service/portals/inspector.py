"""The inspector portal: server-rendered pages (templates/inspector/).

Each page calls the same service function as its API twin (service/alerts/api.py,
service/employers/api.py), so both make the same permission checks. Forms post with the
CSRF token and answer with a redirect (303), or re-render at 422 with field messages.
"""

from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.alerts import service as alerts
from service.alerts.api import ReferenceDep
from service.alerts.models import HANDLING_STATES, SEVERITIES
from service.alerts.service import AlertFilters, FieldInvalid, RunConflict
from service.auth.actors import Actor
from service.csrf import verify_csrf
from service.deps import InspectorDep, SessionDep
from service.employers import service as employers
from service.errors import Conflict, NotFound
from service.i18n import language_of, translate
from service.web import render

router = APIRouter(prefix="/inspector", include_in_schema=False)

DEFAULT_TIME_ZONE = "Asia/Shanghai"


def _page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """render() plus what every inspector page uses: local times and the option lists."""
    zone = ZoneInfo(getattr(request.app.state.settings, "time_zone", DEFAULT_TIME_ZONE))

    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    shared = {
        "when": when,
        "severities": SEVERITIES,
        "handling_states": HANDLING_STATES,
        "sorts": alerts.SORTS,
        "status_filters": alerts.STATUS_FILTERS,
    }
    return render(request, template, shared | context, status_code=status_code)


def _text(request: Request, actor: Actor, key: str) -> str:
    return translate(language_of(request, actor.locale), key)


# --- alerts -------------------------------------------------------------------------------------


@router.get("/alerts", response_class=HTMLResponse)
def alert_inbox(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    filters: Annotated[AlertFilters, Query()],
    ran: int = 0,
    run: int | None = None,
) -> HTMLResponse:
    found = alerts.list_alerts(session=session, actor=actor, filters=filters, today=date.today())
    last_run = None
    if ran:
        try:
            last_run = alerts.get_run(session=session, run_id=run)
        except NotFound:
            last_run = None
    return _page(
        request,
        "inspector/alerts/list.html",
        {
            "found": found,
            "filters": filters,
            "choices": alerts.filter_choices(session=session, actor=actor),
            "last_run": last_run,
        },
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(
    request: Request, session: SessionDep, actor: InspectorDep, alert_id: int
) -> HTMLResponse:
    return _alert_page(request, session, actor, alert_id)


def _alert_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    alert_id: int,
    *,
    refused: FieldInvalid | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """The alert page; after a refused form, again at 422 with the field's message."""
    alert = alerts.get_alert(session=session, actor=actor, alert_id=alert_id)
    errors = {refused.field: _text(request, actor, refused.message)} if refused else {}
    return _page(
        request,
        "inspector/alerts/detail.html",
        {"alert": alert, "errors": errors, "values": values or {}},
        status_code=422 if refused else 200,
    )


def _back_to(alert_id: int) -> RedirectResponse:
    return RedirectResponse(f"/inspector/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/acknowledge", dependencies=[Depends(verify_csrf)])
def acknowledge_form(session: SessionDep, actor: InspectorDep, alert_id: int) -> Response:
    alerts.acknowledge(session=session, actor=actor, alert_id=alert_id)
    return _back_to(alert_id)


@router.post("/alerts/{alert_id}/assign", dependencies=[Depends(verify_csrf)])
def assign_form(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    alert_id: int,
    assignee_id: Annotated[str, Form()] = "",
) -> Response:
    values = {"assignee_id": assignee_id}
    chosen = assignee_id.strip()
    try:
        if chosen and not chosen.isdigit():
            raise FieldInvalid("assignee_id", "inspector.field.assignee_not_covering")
        alerts.assign(
            session=session,
            actor=actor,
            alert_id=alert_id,
            assignee_id=int(chosen) if chosen else None,
        )
    except FieldInvalid as refused:
        return _alert_page(request, session, actor, alert_id, refused=refused, values=values)
    return _back_to(alert_id)


@router.post("/alerts/{alert_id}/snooze", dependencies=[Depends(verify_csrf)])
def snooze_form(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    alert_id: int,
    until: Annotated[str, Form()] = "",
) -> Response:
    values = {"until": until}
    try:
        day = date.fromisoformat(until.strip()) if until.strip() else None
    except ValueError:
        refused = FieldInvalid("until", "inspector.field.until_invalid")
        return _alert_page(request, session, actor, alert_id, refused=refused, values=values)
    try:
        alerts.snooze(
            session=session, actor=actor, alert_id=alert_id, until=day, today=date.today()
        )
    except FieldInvalid as refused:
        return _alert_page(request, session, actor, alert_id, refused=refused, values=values)
    return _back_to(alert_id)


@router.post("/alerts/{alert_id}/resolve", dependencies=[Depends(verify_csrf)])
def resolve_form(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    alert_id: int,
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        alerts.resolve(session=session, actor=actor, alert_id=alert_id, note=note)
    except FieldInvalid as refused:
        values = {"note": note}
        return _alert_page(request, session, actor, alert_id, refused=refused, values=values)
    return _back_to(alert_id)


@router.post("/monitors/run", dependencies=[Depends(verify_csrf)])
def run_monitors_form(
    request: Request, session: SessionDep, actor: InspectorDep, reference: ReferenceDep
) -> Response:
    try:
        result = alerts.run_now(
            session=session,
            actor=actor,
            engine=request.app.state.engine,
            reference=reference,
            as_of=date.today(),
        )
    except RunConflict as error:
        raise Conflict(_text(request, actor, error.message)) from error
    return RedirectResponse(f"/inspector/alerts?ran=1&run={result.run_id}", status_code=303)


# --- employers ----------------------------------------------------------------------------------


@router.get("/employers", response_class=HTMLResponse)
def employer_search(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    found = employers.search(session=session, actor=actor, q=q, page=page)
    return _page(request, "inspector/employers/list.html", {"found": found, "q": q or ""})


@router.get("/employers/{employer_id}", response_class=HTMLResponse)
def employer_page(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    reference: ReferenceDep,
    employer_id: int,
) -> HTMLResponse:
    found = employers.overview(
        session=session, actor=actor, employer_id=employer_id, reference=reference
    )
    return _page(request, "inspector/employers/detail.html", {"file": found})


@router.get("/employers/{employer_id}/audit", response_class=HTMLResponse)
def employer_audit(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    employer_id: int,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    trail = employers.audit_trail(session=session, actor=actor, employer_id=employer_id, page=page)
    employer = employers.get_readable(session=session, actor=actor, employer_id=employer_id)
    return _page(request, "inspector/employers/audit.html", {"trail": trail, "employer": employer})
