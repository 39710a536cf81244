"""The FastAPI application: create_app(settings) wires routers, errors and the scheduler."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from monitors.reference import load_reference
from service.alerts import api as alerts_api
from service.auth import api as auth_api
from service.auth import pages as auth_pages
from service.auth.service import LoginLimiter
from service.config import Settings, get_settings
from service.db import get_engine
from service.deposits import api as deposits_api
from service.deps import ActorDep
from service.employers import api as employers_api
from service.errors import install_error_handlers
from service.limits import BodySizeLimit
from service.mediation import api as mediation_api
from service.monitoring.schedule import run_daily
from service.notifications.sender import run_sender
from service.notifications.settings import MailSettings
from service.portals import (
    admin,
    employer,
    employer_complaints,
    inspector,
    inspector_complaints,
    inspector_proofs,
    inspector_subscriptions,
    mediator,
    worker,
    worker_complaints,
)
from service.users import api as users_api
from service.web import render


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = get_engine(settings)
        app.state.reference = load_reference(settings.data_dir)
        daily = None
        if settings.scheduler_enabled:
            daily = asyncio.create_task(
                run_daily(
                    app.state.engine,
                    app.state.reference,
                    at=settings.monitors_daily_at,
                    zone=settings.time_zone,
                )
            )
        mail = MailSettings()
        stop_sending = asyncio.Event()
        sender = None
        if mail.mail_sender_enabled:
            sender = asyncio.create_task(run_sender(app.state.engine, mail, stop_sending))
        yield
        if daily:
            daily.cancel()
        if sender:
            stop_sending.set()
            await sender

    app = FastAPI(
        title="WageGuard 薪盾",
        description="Wage-guarantee and labour-rights monitoring for migrant workers.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.login_limiter = LoginLimiter()
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit)
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def landing(request: Request, actor: ActorDep) -> HTMLResponse:
        """What WageGuard is, with a link to the API documentation."""
        return render(request, "landing.html")

    @app.get("/healthz", tags=["service"])
    def health() -> dict[str, str]:
        """Liveness check."""
        return {"status": "ok"}

    return app


ROUTERS = [
    auth_pages.router,
    auth_api.router,
    inspector.router,
    inspector_proofs.router,
    inspector_complaints.router,
    inspector_subscriptions.router,
    inspector_subscriptions.api_router,
    employer_complaints.router,
    mediator.router,
    worker_complaints.router,
    worker_complaints.api_router,
    mediation_api.router,
    employer.router,
    worker.router,
    admin.router,
    alerts_api.router,
    employers_api.router,
    deposits_api.router,
    users_api.router,
]
