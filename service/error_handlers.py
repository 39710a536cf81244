"""The handlers of errors: one JSON shape for the API, a page for the portals.

A 500 is a bug: no catch-all handler hides it. An unreachable database is not a bug but an
outage: 503 with Retry-After, and the cause in the log rather than in the answer.
"""

import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.csrf import REFILLS, FormExpired
from service.db import session_scope
from service.deps import get_actor
from service.errors import ServiceError, Unauthenticated, is_api
from service.i18n import LANGUAGES, catalogue, translate
from service.web import page_language, render

log = logging.getLogger(__name__)

# Connection refused or lost, the pool exhausted, a lock not granted in time: outages that
# pass, so the client is told when to try again.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
DATABASE_RETRY_AFTER_SECONDS = 30


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, error: ServiceError) -> Response:
        if is_api(request):
            return JSONResponse(
                {"error": type(error).__name__, "detail": error.detail},
                status_code=error.status_code,
            )
        if isinstance(error, Unauthenticated):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return error_page(request, error.status_code, shown_detail(request, error))

    @app.exception_handler(FormExpired)
    async def form_expired(request: Request, error: FormExpired) -> Response:
        """Nothing typed is lost: the same form again, with its values and a message."""
        if is_api(request):
            return await service_error(request, error)
        return await run_in_threadpool(refilled_form, request, error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        """Unknown paths and methods: the same envelope and pages as every other error."""
        name = {404: "NotFound", 405: "MethodNotAllowed"}.get(error.status_code, "HTTPError")
        if is_api(request):
            return JSONResponse(
                {"error": name, "detail": error.detail},
                status_code=error.status_code,
                headers=error.headers,
            )
        return error_page(request, error.status_code, "")

    async def database_unavailable(request: Request, error: Exception) -> Response:
        log.warning("database unavailable for %s %s: %s", request.method, request.url.path, error)
        headers = {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}
        if is_api(request):
            detail = {
                language: translate(language, "intake.database_unavailable")
                for language in LANGUAGES
            }
            body = {"error": "Unavailable", "detail": detail}
            return JSONResponse(body, status_code=503, headers=headers)
        page = error_page(request, 503, "")
        page.headers.update(headers)
        return page

    for kind in DATABASE_UNAVAILABLE:
        app.add_exception_handler(kind, database_unavailable)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        """Out-of-range ids, too-long texts, malformed values: 422 naming each field."""
        problems = _one_per_field(error.errors())
        if is_api(request):
            fields = [{"field": _field(e), "message": e["msg"]} for e in problems]
            return JSONResponse({"error": "Invalid", "detail": fields}, status_code=422)
        return error_page(request, 422, _page_messages(request, problems))


# Fields a person types (not ids or choices), quoted back on the page that sends a form again.
TYPED_FIELDS = (
    "note", "reason", "until", "held_on", "payment_due_on", "agreement_amount", "amount",
    "reference", "event_date", "expiry_date", "display_name", "email", "username",
)  # fmt: skip


def refilled_form(request: Request, error: FormExpired) -> Response:
    """The form registered for this route (service.csrf.refills) shown again, else a page that
    sends what was typed once more. Both carry a fresh token and say the page had expired."""
    request.state.form_expired = True
    request.state.form_expired_file = error.had_file
    route = request.scope.get("route")
    refill = REFILLS.get(getattr(route, "path", ""))
    with session_scope(request.app.state.engine) as session:
        actor = get_actor(request, session)
        page = refill(request, session, actor, dict(error.values)) if refill else None
        if page is None:
            language = page_language(request)
            shown = [
                (translate(language, f"edges.field.{name}"), value)
                for name, value in error.values.items()
                if name in TYPED_FIELDS and value.strip()
            ]
            context = {
                "action": request.url.path,
                "query": request.url.query,
                "values": error.values,
                "shown": shown,
            }
            page = render(request, "errors/expired.html", context, status_code=403)
        session.rollback()  # a page shown again changes nothing
    page.status_code = 403
    return page


# Chinese, Japanese and Korean characters: a text in the page's language when it is zh-CN.
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def shown_detail(request: Request, error: ServiceError) -> str:
    """The error's text in the page's language: its catalogue message, its own text in that
    language, else nothing (the page's heading already says what happened) rather than the
    API's English on a Chinese page."""
    language = page_language(request)
    if error.message:
        return translate(language, error.message, **error.values)
    return _in_language(language, error.detail)


def _in_language(language: str, detail: object) -> str:
    if isinstance(detail, dict):
        if detail.keys() & set(LANGUAGES):
            return str(detail.get(language) or "")
        return "; ".join(filter(None, (_in_language(language, v) for v in detail.values())))
    if isinstance(detail, list):
        return "; ".join(filter(None, (_in_language(language, v) for v in detail)))
    text = str(detail or "")
    return text if language == "en" or CJK.search(text) else ""


def error_page(request: Request, status: int, detail: str) -> Response:
    return render(
        request, "errors/error.html", {"status": status, "detail": detail}, status_code=status
    )


# Where a value may be one of several types (an id as a number or as typed text), pydantic
# reports each alternative under a tag naming the type; the caller only needs the field.
TYPE_TAGS = {"int", "str", "float", "bool", "date", "datetime", "decimal", "none", "list"}


def _path(problem: dict[str, Any]) -> tuple:
    """The field's place without where it came from ("body", "query", "path")."""
    place = [
        part
        for part in problem["loc"][1:]
        if not (isinstance(part, str) and (part in TYPE_TAGS or "-" in part or "[" in part))
    ]
    return tuple(place) or tuple(problem["loc"][:1])


def _field(problem: dict[str, Any]) -> str:
    return ".".join(str(part) for part in _path(problem))


def _one_per_field(problems: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    first: dict[tuple, dict[str, Any]] = {}
    for problem in problems:
        first.setdefault(_path(problem), problem)
    return list(first.values())


def _page_messages(request: Request, problems: Sequence[dict[str, Any]]) -> str:
    """Each problem in the page's language: the field's label and what is wrong with it."""
    language = page_language(request)
    lines = []
    for problem in problems:
        name = str(_path(problem)[-1])
        label = _known(language, f"edges.field.{name}") or name
        limits = {k: v for k, v in (problem.get("ctx") or {}).items() if k in LIMIT_KEYS}
        message = _known(language, f"edges.invalid.{problem['type']}", **limits)
        lines.append(f"{label}: {message or translate(language, 'edges.invalid.other')}")
    return "; ".join(lines)


# The values of a pydantic error's context that a message may quote.
LIMIT_KEYS = ("max_length", "min_length", "le", "ge", "lt", "gt")


def _known(language: str, key: str, **values: object) -> str | None:
    return translate(language, key, **values) if key in catalogue(language) else None
