"""The inspector portal: server-rendered pages (templates/inspector/).

Each page calls the same service function as its API twin (service/api/alerts.py,
service/api/employers.py), so both make the same permission checks. Forms post with the
CSRF token and answer with a redirect (303), or re-render at 422 with field messages.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service import clock
from service.alerts import service as alerts
from service.alerts.models import HANDLING_STATES, SEVERITIES
from service.alerts.service import AlertFilters, FieldInvalid, RunConflict
from service.auth.actors import Actor
from service.bounds import FormText, PageNumber, RecordId, SearchText, record_id
from service.casework import inspection
from service.csrf import verify_csrf
from service.deps import InspectorDep, ReferenceDep, SessionDep, SettingsDep, get_reference
from service.employers import service as employers
from service.errors import Conflict, NotFound
from service.flows import check_again, employer_overview, monitor_runs
from service.flows.employer_overview import EMPLOYER_SORTS, EmployerSort, TierFilter
from service.i18n import language_of, translate
from service.posters import service as posters
from service.posters.download import poster_download
from service.risk.models import TIERS
from service.web import render

router = APIRouter(prefix="/inspector", include_in_schema=False)
# The handling just done, named in the address the form redirects to: the page confirms it.
Done = Literal["acknowledge", "assign", "snooze", "resolve"]
DONE_ACTIONS: tuple[str, ...] = get_args(Done)


def _page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """render() plus what every inspector page uses: local times and the option lists."""
    zone = request.app.state.settings.time_zone

    def when(moment: datetime | None) -> str:
        return clock.shown(moment, zone)

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
    reference: ReferenceDep,
    filters: Annotated[AlertFilters, Query()],
    ran: Annotated[int, Query(ge=0, le=1)] = 0,
    run: RecordId | None = None,
) -> HTMLResponse:
    """The inbox: by default what needs action, each alert with one plain state, its
    deadline and age; the county column when the jurisdiction spans several counties."""
    found = alerts.list_alerts(
        session=session, actor=actor, filters=filters, today=clock.today(), reference=reference
    )
    choices = alerts.filter_choices(session=session, actor=actor)
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
            "choices": choices,
            "many_counties": len(choices.counties) > 1,
            "last_run": last_run,
        },
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    alert_id: RecordId,
    done: Annotated[Done | None, Query()] = None,
) -> HTMLResponse:
    """One alert; after a handling form, with the confirmation of what was done."""
    return _alert_page(request, session, actor, alert_id, done=done)


def _alert_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    alert_id: int,
    *,
    refused: FieldInvalid | None = None,
    values: dict[str, str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    """The alert page; after a refused form, again at 422 with the field's message."""
    alert = alerts.get_alert(
        session=session,
        actor=actor,
        alert_id=alert_id,
        today=clock.today(),
        reference=get_reference(request),
    )
    errors = {refused.field: _text(request, actor, refused.message)} if refused else {}
    return _page(
        request,
        "inspector/alerts/detail.html",
        {"alert": alert, "errors": errors, "values": values or {}, "done": done},
        status_code=422 if refused else 200,
    )


def _back_to(alert_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/inspector/alerts/{alert_id}?done={done}", status_code=303)


@router.post("/alerts/{alert_id}/acknowledge", dependencies=[Depends(verify_csrf)])
def acknowledge_form(session: SessionDep, actor: InspectorDep, alert_id: RecordId) -> Response:
    alerts.acknowledge(session=session, actor=actor, alert_id=alert_id)
    return _back_to(alert_id, "acknowledge")


def _handled(
    request: Request,
    session: SessionDep,
    actor: Actor,
    alert_id: int,
    values: dict[str, str],
    handle: Callable[[], object],
    done: str,
) -> Response:
    """Apply one handling posted from the alert page: back to the page (303), or the page
    again at 422 with the refused field's message and what was typed."""
    try:
        handle()
    except FieldInvalid as refused:
        return _alert_page(request, session, actor, alert_id, refused=refused, values=values)
    return _back_to(alert_id, done)


@router.post("/alerts/{alert_id}/assign", dependencies=[Depends(verify_csrf)])
def assign_form(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    alert_id: RecordId,
    assignee_id: Annotated[FormText, Form()] = "",
) -> Response:
    chosen = assignee_id.strip()

    def assign() -> None:
        if chosen and record_id(chosen) is None:
            raise FieldInvalid("assignee_id", "inspector.field.assignee_not_covering")
        alerts.assign(
            session=session,
            actor=actor,
            alert_id=alert_id,
            assignee_id=int(chosen) if chosen else None,
        )

    return _handled(
        request, session, actor, alert_id, {"assignee_id": assignee_id}, assign, "assign"
    )


@router.post("/alerts/{alert_id}/snooze", dependencies=[Depends(verify_csrf)])
def snooze_form(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    alert_id: RecordId,
    until: Annotated[FormText, Form()] = "",
) -> Response:
    def snooze() -> None:
        try:
            day = date.fromisoformat(until.strip()) if until.strip() else None
        except ValueError as error:
            raise FieldInvalid("until", "inspector.field.until_invalid") from error
        alerts.snooze(
            session=session, actor=actor, alert_id=alert_id, until=day, today=clock.today()
        )

    return _handled(request, session, actor, alert_id, {"until": until}, snooze, "snooze")


@router.post("/alerts/{alert_id}/resolve", dependencies=[Depends(verify_csrf)])
def resolve_form(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    alert_id: RecordId,
    note: Annotated[FormText, Form()] = "",
) -> Response:
    def resolve() -> None:
        alerts.resolve(session=session, actor=actor, alert_id=alert_id, note=note)

    return _handled(request, session, actor, alert_id, {"note": note}, resolve, "resolve")


@router.post("/monitors/run", dependencies=[Depends(verify_csrf)])
def run_monitors_form(
    request: Request, session: SessionDep, actor: InspectorDep, reference: ReferenceDep
) -> Response:
    try:
        result = monitor_runs.run_now(
            session=session,
            actor=actor,
            engine=request.app.state.engine,
            reference=reference,
            as_of=clock.today(),
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
    q: Annotated[SearchText | None, Query()] = None,
    page: Annotated[PageNumber, Query()] = 1,
    tier: Annotated[TierFilter | None, Query()] = None,
    sort: Annotated[EmployerSort, Query()] = "name",
) -> HTMLResponse:
    found = employer_overview.search(
        session=session, actor=actor, q=q, page=page, tier=tier, sort=sort
    )
    return _page(
        request,
        "inspector/employers/list.html",
        {
            "found": found,
            "q": q or "",
            "tier": tier or "",
            "sort": sort,
            "tiers": TIERS,
            "employer_sorts": EMPLOYER_SORTS,
        },
    )


@router.get("/employers/{employer_id}", response_class=HTMLResponse)
def employer_page(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    reference: ReferenceDep,
    employer_id: RecordId,
    checked: RecordId | None = None,
    busy: Annotated[int, Query(ge=0, le=1)] = 0,
) -> HTMLResponse:
    """The employer's file; after "check again", what the check changed (`checked`, the run)
    or that another run was in progress (`busy`)."""
    found = employer_overview.overview(
        session=session,
        actor=actor,
        employer_id=employer_id,
        reference=reference,
        language=language_of(request, actor.locale),
    )
    sites = posters.sites_of(session=session, employer_id=employer_id)
    taken_over = inspection.for_employer(session, actor, employer_id)
    check = (
        check_again.checked(session=session, employer_id=employer_id, run_id=checked)
        if checked is not None
        else None
    )
    context = {
        "file": found,
        "poster_projects": sites,
        "inspection_cases": taken_over,
        "check": check,
        "check_busy": bool(busy),
    }
    return _page(request, "inspector/employers/detail.html", context)


@router.post("/employers/{employer_id}/check-again", dependencies=[Depends(verify_csrf)])
def check_employer_again(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    reference: ReferenceDep,
    employer_id: RecordId,
) -> Response:
    """Check one employer of the jurisdiction again now: its alerts and risk tier."""
    try:
        result = check_again.check_again(
            session=session,
            actor=actor,
            engine=request.app.state.engine,
            reference=reference,
            employer_id=employer_id,
            as_of=clock.today(),
        )
    except check_again.CheckBusy:
        return RedirectResponse(f"/inspector/employers/{employer_id}?busy=1#check-again", 303)
    address = f"/inspector/employers/{employer_id}?checked={result.run_id}#check-again"
    return RedirectResponse(address, status_code=303)


@router.get("/employers/{employer_id}/audit", response_class=HTMLResponse)
def employer_audit(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    employer_id: RecordId,
    page: Annotated[PageNumber, Query()] = 1,
) -> HTMLResponse:
    trail = employers.audit_trail(session=session, actor=actor, employer_id=employer_id, page=page)
    employer = employers.get_readable(session=session, actor=actor, employer_id=employer_id)
    return _page(request, "inspector/employers/audit.html", {"trail": trail, "employer": employer})


@router.get("/employers/{employer_id}/poster.pdf")
def employer_poster(
    session: SessionDep,
    actor: InspectorDep,
    reference: ReferenceDep,
    settings: SettingsDep,
    employer_id: RecordId,
    size: Annotated[posters.PaperSize, Query()] = "A4",
    project: Annotated[RecordId | None, Query()] = None,
) -> Response:
    """The rights poster of an employer in scope, or of one of its sites (a plain `def`:
    WeasyPrint's second of work runs on the thread pool)."""
    subject = posters.for_inspector(
        session=session, actor=actor, employer_id=employer_id, project_id=project
    )
    return poster_download(
        session=session,
        actor=actor,
        subject=subject,
        reference=reference,
        settings=settings,
        size=size,
    )
