"""JSON API for deposits: the twins of the employer's pages (obligations, proof upload) and
of the inspectors' proof review queue, with the same permission checks (the data import's
twin is in service/api/imports.py)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from service.auth.actors import Actor
from service.bounds import FormText, RecordId
from service.deposits import posted
from service.deposits import service as deposits
from service.deposits.posted import PostedProofDep
from service.deposits.schemas import Obligations, ProofPublic
from service.deps import (
    EmployerDep,
    InspectorDep,
    ReferenceDep,
    SessionDep,
    SettingsDep,
    require_role,
)
from service.errors import Invalid
from service.flows import employer_obligations
from service.flows import proofs as proof_decisions
from service.i18n import language_of, translate

router = APIRouter(prefix="/api", tags=["deposits"])

# The proof file goes to its employer and to the inspectors who review it.
ProofReaderDep = Annotated[Actor, Depends(require_role("employer", "inspector", "admin"))]


class RejectRequest(BaseModel):
    reason: FormText = ""


def language(request: Request, actor: Actor) -> str:
    return language_of(request, actor.locale)


@contextmanager
def field_errors_translated(request: Request, actor: Actor) -> Iterator[None]:
    """The field problems answered with their message in the caller's language."""
    try:
        yield
    except deposits.FieldErrors as error:
        lang = language(request, actor)
        raise Invalid(
            [
                {"field": field, "code": key, "message": translate(lang, key)}
                for field, key in error.fields.items()
            ]
        ) from None


@router.get("/employer/obligations", response_model=Obligations)
def get_obligations(
    request: Request, session: SessionDep, actor: EmployerDep, reference: ReferenceDep
) -> Obligations:
    """The signed-in employer's deposits, uncovered workers, open alerts and proofs."""
    return employer_obligations.obligations(
        session=session,
        actor=actor,
        reference=reference,
        language=language(request, actor),
    )


@router.post("/employer/proofs", response_model=ProofPublic, status_code=201)
def submit_proof(
    request: Request,
    session: SessionDep,
    actor: EmployerDep,
    settings: SettingsDep,
    proof: PostedProofDep,
) -> ProofPublic:
    """File a deposit proof (bank receipt or guarantee letter: PDF, JPEG or PNG, ≤ 10 MB)."""
    with field_errors_translated(request, actor):
        return posted.submit(
            session=session, actor=actor, posted=proof, upload_dir=settings.upload_dir
        )


@router.get("/proofs", response_model=list[ProofPublic])
def list_proofs(
    session: SessionDep,
    actor: InspectorDep,
    status: Literal["pending", "approved", "rejected"] | None = None,
) -> list[ProofPublic]:
    """Deposit proofs of employers in the caller's jurisdiction, oldest first."""
    return deposits.list_proofs(session=session, actor=actor, status=status)


@router.get("/proofs/{proof_id}", response_model=ProofPublic)
def get_proof(proof_id: RecordId, session: SessionDep, actor: InspectorDep) -> ProofPublic:
    """One deposit proof of an employer in the caller's jurisdiction."""
    return deposits.get_proof(session=session, actor=actor, proof_id=proof_id)


@router.get("/proofs/{proof_id}/file", response_class=FileResponse)
def get_proof_file(
    proof_id: RecordId, session: SessionDep, actor: ProofReaderDep, settings: SettingsDep
) -> FileResponse:
    """The proof's file, for its employer and the inspectors of its jurisdiction."""
    return posted.download(
        session=session, actor=actor, proof_id=proof_id, upload_dir=settings.upload_dir
    )


@router.post("/proofs/{proof_id}/approve", response_model=ProofPublic)
def approve_proof(proof_id: RecordId, session: SessionDep, actor: InspectorDep) -> ProofPublic:
    """Approve a pending proof: it becomes a deposit event the monitors count."""
    return proof_decisions.approve_proof(session=session, actor=actor, proof_id=proof_id)


@router.post("/proofs/{proof_id}/reject", response_model=ProofPublic)
def reject_proof(
    proof_id: RecordId,
    body: RejectRequest,
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
) -> ProofPublic:
    """Reject a pending proof with a reason the employer will read."""
    with field_errors_translated(request, actor):
        return proof_decisions.reject_proof(
            session=session, actor=actor, proof_id=proof_id, reason=body.reason
        )
