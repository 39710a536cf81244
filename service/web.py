"""Server-rendered pages: one Jinja2 environment, the catalogue, and the visitor's language."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from service.config import PROJECT_ROOT
from service.csrf import CSRF_FIELD, csrf_token, set_csrf_cookie
from service.i18n import LANGUAGE_COOKIE, LANGUAGES, language_of, translate

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")


def yuan(fen: int | None) -> str:
    """Integer fen as CNY with two decimals and thousands separators."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


templates.env.filters["yuan"] = yuan


def page_language(request: Request) -> str:
    actor = getattr(request.state, "actor", None)
    # An anonymous visitor has no locale of their own: their browser's language counts.
    signed_in = actor is not None and not actor.is_anonymous
    return language_of(request, actor.locale if signed_in else None)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    actor = getattr(request.state, "actor", None)
    language = page_language(request)
    page = {
        "actor": actor,
        "lang": language,
        "languages": LANGUAGES,
        "t": lambda key, **values: translate(language, key, **values),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, page, status_code=status_code)
    set_csrf_cookie(request, response)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, samesite="lax", max_age=365 * 86400)
    return response
