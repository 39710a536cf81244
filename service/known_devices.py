"""Known devices: a signed cookie that says "this browser has already proved it knows the
secret for this subject" (a user's password, a case's PIN).

Limits on guessing are shared by everyone who asks about the same account or case, so a
stranger could fill them to keep the real owner out. A browser that has once got in carries
this cookie and counts on its own slots instead. The cookie holds a random nonce and an
HMAC of (subject, nonce) under the server's secret key: it cannot be forged, and it is
worth nothing for another subject.
"""

import hashlib
import hmac
import secrets

from fastapi import Request, Response

DEVICE_DAYS = 365


def remember_device(
    response: Response, request: Request, *, cookie: str, subject: str, path: str = "/"
) -> None:
    nonce = secrets.token_urlsafe(12)
    response.set_cookie(
        cookie,
        f"{nonce}.{_mac(request, subject, nonce)}",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=DEVICE_DAYS * 86400,
        path=path,
    )


def known_device(request: Request, *, cookie: str, subject: str) -> str | None:
    """An id for this browser when its cookie was issued for `subject`, else None."""
    nonce, _, mac = request.cookies.get(cookie, "").partition(".")
    if not nonce or not hmac.compare_digest(mac, _mac(request, subject, nonce)):
        return None
    return f"{subject}:{nonce}"


def _mac(request: Request, subject: str, nonce: str) -> str:
    secret = request.app.state.settings.secret_key.encode()
    return hmac.new(secret, f"device:{subject}:{nonce}".encode(), hashlib.sha256).hexdigest()
