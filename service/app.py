"""The FastAPI application: create_app(settings) wires routers, errors and the scheduler."""

import asyncio
import functools
import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.routing import BaseRoute

from monitors.reference import load_reference
from service.api import alerts as alerts_api
from service.api import auth as auth_api
from service.api import check_again as check_again_api
from service.api import deposits as deposits_api
from service.api import employers as employers_api
from service.api import imports as imports_api
from service.api import legal_aid as legal_aid_api
from service.api import mediation as mediation_api
from service.api import overview as overview_api
from service.api import reports as reports_api
from service.api import users as users_api
from service.config import Settings, get_settings, placeholder_secrets
from service.db import get_engine, release_engines
from service.deps import ActorDep
from service.docs import install_docs
from service.error_handlers import install_error_handlers
from service.flows.daily import run_daily
from service.headers import SecurityHeaders
from service.imports.runner import start_import_runner
from service.limits import BodySizeLimit
from service.notifications.sender import run_sender
from service.portals import (
    admin,
    employer,
    employer_complaints,
    import_help,
    inspector,
    inspector_complaints,
    inspector_exports,
    inspector_proofs,
    inspector_reports,
    inspector_subscriptions,
    legal_aid,
    mediator,
    overview,
    signin,
    worker,
    worker_complaints,
    worker_legal_aid,
)
from service.shedding import IntakeShedding
from service.web import render

SWITCH_INTERVAL_SECONDS = 0.0005
logger = logging.getLogger(__name__)


@functools.cache
def freeze_startup_heap() -> None:
    """Keep Python's full collections off the ~250,000 objects startup leaves (modules, the
    reference data) that live as long as the process: a full collection walked them all,
    300 ms during which no request ran; after the freeze it walks what requests made, ~10 ms.
    Once per process (tests make many apps): what the first startup left is frozen for good,
    its garbage collected first."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for name in placeholder_secrets(settings):
            logger.warning("%s is the shipped placeholder: set a secret of your own", name)
        app.state.engine = get_engine(settings)
        # Synchronous routes run on AnyIO's thread pool: one thread per pooled connection,
        # so a request never waits for (or fails for want of) a connection.
        to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        # Route threads doing Python work hold the interpreter lock up to the switch interval
        # (5 ms) each time the event loop asks for it, after every socket call; under a flood
        # that starves the loop, and even shed requests wait. A shorter interval keeps it
        # answering.
        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        app.state.reference = load_reference(settings.data_dir)
        freeze_startup_heap()
        daily = None
        if settings.scheduler_enabled:
            daily = asyncio.create_task(
                run_daily(
                    app.state.engine,
                    app.state.reference,
                    at=settings.monitors_daily_at,
                    zone=settings.time_zone,
                    digest_recipients=tuple(settings.assessment_digest_recipients),
                    base_url=settings.mail_base_url,
                )
            )
        imports = None
        if settings.import_jobs_enabled:
            imports = start_import_runner(app, app.state.engine, app.state.reference, settings)
        stop_sending = asyncio.Event()
        sender = None
        if settings.mail_sender_enabled:
            sender = asyncio.create_task(run_sender(app.state.engine, settings, stop_sending))
        yield
        if imports:
            await asyncio.to_thread(imports.stop)
        if daily:
            daily.cancel()
        if sender:
            stop_sending.set()
            await sender
        release_engines(settings.database_url)

    app = FastAPI(
        title="WageGuard 薪盾",
        description="Wage-guarantee and labour-rights monitoring for migrant workers.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by service.docs, offline
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit)
    # Outermost: a shed request costs no parsing, no thread and no connection.
    app.add_middleware(
        IntakeShedding,
        max_in_flight=settings.intake_max_in_flight,
        retry_after_seconds=settings.intake_retry_after_seconds,
    )
    # Last, so every answer (a shed 503, a 429, an error page) carries the headers.
    app.add_middleware(SecurityHeaders)
    install_docs(app)
    app.router.routes.extend(included_routes())

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def landing(request: Request, actor: ActorDep) -> HTMLResponse:
        """What WageGuard is, with a link to the API documentation."""
        return render(request, "landing.html")

    @app.get("/healthz", tags=["service"])
    def health() -> dict[str, str]:
        """Liveness check; `service` names the app (`make run` asks whether it already runs)."""
        return {"status": "ok", "service": HEALTH_NAME}

    return app


HEALTH_NAME = "WageGuard"


@functools.cache
def included_routes() -> tuple[BaseRoute, ...]:
    """ROUTERS as an app includes them, once per process and shared by its apps: FastAPI
    prepares a route (its parameters' models) on first use, ~0.1 s for all of them, which each
    new app paid again (the tests make one per test). No app overrides a dependency, so a
    route prepared for one serves all."""
    scaffold = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    for router in ROUTERS:
        scaffold.include_router(router)
    return tuple(scaffold.router.routes)


ROUTERS = [
    signin.router,
    auth_api.router,
    inspector.router,
    inspector_proofs.router,
    inspector_complaints.router,
    inspector_exports.router,
    inspector_reports.router,
    inspector_subscriptions.router,
    inspector_subscriptions.api_router,
    overview.router,
    employer_complaints.router,
    mediator.router,
    worker_complaints.router,
    worker_complaints.api_router,
    worker_legal_aid.router,
    legal_aid.router,
    legal_aid_api.router,
    mediation_api.router,
    employer.router,
    worker.router,
    import_help.router,
    admin.router,
    alerts_api.router,
    employers_api.router,
    check_again_api.router,
    deposits_api.router,
    imports_api.router,
    users_api.router,
    reports_api.router,
    overview_api.router,
]
