"""A short-lived pass to a case, given with the status page after the code and PIN opened it.

The status page's forms (evidence uploads) carry it in a hidden field instead of the PIN, so
the PIN is asked once, never sits in a page, and a follow-up post is not another guess
against the code's limits. The pass is the code, an expiry and an HMAC of both under the
tracking secret: it cannot be forged nor stretched, and it opens only its own case.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

PASS_LIFETIME = timedelta(minutes=30)  # long enough to find and choose a few photos


def issue(*, tracking_code: str, secret: str, now: datetime) -> str:
    expires = int((now + PASS_LIFETIME).timestamp())
    return f"{tracking_code}.{expires}.{_mac(secret, tracking_code, expires)}"


def opened(token: str, *, secret: str, now: datetime) -> str | None:
    """The tracking code a valid, unexpired pass opens; None otherwise."""
    code, _, rest = token[:200].partition(".")
    expires_text, _, mac = rest.partition(".")
    if not code or not expires_text.isdigit():
        return None
    expires = int(expires_text)
    if not hmac.compare_digest(mac, _mac(secret, code, expires)):
        return None
    return code if now.timestamp() <= expires else None


def _mac(secret: str, code: str, expires: int) -> str:
    message = f"case-pass:{code}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
