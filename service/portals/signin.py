"""Sign-in and sign-out pages."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from service.auth import service as auth
from service.auth.signin import remember_signed_in_device, sign_in
from service.bounds import NameText, SecretText, UrlText
from service.csrf import refills, verify_csrf
from service.deps import SESSION_COOKIE, ActorDep, SessionDep
from service.errors import TooManyRequests, Unauthenticated
from service.web import render

router = APIRouter(include_in_schema=False)

HOME_BY_ROLE = {
    "inspector": "/inspector/alerts",
    "admin": "/inspector/alerts",
    "employer": "/employer",
    "mediator": "/mediator",
    "legal_aid": "/legal-aid",
    "supervisor": "/inspector/overview",
}


def local_path(target: str) -> str:
    """`target` if it is a path on this site, else "": never redirect elsewhere after sign-in.

    Browsers read a backslash as a slash and drop tabs and newlines, so `/\\evil.example`
    and `/\t/evil.example` lead off-site just as `//evil.example` does: refuse them all.
    """
    unusual = any(ch == "\\" or ch.isspace() or not ch.isprintable() for ch in target)
    if unusual or not target.startswith("/") or target.startswith("//"):
        return ""
    return target


@router.get("/login")
def login_page(request: Request, actor: ActorDep, next: UrlText = "") -> Response:
    return render(request, "login.html", {"next": next, "error": None})


@refills("/login")
def login_refilled(request: Request, _session: object, _actor: object, values: dict) -> Response:
    """The sign-in form again after its page expired: the username kept, the password not."""
    context = {
        "next": values.get("next", "")[:2000],
        "error": None,
        "username": values.get("username", "")[:200],
    }
    return render(request, "login.html", context, status_code=403)


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    username: Annotated[NameText, Form()],
    password: Annotated[SecretText, Form()],
    next: Annotated[UrlText, Form()] = "",
) -> Response:
    try:
        user = sign_in(request, session, username=username, password=password)
    except (Unauthenticated, TooManyRequests) as error:
        key = "login.too_many" if isinstance(error, TooManyRequests) else "login.failed"
        return render(
            request,
            "login.html",
            {"next": next, "error": key, "username": username},
            status_code=error.status_code if key == "login.too_many" else 401,
        )
    token = auth.start_session(session=session, user=user)
    target = local_path(next) or HOME_BY_ROLE.get(user.role, "/")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=auth.SESSION_DAYS * 86400,
    )
    remember_signed_in_device(response, request, user.username)
    return response


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, session: SessionDep) -> Response:
    if token := request.cookies.get(SESSION_COOKIE):
        auth.end_session(session=session, token=token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
