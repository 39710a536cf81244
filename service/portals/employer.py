"""The employer portal: server-rendered pages (templates/employer/).

Same service functions and permission checks as the API twins in service/api/deposits.py.
A refused form comes back at 422 with the entered values and a message at each field.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response

from service import clock
from service.auth.actors import Actor
from service.bounds import FORM_TEXT_MAX_CHARS, RecordId
from service.csrf import refills, verify_csrf
from service.deposits import posted
from service.deposits import service as deposits
from service.deposits.models import PROOF_KINDS
from service.deposits.posted import PostedProofDep
from service.deposits.proofs import MAX_PROOF_BYTES
from service.deposits.service import ProofForm
from service.deps import EmployerDep, ReferenceDep, SessionDep, SettingsDep
from service.employers import service as employers
from service.errors import TooManyRequests
from service.flows import check_again, employer_obligations
from service.i18n import language_of, translate
from service.imports import jobs
from service.imports.runner import wake_after_response
from service.imports.service import ImportReport
from service.imports.spec import EMPLOYER_FILES
from service.imports.uploads import Upload
from service.posters import service as posters
from service.posters.download import poster_download
from service.web import render

router = APIRouter(prefix="/employer", include_in_schema=False)
# A page shows this many problem rows of a bad import, and says how many there are in all.
MAX_SHOWN_PROBLEMS = 1000
JOB_PAGE_REFRESH_SECONDS = 2
PROOF_FIELDS = ("kind", "amount", "event_date", "reference", "expiry_date", "project_code")


@router.get("")
def obligations_page(
    request: Request,
    session: SessionDep,
    actor: EmployerDep,
    reference: ReferenceDep,
    submitted: RecordId | None = None,
    checked: RecordId | None = None,
    busy: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The obligations; after "check again", what the check changed (`checked`, the run) or
    that another run was in progress (`busy`)."""
    view = employer_obligations.obligations(
        session=session,
        actor=actor,
        reference=reference,
        language=language_of(request, actor.locale),
    )
    context = {
        "view": view,
        "submitted": submitted,
        "projects": employer_obligations.own_projects(session=session, actor=actor),
        "board_basis": posters.board_basis(reference, language_of(request, actor.locale)),
        "check": _own_check(session, actor, checked),
        "check_busy": bool(busy),
    }
    return render(request, "employer/obligations.html", context)


def _own_check(
    session: SessionDep, actor: Actor, run_id: int | None
) -> check_again.CheckResult | None:
    if run_id is None or actor.employer_id is None:
        return None
    return check_again.checked(session=session, employer_id=actor.employer_id, run_id=run_id)


@router.post("/check-again", dependencies=[Depends(verify_csrf)])
def check_again_form(
    request: Request, session: SessionDep, actor: EmployerDep, reference: ReferenceDep
) -> Response:
    """Check the employer's own records again now (once a minute at most)."""
    language = language_of(request, actor.locale)
    try:
        result = check_again.check_again(
            session=session,
            actor=actor,
            engine=request.app.state.engine,
            reference=reference,
            employer_id=check_again.own_employer_id(session, actor),
            as_of=clock.today(),
        )
    except check_again.CheckLimited as error:
        raise TooManyRequests(translate(language, error.message)) from error
    except check_again.CheckBusy:
        return RedirectResponse("/employer?busy=1#check-again", status_code=303)
    return RedirectResponse(f"/employer?checked={result.run_id}#check-again", status_code=303)


@router.get("/poster.pdf")
def poster(
    session: SessionDep,
    actor: EmployerDep,
    reference: ReferenceDep,
    settings: SettingsDep,
    size: Annotated[posters.PaperSize, Query()] = "A4",
    project: Annotated[RecordId | None, Query()] = None,
) -> Response:
    """The employer's own rights poster, or one of its own sites' (Decree 724 Art. 34)."""
    subject = posters.for_employer(session=session, actor=actor, project_id=project)
    return poster_download(
        session=session,
        actor=actor,
        subject=subject,
        reference=reference,
        settings=settings,
        size=size,
    )


def _proof_form_page(
    request: Request,
    session: SessionDep,
    actor: EmployerDep,
    form: ProofForm,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "form": form,
        "errors": errors,
        "kinds": PROOF_KINDS,
        "projects": employer_obligations.own_projects(session=session, actor=actor),
        "max_mb": MAX_PROOF_BYTES // 2**20,
    }
    return render(request, "employer/proofs/new.html", context, status_code=status_code)


@router.get("/proofs/new")
def new_proof_page(request: Request, session: SessionDep, actor: EmployerDep) -> Response:
    return _proof_form_page(request, session, actor, ProofForm(kind="receipt"), {})


@refills("/employer/proofs/new")
def proof_form_refilled(
    request: Request, session: SessionDep, actor: Actor, values: dict[str, str]
) -> Response | None:
    """The proof form again after its page expired: the fields as typed (the file is chosen
    again: a browser never lets a page fill a file field)."""
    if actor.role != "employer":
        return None
    typed = {name: values.get(name, "")[:FORM_TEXT_MAX_CHARS] for name in PROOF_FIELDS}
    return _proof_form_page(request, session, actor, ProofForm(**typed), {}, status_code=403)


@refills("/employer/imports")
def imports_refilled(
    request: Request, session: SessionDep, actor: Actor, _values: dict[str, str]
) -> Response | None:
    """The import form again after its page expired: the files are chosen again."""
    if actor.role != "employer":
        return None
    return _imports_page(request, session, actor, request.app.state.settings)


@router.post("/proofs/new", dependencies=[Depends(verify_csrf)])
def submit_proof(
    request: Request,
    session: SessionDep,
    actor: EmployerDep,
    settings: SettingsDep,
    proof: PostedProofDep,
) -> Response:
    try:
        stored = posted.submit(
            session=session, actor=actor, posted=proof, upload_dir=settings.upload_dir
        )
    except deposits.FieldErrors as error:
        return _proof_form_page(request, session, actor, proof.form, error.fields, status_code=422)
    return RedirectResponse(f"/employer?submitted={stored.id}#proofs", status_code=303)


@router.get("/proofs/{proof_id}/file", response_class=FileResponse)
def proof_file(
    proof_id: RecordId, session: SessionDep, actor: EmployerDep, settings: SettingsDep
) -> FileResponse:
    return posted.download(
        session=session, actor=actor, proof_id=proof_id, upload_dir=settings.upload_dir
    )


def _imports_page(
    request: Request,
    session: SessionDep,
    actor: EmployerDep,
    settings: SettingsDep,
    refused: ImportReport | None = None,
) -> Response:
    result = jobs.report_json(refused) if refused is not None else None
    language = language_of(request, actor.locale)
    context = {
        "files": EMPLOYER_FILES,
        "result": result,
        "problems": jobs.problems_in(result, language, MAX_SHOWN_PROBLEMS) if result else [],
        "jobs": jobs.recent_jobs(session=session, actor=actor, zone=settings.time_zone),
    }
    status_code = 422 if refused is not None else 200
    return render(request, "employer/imports.html", context, status_code=status_code)


@router.get("/imports")
def imports_page(
    request: Request, session: SessionDep, actor: EmployerDep, settings: SettingsDep
) -> Response:
    return _imports_page(request, session, actor, settings)


@router.post("/imports", dependencies=[Depends(verify_csrf)])
def import_files(
    request: Request,
    session: SessionDep,
    actor: EmployerDep,
    settings: SettingsDep,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Store the files and queue their import; the progress page follows it."""
    try:
        job = jobs.submit(
            session=session,
            actor=actor,
            employer=employers.own_employer(session, actor),
            uploads=[Upload(f.filename, f.file) for f in files or []],
            upload_dir=settings.upload_dir,
        )
    except jobs.UploadRefused as refused:
        return _imports_page(request, session, actor, settings, refused.report)
    return RedirectResponse(
        f"/employer/imports/jobs/{job.key}",
        status_code=303,
        background=wake_after_response(request),
    )


@router.get("/imports/jobs/{job_key}")
def import_job_page(
    request: Request,
    job_key: Annotated[str, Path(max_length=64)],
    session: SessionDep,
    actor: EmployerDep,
    settings: SettingsDep,
) -> Response:
    """The import's progress (refreshing itself), then its row-level report."""
    job = jobs.job_view(
        jobs.readable_job(session=session, actor=actor, key=job_key), zone=settings.time_zone
    )
    language = language_of(request, actor.locale)
    report = job.report if job.finished else None
    context = {
        "job": job,
        "result": report,
        "problems": jobs.problems_in(report, language, MAX_SHOWN_PROBLEMS) if report else [],
        "refresh_seconds": JOB_PAGE_REFRESH_SECONDS,
    }
    return render(request, "employer/import_job.html", context)
