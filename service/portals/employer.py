"""The employer portal: server-rendered pages (templates/employer/).

Same service functions and permission checks as the API twins in service/deposits/api.py.
A refused form comes back at 422 with the entered values and a message at each field.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response

from service.csrf import verify_csrf
from service.deposits import obligations as employer_obligations
from service.deposits import proofs
from service.deposits import service as deposits
from service.deposits.models import PROOF_KINDS
from service.deposits.proofs import MAX_PROOF_BYTES
from service.deposits.service import ProofForm
from service.deps import EmployerDep, SessionDep, SettingsDep
from service.i18n import language_of
from service.imports.spec import EMPLOYER_FILES
from service.imports.uploads import problem_rows
from service.web import render

router = APIRouter(prefix="/employer", include_in_schema=False)
# A page shows this many problem rows of a bad import, and says how many there are in all.
MAX_SHOWN_PROBLEMS = 1000


@router.get("")
def obligations_page(
    request: Request,
    session: SessionDep,
    actor: EmployerDep,
    settings: SettingsDep,
    submitted: int | None = None,
) -> Response:
    view = employer_obligations.obligations(
        session=session,
        actor=actor,
        reference=employer_obligations.reference_for(settings.data_dir),
        language=language_of(request, actor.locale),
    )
    return render(request, "employer/obligations.html", {"view": view, "submitted": submitted})


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


@router.post("/proofs/new", dependencies=[Depends(verify_csrf)])
def submit_proof(
    request: Request,
    session: SessionDep,
    actor: EmployerDep,
    settings: SettingsDep,
    kind: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    event_date: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    expiry_date: Annotated[str, Form()] = "",
    project_code: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    form = ProofForm(kind, amount, event_date, reference, expiry_date, project_code)
    try:
        proof = deposits.submit_proof(
            session=session,
            actor=actor,
            form=form,
            file_name=file.filename if file else None,
            stream=file.file if file else None,
            upload_dir=settings.upload_dir,
        )
    except deposits.FieldErrors as error:
        return _proof_form_page(request, session, actor, form, error.fields, status_code=422)
    return RedirectResponse(f"/employer?submitted={proof.id}#proofs", status_code=303)


@router.get("/proofs/{proof_id}/file", response_class=FileResponse)
def proof_file(
    proof_id: int, session: SessionDep, actor: EmployerDep, settings: SettingsDep
) -> FileResponse:
    found = deposits.proof_file(
        session=session, actor=actor, proof_id=proof_id, upload_dir=settings.upload_dir
    )
    return proofs.file_response(*found)


@router.get("/imports")
def imports_page(request: Request, actor: EmployerDep) -> Response:
    return render(request, "employer/imports.html", {"files": EMPLOYER_FILES, "result": None})


@router.post("/imports", dependencies=[Depends(verify_csrf)])
def import_files(
    request: Request,
    session: SessionDep,
    actor: EmployerDep,
    settings: SettingsDep,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    report = employer_obligations.import_own_files(
        engine=request.app.state.engine,
        session=session,
        actor=actor,
        data_dir=settings.data_dir,
        files=files or [],
    )
    context = {
        "files": EMPLOYER_FILES,
        "result": report,
        "problems": problem_rows(report, language_of(request, actor.locale), MAX_SHOWN_PROBLEMS),
        "problem_count": len(report.problems),
    }
    return render(request, "employer/imports.html", context, status_code=200 if report.ok else 422)
