"""The inspectors' review queue for deposit proofs (templates/inspector/proofs*.html).

Same service functions and permission checks as the API twins in service/api/deposits.py:
an inspector sees and decides only proofs of employers in its jurisdiction (others are 404).
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from service import clock
from service.bounds import FormText, RecordId
from service.csrf import verify_csrf
from service.deposits import posted, preview
from service.deposits import review as proof_review
from service.deposits import service as deposits
from service.deps import InspectorDep, SessionDep, SettingsDep, get_reference
from service.errors import NotFound
from service.flows import proofs as proof_decisions
from service.web import render

router = APIRouter(prefix="/inspector/proofs", include_in_schema=False)


@router.get("")
def queue_page(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    decided: RecordId | None = None,
    outcome: Literal["approved", "rejected"] | None = None,
) -> Response:
    pending = deposits.list_proofs(session=session, actor=actor, status="pending")
    context = {"proofs": pending, "decided": decided, "outcome": outcome}
    return render(request, "inspector/proofs.html", context)


def _proof_page(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,
    proof_id: int,
    errors: dict[str, str] | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    found = proof_review.review(
        session=session,
        actor=actor,
        proof_id=proof_id,
        reference=get_reference(request),
        as_of=clock.today(),
    )
    context = {"proof": found.proof, "review": found, "errors": errors or {}, "reason": reason}
    return render(request, "inspector/proofs_view.html", context, status_code=status_code)


@router.get("/{proof_id}")
def proof_page(
    request: Request, proof_id: RecordId, session: SessionDep, actor: InspectorDep
) -> Response:
    return _proof_page(request, session, actor, proof_id)


@router.get("/{proof_id}/file", response_class=FileResponse)
def proof_file(
    proof_id: RecordId, session: SessionDep, actor: InspectorDep, settings: SettingsDep
) -> FileResponse:
    return posted.download(
        session=session, actor=actor, proof_id=proof_id, upload_dir=settings.upload_dir
    )


@router.get("/{proof_id}/preview.png")
def proof_preview(
    proof_id: RecordId, session: SessionDep, actor: InspectorDep, settings: SettingsDep
) -> Response:
    """The proof drawn as a PNG for the review page (see service/deposits/preview.py for why
    not the PDF itself); a plain `def`: drawing runs on the thread pool."""
    path, content_type, _ = deposits.proof_file(
        session=session, actor=actor, proof_id=proof_id, upload_dir=settings.upload_dir
    )
    try:
        png = preview.preview_png(path, content_type)
    except preview.NoPreview as error:
        raise NotFound("this proof cannot be previewed") from error
    return Response(
        png,
        media_type="image/png",
        headers={"Cache-Control": "private, no-store", "Content-Disposition": "inline"},
    )


@router.post("/{proof_id}/approve", dependencies=[Depends(verify_csrf)])
def approve(proof_id: RecordId, session: SessionDep, actor: InspectorDep) -> Response:
    proof_decisions.approve_proof(session=session, actor=actor, proof_id=proof_id)
    return RedirectResponse(
        f"/inspector/proofs?decided={proof_id}&outcome=approved", status_code=303
    )


@router.post("/{proof_id}/reject", dependencies=[Depends(verify_csrf)])
def reject(
    request: Request,
    proof_id: RecordId,
    session: SessionDep,
    actor: InspectorDep,
    reason: Annotated[FormText, Form()] = "",
) -> Response:
    try:
        proof_decisions.reject_proof(session=session, actor=actor, proof_id=proof_id, reason=reason)
    except deposits.FieldErrors as error:
        return _proof_page(request, session, actor, proof_id, error.fields, reason, status_code=422)
    return RedirectResponse(
        f"/inspector/proofs?decided={proof_id}&outcome=rejected", status_code=303
    )
