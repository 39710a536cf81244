"""The served app's import runner: started and stopped with the app, woken by uploads."""

from fastapi import FastAPI, Request
from sqlalchemy.engine import Engine
from starlette.background import BackgroundTask

from monitors.reference import Reference
from service.config import Settings
from service.imports.jobs import JobRunner


def start_import_runner(app: FastAPI, engine: Engine, reference: Reference, settings: Settings):
    runner = JobRunner(engine, reference, settings)
    runner.start()
    app.state.import_runner = runner
    return runner


def wake_after_response(request: Request) -> BackgroundTask:
    """A job was queued: once the request's transaction has committed (the response is
    sent), this process's runner looks at once; another process's finds it at its next poll."""
    runner: JobRunner | None = getattr(request.app.state, "import_runner", None)
    return BackgroundTask(runner.wake if runner is not None else _nothing)


def _nothing() -> None:
    pass
