"""A cap on request bodies, enforced before any route (or the multipart parser) reads them.

Routes check their own, smaller limits (10 MB for a deposit proof); this stops a huge body
from ever reaching the disk.
"""

from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 60 * 1024 * 1024  # the largest import upload (50 MB) plus form overhead


class BodyTooLarge(Exception):
    """Raised from `receive` by the limit that `limiter` names: with two limits stacked (the
    app's and the complaint intake's), each answers only its own refusal."""

    def __init__(self, limiter: object) -> None:
        super().__init__()
        self.limiter = limiter


# How a refusal is answered: by default a JSON 413; a page may give its own (shedding.py).
Refusal = Callable[[Scope, Send], Awaitable[None]]


async def refuse_json(scope: Scope, send: Send) -> None:
    await _refuse(send)


class BodySizeLimit:
    def __init__(
        self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, refuse: Refusal = refuse_json
    ) -> None:
        self.app, self.max_bytes, self.refuse = app, max_bytes, refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self.refuse(scope, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLarge(self)
            return message

        try:
            await self.app(scope, counting_receive, send)
        except BodyTooLarge as error:
            if error.limiter is not self:
                raise
            await self.refuse(scope, send)


async def _refuse(send: Send) -> None:
    body = b'{"error": "TooLarge", "detail": "the request body is too large"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
