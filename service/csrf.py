"""CSRF protection for every HTML form: a double-submit token.

Each visitor gets a random `wg_csrf` cookie; forms carry the same value in a hidden
`csrf_token` field, which a cross-site page can neither read nor set. Cookies are
SameSite=Lax as a second line.
"""

import hmac
import secrets

from fastapi import Request, Response

from service.errors import Forbidden

CSRF_COOKIE = "wg_csrf"
CSRF_FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The visitor's token (a new one for a first visit, set on the response later)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(24)
        request.state.new_csrf = token
    return token


def set_csrf_cookie(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https"
        )


async def verify_csrf(request: Request) -> None:
    """Dependency for every form POST."""
    form = await request.form()
    sent = str(form.get(CSRF_FIELD, ""))
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise Forbidden("the form has expired or did not come from this site; reload the page")
