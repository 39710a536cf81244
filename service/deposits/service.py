"""Deposit proofs: an employer files a bank receipt or guarantee letter, an inspector of its
jurisdiction approves or rejects it. Only an approval writes a deposit event, so only approved
proofs count in the monitors.

Every query an employer or inspector can reach goes through `readable(actor)`.
"""

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Select, event, select, update
from sqlmodel import Session, col

from service import clock, data_version, money
from service.audit import service as audit
from service.auth.actors import Actor
from service.deposits import proofs
from service.deposits.models import PROOF_KINDS, DepositEvent, DepositProof
from service.deposits.schemas import ProofPublic
from service.employers import service as employers
from service.employers.models import Employer
from service.errors import Conflict, Invalid, NotFound
from service.projects.models import Project
from service.stored import stored_id

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
REFERENCE_MAX_CHARS = 100
REASON_MAX_CHARS = 1000
# The ledger event an approved proof becomes (data contract §1, deposit_events).
EVENT_OF_KIND = {"receipt": "deposit", "guarantee": "guarantee"}
# field -> the catalogue key of its message when it is wrong
FIELD_MESSAGES = {
    "kind": "proofs.error.kind",
    "amount": "proofs.error.amount",
    "event_date": "proofs.error.date",
    "reference": "proofs.error.reference",
    "project_code": "proofs.error.project",
}


class FieldErrors(Invalid):
    """Problems with named form fields; each value is a catalogue key."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__([{"field": name, "code": key} for name, key in fields.items()])
        self.fields = fields


@dataclass
class ProofForm:
    """What the employer typed, as text: checked by `submit_proof`."""

    kind: str = ""
    amount: str = ""
    event_date: str = ""
    reference: str = ""
    expiry_date: str = ""
    project_code: str = ""


# --- who may see which proofs -----------------------------------------------------------------


# Quoted: SQLAlchemy 2.0 (allowed by pyproject) does not take three parameters on Select.
def readable(actor: Actor) -> "Select[DepositProof, Employer, str]":
    """Proofs (with their employer and project code) this actor may see: an employer its
    own, an inspector those of employers in its jurisdiction, an administrator all."""
    query = (
        select(DepositProof, Employer, col(Project.project_code))
        .join(Employer, col(Employer.id) == col(DepositProof.employer_id))
        .outerjoin(Project, col(Project.id) == col(DepositProof.project_id))
    )
    return query.where(employers.readable(actor))


def _public(proof: DepositProof, employer: Employer, project_code: str | None) -> ProofPublic:
    return ProofPublic(
        **proof.model_dump(exclude={"stored_name", "submitted_by_id", "reviewed_by_id"}),
        employer_uscc=employer.uscc,
        employer_name=employer.name,
        project_code=project_code,
    )


def list_proofs(*, session: Session, actor: Actor, status: str | None = None) -> list[ProofPublic]:
    """Readable proofs, oldest first (a review queue is worked in order of arrival)."""
    query = readable(actor).order_by(col(DepositProof.submitted_at), col(DepositProof.id))
    if status is not None:
        query = query.where(col(DepositProof.status) == status)
    return [_public(*row) for row in session.execute(query).all()]


def _get(
    session: Session, actor: Actor, proof_id: int
) -> tuple[DepositProof, Employer, str | None]:
    row = session.execute(readable(actor).where(col(DepositProof.id) == proof_id)).first()
    if row is None:
        # also for a proof outside the actor's scope: ids must not leak
        raise NotFound("no such deposit proof", message="onelang.error.no_proof")
    return tuple(row)


def get_proof(*, session: Session, actor: Actor, proof_id: int) -> ProofPublic:
    return _public(*_get(session, actor, proof_id))


def proof_file(
    *, session: Session, actor: Actor, proof_id: int, upload_dir: Path
) -> tuple[Path, str, str]:
    """(path, content type, download name) of a readable proof's file."""
    proof, _, _ = _get(session, actor, proof_id)
    path = proofs.path_of(upload_dir, proof.stored_name)
    if not path.is_file():
        raise NotFound("the file of this proof is missing", message="onelang.error.file_missing")
    return path, proof.content_type, f"proof-{proof.id}{path.suffix}"


# --- filing a proof ---------------------------------------------------------------------------


def _parse_date(text: str) -> date | None:
    text = text.strip()
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _parse_fen(text: str) -> int | None:
    fen = money.parse_fen(text)
    return fen if fen else None  # a proof of ¥0 proves nothing


def _own_project_id(session: Session, employer_id: int, code: str) -> int | None:
    """The project's id when this employer is its general contractor (who holds the deposit)."""
    return session.scalar(
        select(col(Project.id)).where(
            col(Project.project_code) == code, col(Project.contractor_id) == employer_id
        )
    )


@dataclass
class _Checked:
    kind: str
    amount_fen: int
    event_date: date
    reference: str
    expiry_date: date | None
    project_id: int | None


def _expiry_problem(event_date: date | None, expiry_date: date | None) -> str | None:
    """A guarantee letter is valid until its expiry date, which must follow its date."""
    if expiry_date is None:
        return "proofs.error.expiry_required"
    if event_date is not None and expiry_date <= event_date:
        return "proofs.error.expiry_after"
    return None


def _check_form(
    session: Session, employer_id: int, form: ProofForm
) -> tuple[_Checked | None, dict[str, str]]:
    """The typed values, or the problems (field -> catalogue key)."""
    kind, reference = form.kind.strip(), form.reference.strip()
    amount_fen, event_date = _parse_fen(form.amount), _parse_date(form.event_date)
    expiry_date = _parse_date(form.expiry_date) if kind == "guarantee" else None
    code = form.project_code.strip()
    project_id = _own_project_id(session, employer_id, code) if code else None
    wrong = {
        "kind": kind not in PROOF_KINDS,
        "amount": amount_fen is None,
        "event_date": event_date is None,
        "reference": not reference or len(reference) > REFERENCE_MAX_CHARS,
        "project_code": bool(code) and project_id is None,
    }
    errors = {field: FIELD_MESSAGES[field] for field, bad in wrong.items() if bad}
    if kind == "guarantee" and (expiry := _expiry_problem(event_date, expiry_date)):
        errors["expiry_date"] = expiry
    if errors or amount_fen is None or event_date is None:
        return None, errors
    return _Checked(kind, amount_fen, event_date, reference, expiry_date, project_id), {}


def _remove_file_unless_committed(session: Session, upload_dir: Path, stored_name: str) -> None:
    """The file is written before the transaction ends: if it rolls back, the file goes too,
    so a refused or failed submission leaves nothing behind."""
    outcome = {"committed": False}

    def committed(_session: Session) -> None:
        outcome["committed"] = True

    def rolled_back(_session: Session, _previous: object) -> None:
        if not outcome["committed"]:
            proofs.remove(upload_dir, stored_name)

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_soft_rollback", rolled_back, once=True)


def _check_upload(
    file_name: str | None, stream: BinaryIO | None
) -> tuple[proofs.CheckedFile | None, str | None]:
    """The checked file, or the catalogue key of what is wrong with it."""
    if stream is None or not file_name:
        return None, "proofs.error.file_missing"
    try:
        return proofs.check_file(stream), None
    except proofs.FileRefused as refused:
        return None, f"proofs.error.{refused.code}"


def submit_proof(
    *,
    session: Session,
    actor: Actor,
    form: ProofForm,
    file_name: str | None,
    stream: BinaryIO | None,
    upload_dir: Path,
) -> ProofPublic:
    """Check every field and the file, then store the file and a pending proof."""
    employer_id = actor.employer_id
    if employer_id is None:
        raise NotFound("no employer")
    assert actor.user_id is not None  # an employer is a signed-in user
    checked, errors = _check_form(session, employer_id, form)
    checked_file, file_problem = _check_upload(file_name, stream)
    if file_problem:
        errors["file"] = file_problem
    if errors or checked is None or checked_file is None:
        raise FieldErrors(errors)
    # Only now, with every check passed, does anything reach the disk.
    stored_name = proofs.store(upload_dir, checked_file)
    _remove_file_unless_committed(session, upload_dir, stored_name)
    proof = DepositProof(
        employer_id=employer_id,
        project_id=checked.project_id,
        kind=checked.kind,
        amount_fen=checked.amount_fen,
        event_date=checked.event_date,
        reference=checked.reference,
        expiry_date=checked.expiry_date,
        original_name=proofs.label(file_name),
        stored_name=stored_name,
        content_type=checked_file.content_type,
        size_bytes=checked_file.size_bytes,
        sha256=checked_file.sha256,
        submitted_by_id=actor.user_id,
    )
    session.add(proof)
    session.flush()
    assert proof.id is not None  # the flush gave it its id
    audit.record(
        session,
        actor,
        "deposit_proof.submit",
        "deposit_proof",
        str(proof.id),
        employer_id=employer_id,
        after=_audited(proof),
    )
    return get_proof(session=session, actor=actor, proof_id=stored_id(proof))


def _audited(proof: DepositProof) -> dict[str, Any]:
    return proof.model_dump(
        mode="json",
        include={
            "kind", "amount_fen", "event_date", "reference", "expiry_date", "project_id",
            "original_name", "content_type", "size_bytes", "sha256", "status",
        },
    )  # fmt: skip


# --- the review -------------------------------------------------------------------------------


def _claim(session: Session, actor: Actor, proof: DepositProof, **decision: object) -> None:
    """Decide a pending proof. The update only matches while it is still pending, so of two
    inspectors deciding at once exactly one wins; the other gets a conflict."""
    if proof.status != "pending":
        raise Conflict("this proof has already been decided", message="onelang.error.proof_decided")
    claimed = session.execute(
        update(DepositProof)
        .where(col(DepositProof.id) == proof.id, col(DepositProof.status) == "pending")
        .values(reviewed_by_id=actor.user_id, reviewed_at=clock.utc_now(), **decision)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
        raise Conflict("this proof has already been decided", message="onelang.error.proof_decided")
    session.refresh(proof)


def _ledger_event(proof: DepositProof) -> DepositEvent:
    return DepositEvent(
        employer_id=proof.employer_id,
        project_id=proof.project_id,
        event=EVENT_OF_KIND[proof.kind],
        event_date=proof.event_date,
        amount_fen=proof.amount_fen,
        reference=proof.reference,
        expiry_date=proof.expiry_date if proof.kind == "guarantee" else None,
    )


def _already_in_ledger(session: Session, entry: DepositEvent) -> bool:
    """The ledger's key (employer, project, event, date, reference) is unique."""
    return (
        session.scalar(
            select(col(DepositEvent.id)).where(
                col(DepositEvent.employer_id) == entry.employer_id,
                col(DepositEvent.project_id).is_(None)
                if entry.project_id is None
                else col(DepositEvent.project_id) == entry.project_id,
                col(DepositEvent.event) == entry.event,
                col(DepositEvent.event_date) == entry.event_date,
                col(DepositEvent.reference) == entry.reference,
            )
        )
        is not None
    )


def approve_proof(*, session: Session, actor: Actor, proof_id: int) -> ProofPublic:
    """Approve: the proof becomes a deposit event in the same transaction, and the next
    monitors run sees the changed data."""
    proof, _, _ = _get(session, actor, proof_id)
    _claim(session, actor, proof, status="approved")
    entry = _ledger_event(proof)
    if _already_in_ledger(session, entry):
        raise Conflict("the ledger already holds this deposit (same date and reference)")
    session.add(entry)
    session.flush()
    proof.deposit_event_id = entry.id
    session.add(proof)
    session.flush()
    changed = data_version.Changed.of([entry.employer_id], [entry.project_id])
    data_version.bump(session.connection(), changed)
    audit.record(
        session,
        actor,
        "deposit_proof.approve",
        "deposit_proof",
        str(proof.id),
        employer_id=proof.employer_id,
        before={"status": "pending"},
        after={"status": "approved", "deposit_event_id": entry.id, "event": entry.event},
    )
    return get_proof(session=session, actor=actor, proof_id=stored_id(proof))


def reject_proof(*, session: Session, actor: Actor, proof_id: int, reason: str) -> ProofPublic:
    """Reject with a reason the employer will read; nothing reaches the ledger."""
    proof, _, _ = _get(session, actor, proof_id)
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX_CHARS:
        raise FieldErrors({"reason": "proofs.error.reason"})
    _claim(session, actor, proof, status="rejected", reason=reason)
    audit.record(
        session,
        actor,
        "deposit_proof.reject",
        "deposit_proof",
        str(proof.id),
        employer_id=proof.employer_id,
        before={"status": "pending"},
        after={"status": "rejected", "reason": reason},
    )
    return get_proof(session=session, actor=actor, proof_id=stored_id(proof))
