"""Server-rendered pages: one Jinja2 environment, the catalogue, and the visitor's language."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from monitors.reference import load_reference
from service import clock
from service.config import PROJECT_ROOT
from service.csrf import CSRF_FIELD, csrf_token, set_csrf_cookie
from service.i18n import LANGUAGE_COOKIE, LANGUAGES, language_of, translate
from service.money import yuan

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")


templates.env.filters["yuan"] = yuan
# Stored UTC timestamps shown in Wenzhou's time (service.clock), whatever the server's zone.
templates.env.filters["local_time"] = clock.shown


def place_name(language: str, code: object) -> str:
    """A place's name (county, city) instead of its code; the code itself when unknown."""
    places = load_reference().jurisdictions
    key = str(code or "")
    if key not in places.index:
        return key
    return str(places.at[key, "name_en" if language == "en" else "name_zh"])


def industry_name(language: str, code: object) -> str:
    """An industry's name (GB/T 4754) instead of its code: the most precise level known."""
    industries = load_reference().industries
    key = str(code or "")
    for length in range(len(key), 1, -1):
        if key[:length] in industries.index:
            return str(industries.at[key[:length], "name_en" if language == "en" else "name_zh"])
    return key


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
        # Names, never codes, wherever a person reads (issue 13).
        "place": lambda code: place_name(language, code),
        "industry": lambda code: industry_name(language, code),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        # A form shown again after its token expired (service/csrf.py): say so above it.
        "form_expired": getattr(request.state, "form_expired", False),
        "form_expired_file": getattr(request.state, "form_expired_file", False),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, page, status_code=status_code)
    set_csrf_cookie(request, response)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, samesite="lax", max_age=365 * 86400)
    return response
