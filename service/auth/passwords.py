"""Passwords: Argon2 hashes (pwdlib's recommended parameters) and a strength rule.

The rule: at least MIN_PASSWORD_LENGTH characters and a zxcvbn score of at least
MIN_STRENGTH ("safely unguessable" against online attack), judged with the account's own
names as known words, so "aaaaaaaaaaaa", twelve spaces or the username plus a year fail.
"""

from collections.abc import Sequence
from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from zxcvbn import zxcvbn

from service.config import get_settings

MIN_PASSWORD_LENGTH = 12  # product security policy
MIN_STRENGTH = 3  # zxcvbn's 0-4 scale
# zxcvbn's time grows with the length; what is beyond this is not judged (it only adds).
JUDGED_LENGTH = 100

# A hash records its own parameters, so either kind verifies under either setting.
HASHERS = {
    "strong": PasswordHash.recommended,
    # The smallest Argon2 allows: microseconds instead of 0.4 s (the test suite only).
    "cheap-for-tests": lambda: PasswordHash(
        (Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),)
    ),
}


@cache
def hasher() -> PasswordHash:
    return HASHERS[get_settings().password_hashing]()


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return hasher().verify(password, password_hash)


def password_weakness(password: str, *, known_words: Sequence[str] = ()) -> str | None:
    """None for an acceptable password, else why not: "short" or "guessable"."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "short"
    words = [word for word in known_words if word]
    if zxcvbn(password[:JUDGED_LENGTH], user_inputs=words)["score"] < MIN_STRENGTH:
        return "guessable"
    return None
