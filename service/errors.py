"""Business errors carry their status; one JSON shape for the API, a page for the portals.

The errors themselves; their handlers are in service/error_handlers.py.
"""

from starlette.requests import Request


class ServiceError(Exception):
    """`detail` is the API's text; `message` (a catalogue key, with `values`) is what a page
    shows in its own language. Pages never show an untranslated detail in Chinese."""

    status_code = 400
    message: str | None = None

    def __init__(
        self, detail: object = "", *, message: str | None = None, values: dict | None = None
    ) -> None:
        super().__init__(str(detail))
        self.detail = detail
        if message is not None:  # a subclass may name its message once, as a class attribute
            self.message = message
        self.values: dict = values or {}


class Invalid(ServiceError):
    status_code = 422


class Unauthenticated(ServiceError):
    status_code = 401


class Forbidden(ServiceError):
    status_code = 403


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    status_code = 409


class TooManyRequests(ServiceError):
    status_code = 429


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")
