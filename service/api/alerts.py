"""JSON API for alerts: the twins of the portal pages, with the same permission checks."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from service import clock
from service.alerts import service as alerts
from service.alerts.service import (
    AlertDetail,
    AlertFilters,
    AlertHandling,
    AlertPage,
    FieldInvalid,
    RunConflict,
    RunResult,
)
from service.auth.actors import Actor
from service.bounds import RecordId
from service.deps import InspectorDep, ReferenceDep, SessionDep
from service.errors import Conflict, Invalid
from service.flows import monitor_runs
from service.i18n import language_of, translate

router = APIRouter(prefix="/api", tags=["alerts"])


@contextmanager
def translated_errors(request: Request, actor: Actor) -> Iterator[None]:
    """Refusals carry catalogue keys; answer them in the caller's language."""
    language = language_of(request, actor.locale)
    try:
        yield
    except FieldInvalid as error:
        message = translate(language, error.message)
        raise Invalid([{"field": error.field, "message": message}]) from error
    except RunConflict as error:
        raise Conflict(translate(language, error.message)) from error


class AssignRequest(BaseModel):
    assignee_id: RecordId


class SnoozeRequest(BaseModel):
    until: date


class ResolveRequest(BaseModel):
    note: str = Field(max_length=alerts.NOTE_MAX_LENGTH)


@router.get("/alerts", response_model=AlertPage)
def list_alerts(
    session: SessionDep,
    actor: InspectorDep,
    reference: ReferenceDep,
    filters: Annotated[AlertFilters, Query()],
) -> AlertPage:
    """Alerts in your jurisdiction, filtered, sorted and paged (50 a page); by default those
    that need action (open, not closed, not snoozed)."""
    return alerts.list_alerts(
        session=session, actor=actor, filters=filters, today=clock.today(), reference=reference
    )


@router.get("/alerts/{alert_id}", response_model=AlertDetail)
def get_alert(session: SessionDep, actor: InspectorDep, alert_id: RecordId) -> AlertDetail:
    """One alert: the finding, affected workers (masked), legal basis, evidence, timeline."""
    return alerts.get_alert(session=session, actor=actor, alert_id=alert_id)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertHandling)
def acknowledge(session: SessionDep, actor: InspectorDep, alert_id: RecordId) -> AlertHandling:
    """Acknowledge an alert: you have seen it and are on it."""
    return alerts.acknowledge(session=session, actor=actor, alert_id=alert_id)


@router.post("/alerts/{alert_id}/assign", response_model=AlertHandling)
def assign(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    alert_id: RecordId,
    body: AssignRequest,
) -> AlertHandling:
    """Assign an alert to a colleague whose jurisdiction covers the employer."""
    with translated_errors(request, actor):
        return alerts.assign(
            session=session, actor=actor, alert_id=alert_id, assignee_id=body.assignee_id
        )


@router.post("/alerts/{alert_id}/snooze", response_model=AlertHandling)
def snooze(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    alert_id: RecordId,
    body: SnoozeRequest,
) -> AlertHandling:
    """Snooze an alert until a future day: it leaves the inbox until then."""
    with translated_errors(request, actor):
        return alerts.snooze(
            session=session, actor=actor, alert_id=alert_id, until=body.until, today=clock.today()
        )


@router.post("/alerts/{alert_id}/resolve", response_model=AlertHandling)
def resolve(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    alert_id: RecordId,
    body: ResolveRequest,
) -> AlertHandling:
    """Close your work on an alert with a note (required) saying what was done."""
    with translated_errors(request, actor):
        return alerts.resolve(session=session, actor=actor, alert_id=alert_id, note=body.note)


@router.post("/monitors/run", response_model=RunResult)
def run_monitors_now(
    request: Request, session: SessionDep, actor: InspectorDep, reference: ReferenceDep
) -> RunResult:
    """Run the monitors now, as of today; 409 while another run is in progress."""
    with translated_errors(request, actor):
        return monitor_runs.run_now(
            session=session,
            actor=actor,
            engine=request.app.state.engine,
            reference=reference,
            as_of=clock.today(),
        )
