"""The worker's PIN: how it is made, stored and checked.

Why a keyed hash and not Argon2. A password hash is slow so that a thief who copies the
database cannot try every password offline. Here that thief gains nothing: a PIN only opens
the worker's view of a complaint that the stolen rows already hold in full. What the PIN
must resist is online guessing, and that is bounded by the limits in tracking.py (a few
free tries per code, then delays that double up to an hour, and attempts per address), not
by the cost of one check. So the database holds HMAC-SHA256(server secret, code + PIN): a
check costs microseconds instead of ~0.1 CPU-second, so a flood of complaints or tracking
requests cannot stall the service, and without the secret — which lives in the settings,
not in the database — the stored value does not even let a thief test PINs offline.

The tracking code (31^10 ≈ 8·10^14 codes) is the first secret and the PIN the second; the
PIN stays six digits because workers read it from paper and type it on a phone's keypad.

Complaints filed before this scheme hold an Argon2 hash; they still verify, and are moved
to the keyed hash on their first correct PIN.
"""

import hashlib
import hmac
import secrets

from pwdlib import PasswordHash

from service.config import get_settings

PIN_DIGITS = 6
SCHEME = "hmac-sha256$"
_legacy = PasswordHash.recommended()


def new_pin() -> str:
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def pin_digest(*, tracking_code: str, pin: str, secret: str | None = None) -> str:
    """What the database keeps for a PIN: bound to its code, keyed with the server secret."""
    key = (secret if secret is not None else get_settings().tracking_secret).encode()
    message = f"{tracking_code}:{pin}".encode()
    return SCHEME + hmac.new(key, message, hashlib.sha256).hexdigest()


def pin_matches(*, tracking_code: str, pin: str, stored: str, secret: str | None = None) -> bool:
    if is_legacy(stored):
        return _legacy.verify(pin, stored)
    expected = pin_digest(tracking_code=tracking_code, pin=pin, secret=secret)
    return hmac.compare_digest(expected.encode(), stored.encode())


def is_legacy(stored: str) -> bool:
    """An Argon2 hash from before the keyed hash."""
    return stored.startswith("$argon2")
