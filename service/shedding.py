"""Load shedding for anonymous complaint intake (the complaint page and `POST /api/complaints`):
beyond capacity, a fast 503 with Retry-After instead of a queue.

Without a bound, a flood of complaints queues behind the thread pool and the connection pool:
each request waits its turn for up to 30 s, the worker's phone gives up while the complaint may
still be saved afterwards (the code and PIN are never seen), and inspectors' pages wait in the
same queue. So each process serves at most `intake_max_in_flight` intake requests at
once and answers the next ones at once with 503 and `Retry-After`; the rest of the request
threads stay free for signed-in staff, whose routes are never shed. A retry is safe: intake
is idempotent (service/complaints/intake.py).

The count lives in the event loop (one thread), so a plain integer is exact. It is per process;
`wageguard serve --workers N` gives each process its own bound, as each has its own threads.

The middleware also watches for the client leaving: once the body is read, a task waits for
the connection's next message, and a disconnect sets a flag that the route's thread reads
(`client_gone`) before it starts and before it commits, without a trip to the event loop while
its transaction holds locks. A complaint is then not saved for a client that will never see its
code and PIN.
"""

import asyncio
import json
import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.i18n import LANGUAGES, translate
from service.limits import BodySizeLimit, refuse_json

log = logging.getLogger(__name__)

# Anonymous intake: the complaint page and its API twin, and the legal-aid application form
# (service/portals/worker_legal_aid.py). Case tracking is not shed:
# a check is a keyed hash, and its limits per code and per address bound a flood of guesses
# (service/complaints/tracking.py).
INTAKE_PATHS = frozenset({"/worker/complaint", "/api/complaints", "/worker/legal-aid"})
# The body of a complaint (2,000 characters of text, percent-encoded) is far below this.
INTAKE_MAX_BODY_BYTES = 64 * 1024
CLIENT_WATCH = "wageguard.client_watch"


class IntakeShedding:
    def __init__(self, app: ASGIApp, *, max_in_flight: int, retry_after_seconds: int) -> None:
        self.app = app
        self.bounded = BodySizeLimit(app, max_bytes=INTAKE_MAX_BODY_BYTES, refuse=_too_large)
        self.max_in_flight = max_in_flight
        self.retry_after = str(retry_after_seconds)
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_intake(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            log.info("shed %s %s: %d in flight", scope["method"], scope["path"], self.in_flight)
            await _overloaded(scope, send, self.retry_after)
            return
        self.in_flight += 1
        watch = ClientWatch(receive)
        scope[CLIENT_WATCH] = watch
        try:
            await self.bounded(scope, watch.receive, send)
        finally:
            self.in_flight -= 1
            watch.stop()


class ClientWatch:
    """Hands the body to the app, then waits for the connection's next message: for a request
    that has been read, it can only be the client's disconnect."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._watching: asyncio.Task[Message] | None = None
        self.gone = False  # written on the event loop, read by the route's thread

    async def receive(self) -> Message:
        if self._watching is not None:
            # Shielded: a caller's cancelled wait (Request.is_disconnected) leaves it running.
            return await asyncio.shield(self._watching)
        message = await self._receive()
        self._note(message)
        if message["type"] == "http.request" and not message.get("more_body", False):
            self._watching = asyncio.create_task(self._watch())
        return message

    async def _watch(self) -> Message:
        message = await self._receive()
        self._note(message)
        return message

    def _note(self, message: Message) -> None:
        if message["type"] == "http.disconnect":
            self.gone = True

    def stop(self) -> None:
        if self._watching is not None:
            self._watching.cancel()


def client_gone(scope: Scope) -> bool:
    """Whether the client of this intake request has closed its connection."""
    watch = scope.get(CLIENT_WATCH)
    return watch is not None and watch.gone


def _is_intake(path: str) -> bool:
    return path.rstrip("/") in INTAKE_PATHS


async def _overloaded(scope: Scope, send: Send, retry_after: str) -> None:
    request = Request(scope)
    headers = {"Retry-After": retry_after, "Cache-Control": "no-store"}
    if scope["path"].startswith("/api/"):
        detail = {language: translate(language, "intake.overloaded") for language in LANGUAGES}
        body = json.dumps({"error": "Overloaded", "detail": detail}, ensure_ascii=False).encode()
        await _send(send, 503, body, "application/json", headers)
        return
    from service.error_handlers import error_page

    page = error_page(request, 503, _page_text(request))
    await _send(send, 503, page.body, "text/html; charset=utf-8", headers)


async def _too_large(scope: Scope, send: Send) -> None:
    """A complaint over the intake's body limit: JSON for the API; for the worker's form a
    page in its language saying the text was too long, with the way back to the form."""
    if scope["path"].startswith("/api/"):
        await refuse_json(scope, send)
        return
    from service.web import page_language, render

    request = Request(scope)
    language = page_language(request)
    page = render(request, "worker/too_long.html", {"form_lang": language}, status_code=413)
    await _send(send, 413, page.body, "text/html; charset=utf-8", {"Cache-Control": "no-store"})


def _page_text(request: Request) -> str:
    from service.web import page_language

    return translate(page_language(request), "intake.overloaded")


async def _send(
    send: Send, status: int, body: bytes, content_type: str, headers: dict[str, str]
) -> None:
    raw = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
