"""JSON API for deposits: the twins of the employer's pages (obligations, proof upload, data
import) and of the inspectors' proof review queue, with the same permission checks."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel

from service.auth.actors import Actor
from service.deposits import obligations as employer_obligations
from service.deposits import proofs
from service.deposits import service as deposits
from service.deposits.schemas import ImportProblemPublic, ImportResult, Obligations, ProofPublic
from service.deps import EmployerDep, InspectorDep, SessionDep, SettingsDep, require_role
from service.errors import Invalid
from service.i18n import language_of, translate
from service.imports.service import ImportReport
from service.imports.uploads import problem_rows

router = APIRouter(prefix="/api", tags=["deposits"])

# The proof file goes to its employer and to the inspectors who review it.
ProofReaderDep = Annotated[Actor, Depends(require_role("employer", "inspector", "admin"))]
# A bad upload can report one problem per row; an API answer lists at most this many.
MAX_LISTED_PROBLEMS = 10_000


class RejectRequest(BaseModel):
    reason: str = ""


def language(request: Request, actor: Actor) -> str:
    return language_of(request, actor.locale)


def with_messages(error: deposits.FieldErrors, lang: str) -> Invalid:
    """The field problems with their message in the caller's language."""
    return Invalid(
        [
            {"field": field, "code": key, "message": translate(lang, key)}
            for field, key in error.fields.items()
        ]
    )


def import_result(report: ImportReport, lang: str, limit: int) -> ImportResult:
    """The importer's report in the caller's language (identity numbers masked)."""
    return ImportResult(
        ok=report.ok,
        summaries=[vars(summary) for summary in report.summaries],
        problems=[ImportProblemPublic(**row) for row in problem_rows(report, lang, limit)],
        problem_count=len(report.problems),
    )


@router.get("/employer/obligations", response_model=Obligations)
def get_obligations(
    request: Request, session: SessionDep, actor: EmployerDep, settings: SettingsDep
) -> Obligations:
    """The signed-in employer's deposits, uncovered workers, open alerts and proofs."""
    return employer_obligations.obligations(
        session=session,
        actor=actor,
        reference=employer_obligations.reference_for(settings.data_dir),
        language=language(request, actor),
    )


@router.post("/employer/proofs", response_model=ProofPublic, status_code=201)
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
) -> ProofPublic:
    """File a deposit proof (bank receipt or guarantee letter: PDF, JPEG or PNG, ≤ 10 MB)."""
    form = deposits.ProofForm(kind, amount, event_date, reference, expiry_date, project_code)
    try:
        return deposits.submit_proof(
            session=session,
            actor=actor,
            form=form,
            file_name=file.filename if file else None,
            stream=file.file if file else None,
            upload_dir=settings.upload_dir,
        )
    except deposits.FieldErrors as error:
        raise with_messages(error, language(request, actor)) from None


@router.post("/employer/imports", response_model=ImportResult)
def import_files(
    request: Request,
    session: SessionDep,
    actor: EmployerDep,
    settings: SettingsDep,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> ImportResult:
    """Import the employer's own workers, contracts, payroll and insurance files."""
    report = employer_obligations.import_own_files(
        engine=request.app.state.engine,
        session=session,
        actor=actor,
        data_dir=settings.data_dir,
        files=files or [],
    )
    result = import_result(report, language(request, actor), MAX_LISTED_PROBLEMS)
    if not report.ok:
        raise Invalid(result.model_dump())
    return result


@router.get("/proofs", response_model=list[ProofPublic])
def list_proofs(
    session: SessionDep,
    actor: InspectorDep,
    status: Literal["pending", "approved", "rejected"] | None = None,
) -> list[ProofPublic]:
    """Deposit proofs of employers in the caller's jurisdiction, oldest first."""
    return deposits.list_proofs(session=session, actor=actor, status=status)


@router.get("/proofs/{proof_id}", response_model=ProofPublic)
def get_proof(proof_id: int, session: SessionDep, actor: InspectorDep) -> ProofPublic:
    """One deposit proof of an employer in the caller's jurisdiction."""
    return deposits.get_proof(session=session, actor=actor, proof_id=proof_id)


@router.get("/proofs/{proof_id}/file", response_class=FileResponse)
def get_proof_file(
    proof_id: int, session: SessionDep, actor: ProofReaderDep, settings: SettingsDep
) -> FileResponse:
    """The proof's file, for its employer and the inspectors of its jurisdiction."""
    found = deposits.proof_file(
        session=session, actor=actor, proof_id=proof_id, upload_dir=settings.upload_dir
    )
    return proofs.file_response(*found)


@router.post("/proofs/{proof_id}/approve", response_model=ProofPublic)
def approve_proof(proof_id: int, session: SessionDep, actor: InspectorDep) -> ProofPublic:
    """Approve a pending proof: it becomes a deposit event the monitors count."""
    return deposits.approve_proof(session=session, actor=actor, proof_id=proof_id)


@router.post("/proofs/{proof_id}/reject", response_model=ProofPublic)
def reject_proof(
    proof_id: int, body: RejectRequest, request: Request, session: SessionDep, actor: InspectorDep
) -> ProofPublic:
    """Reject a pending proof with a reason the employer will read."""
    try:
        return deposits.reject_proof(
            session=session, actor=actor, proof_id=proof_id, reason=body.reason
        )
    except deposits.FieldErrors as error:
        raise with_messages(error, language(request, actor)) from None
