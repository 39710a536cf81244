"""The app's routes as the meta-tests walk them (permissions, forms, the shield's crawl)."""

from collections.abc import Iterable, Iterator

from starlette.routing import BaseRoute


def every_route(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, those of the included routers too (`app.routes` lists an included router
    as one entry that holds its own)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from every_route(route.original_router.routes)
        else:
            yield route
