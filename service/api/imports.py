"""JSON API for employer imports: the twins of the upload form and of the progress page."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from service.auth.actors import Actor
from service.deps import EmployerDep, SessionDep, SettingsDep, require_role
from service.employers.service import own_employer
from service.errors import Invalid
from service.i18n import language_of
from service.imports import jobs
from service.imports.runner import wake_after_response
from service.imports.uploads import Upload

router = APIRouter(prefix="/api", tags=["imports"])
# The employer who uploaded, and the inspectors of its place, follow an import.
JobReaderDep = Annotated[Actor, Depends(require_role("employer", "inspector", "admin"))]


class FileSummaryPublic(BaseModel):
    file: str
    rows_read: int
    inserted: int
    updated: int


class ImportProblemPublic(BaseModel):
    file: str
    row: int
    column: str
    value: str
    reason: str


class ImportResult(BaseModel):
    ok: bool
    summaries: list[FileSummaryPublic]
    problems: list[ImportProblemPublic]
    problem_count: int


class ImportJobPublic(BaseModel):
    key: str
    status: str  # queued, running, done, refused, failed
    files: list[str]
    submitted: str
    current_file: str
    step: str  # reading, checking, writing
    rows_total: int
    rows_done: int
    percent: int
    elapsed_seconds: int
    status_url: str
    page_url: str
    result: ImportResult | None  # once finished: the row-level report


def job_public(view: jobs.JobView, language: str) -> ImportJobPublic:
    result = None
    if view.finished and view.report is not None:
        result = _result(view.report, language)
    return ImportJobPublic(
        key=view.key,
        status=view.status,
        files=view.files,
        submitted=view.submitted,
        current_file=view.current_file,
        step=view.step,
        rows_total=view.rows_total,
        rows_done=view.rows_done,
        percent=view.percent,
        elapsed_seconds=view.elapsed_seconds,
        status_url=f"/api/imports/jobs/{view.key}",
        page_url=f"/employer/imports/jobs/{view.key}",
        result=result,
    )


def _result(report: dict, language: str) -> ImportResult:
    return ImportResult(
        ok=report["ok"],
        summaries=report["summaries"],
        problems=jobs.problems_in(report, language, jobs.MAX_STORED_PROBLEMS),
        problem_count=report["problem_count"],
    )


@router.post("/employer/imports", status_code=202, response_model=ImportJobPublic)
def import_files(
    request: Request,
    session: SessionDep,
    actor: EmployerDep,
    settings: SettingsDep,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> JSONResponse:
    """Queue the import of the employer's own workers, contracts, payroll and insurance
    files; follow it at `status_url`. Files that cannot be stored are refused at once (422)."""
    language = language_of(request, actor.locale)
    try:
        job = jobs.submit(
            session=session,
            actor=actor,
            employer=own_employer(session, actor),
            uploads=[Upload(f.filename, f.file) for f in files or []],
            upload_dir=settings.upload_dir,
        )
    except jobs.UploadRefused as refused:
        raise Invalid(_result(jobs.report_json(refused.report), language).model_dump()) from None
    view = job_public(jobs.job_view(job, zone=settings.time_zone), language)
    return JSONResponse(
        view.model_dump(),
        status_code=202,
        headers={"Location": view.status_url},
        background=wake_after_response(request),
    )


@router.get("/imports/jobs/{job_key}", response_model=ImportJobPublic)
def import_job(
    request: Request,
    job_key: Annotated[str, Path(max_length=64)],
    session: SessionDep,
    actor: JobReaderDep,
    settings: SettingsDep,
) -> ImportJobPublic:
    """An import's status and progress; once finished, its row-level report."""
    job = jobs.readable_job(session=session, actor=actor, key=job_key)
    view = jobs.job_view(job, zone=settings.time_zone)
    return job_public(view, language_of(request, actor.locale))
