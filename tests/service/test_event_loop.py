"""No route blocks the event loop: database work runs on the thread pool.

FastAPI runs a plain `def` route (and a plain `def` dependency) on its thread pool, but an
`async def` one on the event loop itself, where a synchronous database session (or a hash)
stops every other request of the process until it returns. So no `async def` endpoint or
dependency may receive a session, directly or through a dependency it calls in its body.
"""

import ast
import inspect
import textwrap

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlmodel import Session

from service.app import create_app
from service.config import Settings
from service.deps import get_session
from tests.service.routes import every_route

# Blocking calls an `async def` route must not make itself (they belong on the thread pool).
BLOCKING_CALLS = {"hash_password", "verify_password", "session_scope", "commit", "execute"}


def _dependants(dependant: Dependant):
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _receives_a_session(dependant: Dependant) -> bool:
    if any(sub.call is get_session for sub in dependant.dependencies):
        return True
    hints = inspect.get_annotations(dependant.call, eval_str=True) if dependant.call else {}
    return any(hint is Session for hint in hints.values())


def _async_with_session(route: APIRoute) -> list[str]:
    return [
        f"{route.path} {sorted(route.methods)}: {d.call.__module__}.{d.call.__qualname__}"
        for d in _dependants(route.dependant)
        if d.call is not None and inspect.iscoroutinefunction(d.call) and _receives_a_session(d)
    ]


def _blocking_calls_in_async(route: APIRoute) -> list[str]:
    found = []
    for d in _dependants(route.dependant):
        if d.call is None or not inspect.iscoroutinefunction(d.call):
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(d.call)))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in BLOCKING_CALLS:
                    found.append(f"{route.path}: {d.call.__qualname__} calls {name}()")
    return found


def _routes() -> list[APIRoute]:
    app = create_app(Settings(database_url="sqlite://"))
    routes = [route for route in every_route(app.routes) if isinstance(route, APIRoute)]
    assert len(routes) > 50  # the walk reaches the routers' routes
    return routes


def test_no_async_route_or_dependency_receives_a_database_session():
    offenders = [found for route in _routes() for found in _async_with_session(route)]
    assert offenders == []


def test_no_async_route_or_dependency_makes_a_blocking_call():
    offenders = [found for route in _routes() for found in _blocking_calls_in_async(route)]
    assert offenders == []


def test_the_check_sees_an_async_route_with_a_session():
    """The meta-test itself: an `async def` route taking the session is caught."""
    from fastapi import FastAPI

    from service.deps import SessionDep

    app = FastAPI()

    @app.post("/blocking")
    async def blocking(session: SessionDep) -> None:
        session.commit()

    route = next(r for r in app.routes if isinstance(r, APIRoute) and r.path == "/blocking")
    assert _async_with_session(route) and _blocking_calls_in_async(route)
