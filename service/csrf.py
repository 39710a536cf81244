"""CSRF protection for every HTML form: a double-submit token.

Each visitor gets a random `wg_csrf` cookie; forms carry the same value in a hidden
`csrf_token` field, which a cross-site page can neither read nor set. Cookies are
SameSite=Lax as a second line.

The cookie lasts `form_valid_hours` (a setting, 12 hours by default) from the last page
shown, so a form left open on a phone, even across a restart of its browser, can still be
sent. A form whose token no longer matches (the cookie expired or was cleared) is refused,
but nothing typed is lost: `FormExpired` carries the posted text fields, and the error
handler (service/error_handlers.py) shows the same form again with them and a message in the
page's language ("页面已过期，请再提交一次"). A form registers how it is shown again with
`refills(path)`; any other form comes back as a page that re-posts what was typed.
"""

import hmac
import secrets
from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from starlette.datastructures import UploadFile

from service.errors import Forbidden

CSRF_COOKIE = "wg_csrf"
CSRF_FIELD = "csrf_token"
DEFAULT_FORM_VALID_HOURS = 12
# Fields never written back into a page: a password is typed again, as everywhere else.
NEVER_REFILLED = frozenset({CSRF_FIELD, "password", "pin", "new_password", "password_again"})

# route path (as declared, e.g. "/worker/complaint") -> shows that form again with the values
# typed; called as refill(request, session, actor, values) and returns None when this actor
# is not one the form is for (the generic page is shown instead).
Refill = Callable[..., Response | None]
REFILLS: dict[str, Refill] = {}


class FormExpired(Forbidden):
    """A form posted without the visitor's current token: shown again, nothing done."""

    def __init__(self, values: dict[str, str], had_file: bool = False) -> None:
        super().__init__("the form has expired or did not come from this site; send it again")
        self.values = values
        self.had_file = had_file


def refills(path: str) -> Callable[[Refill], Refill]:
    """Register how the form posted to `path` is shown again after its token expired."""

    def register(refill: Refill) -> Refill:
        REFILLS[path] = refill
        return refill

    return register


def csrf_token(request: Request) -> str:
    """The visitor's token (a new one for a first visit, set on the response later)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(24)
        request.state.new_csrf = token
    return token


def form_valid_seconds(request: Request) -> int:
    settings = getattr(request.app.state, "settings", None)
    hours = getattr(settings, "form_valid_hours", DEFAULT_FORM_VALID_HOURS)
    return int(hours * 3600)


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Set the token, or renew the one the visitor has: it lasts `form_valid_hours` from the
    last page shown, whether or not the browser is closed meanwhile."""
    token = getattr(request.state, "new_csrf", None) or request.cookies.get(CSRF_COOKIE)
    if token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            max_age=form_valid_seconds(request),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


def kept_values(form: Any) -> dict[str, str]:
    """The posted text fields worth writing back into the form."""
    return {
        name: value
        for name, value in form.multi_items()
        if isinstance(value, str) and name not in NEVER_REFILLED
    }


async def verify_csrf(request: Request) -> None:
    """Dependency for every form POST."""
    form = await request.form()
    sent = str(form.get(CSRF_FIELD, ""))
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        had_file = any(isinstance(value, UploadFile) for _, value in form.multi_items())
        raise FormExpired(kept_values(form), had_file=had_file)
