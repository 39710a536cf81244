"""A deposit proof as posted: read, checked and served the same way by the employer's page
(service/portals/employer.py) and its API twin (service/api/deposits.py)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, File, Form, UploadFile
from fastapi.responses import FileResponse
from sqlmodel import Session

from service.auth.actors import Actor
from service.bounds import FormText
from service.deposits import proofs
from service.deposits import service as deposits
from service.deposits.schemas import ProofPublic


@dataclass(frozen=True)
class PostedProof:
    form: deposits.ProofForm
    file: UploadFile | None


def posted_proof(
    kind: Annotated[FormText, Form()] = "",
    amount: Annotated[FormText, Form()] = "",
    event_date: Annotated[FormText, Form()] = "",
    reference: Annotated[FormText, Form()] = "",
    expiry_date: Annotated[FormText, Form()] = "",
    project_code: Annotated[FormText, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> PostedProof:
    form = deposits.ProofForm(kind, amount, event_date, reference, expiry_date, project_code)
    return PostedProof(form, file)


PostedProofDep = Annotated[PostedProof, Depends(posted_proof)]


def submit(*, session: Session, actor: Actor, posted: PostedProof, upload_dir: Path) -> ProofPublic:
    """Check every field and the file, then store them (raises deposits.FieldErrors)."""
    file = posted.file
    return deposits.submit_proof(
        session=session,
        actor=actor,
        form=posted.form,
        file_name=file.filename if file else None,
        stream=file.file if file else None,
        upload_dir=upload_dir,
    )


def download(*, session: Session, actor: Actor, proof_id: int, upload_dir: Path) -> FileResponse:
    """The proof's file, when the actor may read the proof."""
    found = deposits.proof_file(
        session=session, actor=actor, proof_id=proof_id, upload_dir=upload_dir
    )
    return proofs.file_response(*found)
