"""One reference dependency: the lifespan loads the reference data, routes ask deps for it."""

from service.config import PROJECT_ROOT

LOADED_BY = {"service/app.py", "service/deps.py"}


def _sources() -> dict[str, str]:
    return {
        path.relative_to(PROJECT_ROOT).as_posix(): path.read_text(encoding="utf-8")
        for path in (PROJECT_ROOT / "service").rglob("*.py")
        if "migrations" not in path.parts
    }


def test_only_the_lifespan_and_the_dependency_touch_the_loaded_reference():
    touching = {path for path, text in _sources().items() if "state.reference" in text}
    assert touching == LOADED_BY


def test_routers_do_not_load_reference_data_themselves():
    routers = {
        path: text
        for path, text in _sources().items()
        if path.startswith("service/portals/") or path.endswith("/api.py")
    }
    assert [path for path, text in routers.items() if "load_reference" in text] == []
    defined = [path for path, text in _sources().items() if "ReferenceDep = " in text]
    assert defined == ["service/deps.py"]
