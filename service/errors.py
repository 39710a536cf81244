"""Business errors carry their status; one JSON shape for the API, a page for the portals.

A 500 is a bug: no catch-all handler hides it.
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException


class ServiceError(Exception):
    status_code = 400

    def __init__(self, detail: object = "") -> None:
        super().__init__(str(detail))
        self.detail = detail


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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, error: ServiceError) -> Response:
        if is_api(request):
            return JSONResponse(
                {"error": type(error).__name__, "detail": error.detail},
                status_code=error.status_code,
            )
        if isinstance(error, Unauthenticated):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return error_page(request, error.status_code, error.detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        """Unknown paths and methods: the same envelope and pages as every other error."""
        name = {404: "NotFound", 405: "MethodNotAllowed"}.get(error.status_code, "HTTPError")
        if is_api(request):
            return JSONResponse(
                {"error": name, "detail": error.detail},
                status_code=error.status_code,
                headers=error.headers,
            )
        return error_page(request, error.status_code, "")

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        fields = [
            {"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
            for e in error.errors()
        ]
        if is_api(request):
            return JSONResponse({"error": "Invalid", "detail": fields}, status_code=422)
        return error_page(request, 422, "; ".join(f"{f['field']}: {f['message']}" for f in fields))


def error_page(request: Request, status: int, detail: str) -> Response:
    from service.web import render

    return render(
        request, "errors/error.html", {"status": status, "detail": detail}, status_code=status
    )
