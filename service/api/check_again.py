"""JSON twins of the "check again" buttons: an employer checks itself, an inspector an
employer of the jurisdiction. Same flow and checks as the pages (service/flows/check_again.py)."""

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter, Request

from service import clock
from service.auth.actors import Actor
from service.bounds import RecordId
from service.deps import EmployerDep, InspectorDep, ReferenceDep, SessionDep
from service.errors import Conflict, TooManyRequests
from service.flows import check_again
from service.flows.check_again import CheckResult
from service.i18n import language_of, translate

router = APIRouter(prefix="/api", tags=["employers"])


@contextmanager
def _translated(request: Request, actor: Actor) -> Iterator[None]:
    """Refusals carry catalogue keys; answer them in the caller's language."""
    language = language_of(request, actor.locale)
    try:
        yield
    except check_again.CheckLimited as error:
        raise TooManyRequests(translate(language, error.message)) from error
    except check_again.CheckBusy as error:
        raise Conflict(translate(language, error.message)) from error


@router.post("/employer/check-again", response_model=CheckResult)
def check_own_records_again(
    request: Request, session: SessionDep, actor: EmployerDep, reference: ReferenceDep
) -> CheckResult:
    """Check your own records again now, as of today: your alerts and risk tier are brought
    up to date at once. Once a minute at most (429); 409 while another run is in progress."""
    with _translated(request, actor):
        return check_again.check_again(
            session=session,
            actor=actor,
            engine=request.app.state.engine,
            reference=reference,
            employer_id=check_again.own_employer_id(session, actor),
            as_of=clock.today(),
        )


@router.post("/employers/{employer_id}/check-again", response_model=CheckResult)
def check_employer_again(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    reference: ReferenceDep,
    employer_id: RecordId,
) -> CheckResult:
    """Check an employer of your jurisdiction again now, as of today: its alerts and risk
    tier; 404 outside your jurisdiction, 409 while another run is in progress."""
    with _translated(request, actor):
        return check_again.check_again(
            session=session,
            actor=actor,
            engine=request.app.state.engine,
            reference=reference,
            employer_id=employer_id,
            as_of=clock.today(),
        )
