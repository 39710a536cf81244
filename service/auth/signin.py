"""Signing in, as a request does it: limits that hold under concurrency, equal timing, and a
lockout that slows a guesser without locking out the real user.

Every attempt takes a slot in three moving-window limits in the database
(service.ratelimit) *before* its password is checked, and the slots are committed at once on
the request's own session:
- per username (`signin_failures_per_username` in any `signin_window_minutes`): guessing
  one account from many addresses;
- per address (`signin_failures_per_address` in any window): one password tried against
  many usernames from one place;
- overall (`signin_attempts_per_minute` in any minute): a spray from many addresses.
The windows move: a burst just before and another just after a clock boundary still
count together, so nobody gets twice the limit by straddling it (fixed windows allowed
that). Slots are taken all or none, each by one atomic statement: forty parallel wrong
passwords cannot all be checked, only as many as the limit leaves. A correct password
gives its username and address slots back, so only failures add up.

Beyond the window, failures on one username grow delays: once the username's allowance
is used, each further attempt waits 1, 2, 4 … minutes after the previous one, up to
`signin_max_delay_minutes`. A correct password clears them. Never a permanent lock.

The real user is not locked out by someone else's failures: a browser that has signed in as
a user keeps a signed "known device" cookie for that user (service.known_devices), and its
attempts count against that device's own slots instead of the username's and the address's.
A guesser without the cookie fills only the shared slots, and every limit ends with its
window: nothing is locked for good.

An unknown or deactivated username is checked against a dummy Argon2 hash, so it costs the
same time as a known one and its answer is the same (no username oracle). The connection
goes back to the pool before the password is hashed.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from fastapi import Request, Response
from sqlalchemy import select
from sqlmodel import Session

from service import clock, ratelimit
from service.auth.models import User
from service.auth.passwords import hash_password, verify_password
from service.client_address import client_address
from service.config import Settings
from service.errors import TooManyRequests, Unauthenticated
from service.known_devices import known_device, remember_device

DEVICE_COOKIE = "wg_device"
MINUTE = timedelta(minutes=1)
MAX_USERNAME = 64  # the column's width: a longer name cannot exist
FORGET_AFTER = timedelta(days=1)  # a username's delays start afresh after a quiet day


@dataclass(frozen=True)
class SignInLimits:
    window: timedelta
    per_username: int
    per_address: int
    per_minute: int
    max_delay: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> "SignInLimits":
        return cls(
            window=timedelta(minutes=settings.signin_window_minutes),
            per_username=settings.signin_failures_per_username,
            per_address=settings.signin_failures_per_address,
            per_minute=settings.signin_attempts_per_minute,
            max_delay=timedelta(minutes=settings.signin_max_delay_minutes),
        )


def sign_in(request: Request, session: Session, *, username: str, password: str) -> User:
    """The user for these credentials, or Unauthenticated / TooManyRequests. Commits the
    request's session: the attempt must count even though a refusal rolls the rest back."""
    settings = request.app.state.settings
    limits = SignInLimits.from_settings(settings)
    now = clock.utc_now().timestamp()
    name = username[:MAX_USERNAME]
    device = known_device(request, cookie=DEVICE_COOKIE, subject=f"user:{username}")
    slots = take_slots(
        session, limits, username=name, address=client_address(request), device=device, now=now
    )
    user = None
    if slots and len(username) <= MAX_USERNAME:
        user = session.scalar(select(User).where(User.username == username))
    session.commit()  # counted, and the connection is free while the password is hashed
    if not slots:
        raise TooManyRequests("too many sign-in attempts; try again later")
    if not _password_opens(user, password):
        raise Unauthenticated("wrong username or password")
    for slot in slots[1:]:
        ratelimit.release(session, slot)
    if device is None:
        ratelimit.delay_clear(session, key=_delay_key(name))
    return user


def take_slots(
    session: Session,
    limits: SignInLimits,
    *,
    username: str,
    address: str,
    device: str | None,
    now: float,
) -> list[ratelimit.Slot]:
    """The attempt's slots (the overall one first, then those a success gives back), or []
    when a limit or a running delay refuses it: then nothing is used up."""
    overall = ratelimit.Moving("signin:all", limits.per_minute, MINUTE)
    if device:
        mine = ratelimit.Moving(f"signin:device:{device}", limits.per_username, limits.window)
        return ratelimit.take_all(session, [overall, mine], now=now)
    slots = ratelimit.take_all(
        session,
        [
            overall,
            ratelimit.Moving(f"signin:username:{username}", limits.per_username, limits.window),
            ratelimit.Moving(f"signin:address:{address}", limits.per_address, limits.window),
        ],
        now=now,
    )
    if slots and not ratelimit.delay_claim(
        session,
        key=_delay_key(username),
        free=limits.per_username,
        max_delay=limits.max_delay,
        forget_after=FORGET_AFTER,
        now=now,
    ):
        for slot in slots:
            ratelimit.release(session, slot)
        return []
    return slots


def _delay_key(username: str) -> str:
    return f"signin:delay:{username}"


def remember_signed_in_device(response: Response, request: Request, username: str) -> None:
    """After a correct password: this browser now counts on its own slots for this user."""
    remember_device(response, request, cookie=DEVICE_COOKIE, subject=f"user:{username}")


def _password_opens(user: User | None, password: str) -> bool:
    if user is None or not user.is_active:
        verify_password(password, _dummy_hash())  # the same cost as a real check
        return False
    return verify_password(password, user.password_hash)


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(24))
