"""Sign-in and sign-out pages."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from service.auth import service as auth
from service.csrf import verify_csrf
from service.deps import SESSION_COOKIE, ActorDep, SessionDep
from service.errors import TooManyRequests, Unauthenticated
from service.web import render

router = APIRouter(include_in_schema=False)

HOME_BY_ROLE = {
    "inspector": "/inspector/alerts",
    "admin": "/inspector/alerts",
    "employer": "/employer",
    "mediator": "/mediator",
}


@router.get("/login")
def login_page(request: Request, actor: ActorDep, next: str = "") -> Response:
    return render(request, "login.html", {"next": next, "error": None})


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "",
) -> Response:
    address = request.client.host if request.client else "?"
    try:
        user = auth.authenticate(
            session=session,
            username=username,
            password=password,
            address=address,
            limiter=request.app.state.login_limiter,
        )
    except (Unauthenticated, TooManyRequests) as error:
        key = "login.too_many" if isinstance(error, TooManyRequests) else "login.failed"
        return render(
            request,
            "login.html",
            {"next": next, "error": key, "username": username},
            status_code=error.status_code if key == "login.too_many" else 401,
        )
    token = auth.start_session(session=session, user=user)
    # Only a local path: never redirect to another site after sign-in.
    target = next if next.startswith("/") and not next.startswith("//") else ""
    response = RedirectResponse(target or HOME_BY_ROLE.get(user.role, "/"), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=auth.SESSION_DAYS * 86400,
    )
    return response


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, session: SessionDep) -> Response:
    if token := request.cookies.get(SESSION_COOKIE):
        auth.end_session(session=session, token=token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
