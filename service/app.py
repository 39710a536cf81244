"""The FastAPI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from service.config import PROJECT_ROOT, Settings, get_settings
from service.db import get_engine

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = get_engine(settings)
        yield

    app = FastAPI(
        title="WageGuard 薪盾",
        description="Wage-guarantee and labour-rights monitoring for migrant workers.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def landing(request: Request) -> HTMLResponse:
        """What WageGuard is, with a link to the API documentation."""
        return templates.TemplateResponse(request, "landing.html", {})

    @app.get("/healthz")
    def health() -> dict[str, str]:
        """Liveness check."""
        return {"status": "ok"}

    return app
