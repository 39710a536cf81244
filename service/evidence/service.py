"""Attaching evidence to a complaint, and reading it back: the worker sees their own labels,
the case's handlers (mediation.service.readable) the files; nobody else anything.

An employer's actor reads through the same `readable` scope, which gives it no complaint at
all, so no employer-facing page or API can reach a file even by its id.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event, func, select
from sqlmodel import Session, col

from service.audit import service as audit
from service.auth.actors import Actor
from service.complaints.models import Complaint, ComplaintEvent
from service.deposits.proofs import FileRefused, label
from service.errors import NotFound
from service.evidence import storage
from service.evidence.cleaning import clean_evidence
from service.evidence.models import ComplaintEvidence
from service.mediation.service import readable

EVENT_KIND = "evidence"  # the timeline says that evidence came, never what it shows


@dataclass(frozen=True)
class EvidenceItem:
    """One file as a handler's list shows it."""

    id: int
    number: int  # its place in the case's list (1, 2 …): what its URL carries
    original_name: str
    content_type: str
    size_bytes: int
    removed_metadata: list[str]
    uploaded_at: object


def count_for(session: Session, complaint_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(col(ComplaintEvidence.complaint_id) == complaint_id)
        )
        or 0
    )


def attach(
    session: Session,
    *,
    complaint_id: int,
    file_name: str | None,
    stream: BinaryIO,
    upload_dir: Path,
    max_files: int,
) -> ComplaintEvidence:
    """Check and clean the file, then store only the cleaned one; FileRefused(code) when it
    is not acceptable or the case already holds `max_files`."""
    if count_for(session, complaint_id) >= max_files:
        raise FileRefused("too_many_files")
    cleaned = clean_evidence(stream)
    stored_name = storage.store(upload_dir, cleaned.file)
    _remove_file_unless_committed(session, upload_dir, stored_name)
    evidence = ComplaintEvidence(
        complaint_id=complaint_id,
        original_name=label(file_name),
        stored_name=stored_name,
        content_type=cleaned.file.content_type,
        size_bytes=cleaned.file.size_bytes,
        sha256=cleaned.file.sha256,
        removed_metadata=sorted(cleaned.removed),
    )
    session.add(evidence)
    session.add(ComplaintEvent(complaint_id=complaint_id, kind=EVENT_KIND))
    session.flush()
    return evidence


def _remove_file_unless_committed(session: Session, upload_dir: Path, stored_name: str) -> None:
    """A refused or failed upload leaves no file behind (as deposits.service does)."""
    outcome = {"committed": False}

    def committed(_session: Session) -> None:
        outcome["committed"] = True

    def rolled_back(_session: Session, _previous: object) -> None:
        if not outcome["committed"]:
            storage.remove(upload_dir, stored_name)

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_soft_rollback", rolled_back, once=True)


def labels_for_worker(session: Session, complaint_id: int) -> list[str]:
    """The names the worker gave, oldest first: the worker's page shows nothing more."""
    return list(
        session.scalars(
            select(col(ComplaintEvidence.original_name))
            .where(col(ComplaintEvidence.complaint_id) == complaint_id)
            .order_by(col(ComplaintEvidence.id))
        )
    )


def readable_items(session: Session, actor: Actor, complaint_id: int) -> list[EvidenceItem]:
    """The case's files for its handlers; empty for anyone outside the case's scope."""
    rows = session.scalars(
        select(ComplaintEvidence)
        .join(Complaint, col(Complaint.id) == col(ComplaintEvidence.complaint_id))
        .where(col(ComplaintEvidence.complaint_id) == complaint_id, readable(actor))
        .order_by(col(ComplaintEvidence.id))
    ).all()
    return [
        EvidenceItem(
            id=row.id or 0,
            number=number,
            original_name=row.original_name,
            content_type=row.content_type,
            size_bytes=row.size_bytes,
            removed_metadata=list(row.removed_metadata),
            uploaded_at=row.uploaded_at,
        )
        for number, row in enumerate(rows, start=1)
    ]


def file_for(
    session: Session, actor: Actor, *, complaint_id: int, number: int, upload_dir: Path
) -> tuple[Path, str, str]:
    """(path, content type, download name) of the case's `number`-th file (1, 2 … as
    `readable_items` lists them: URLs carry no global, countable id), for a handler of its
    case; NotFound otherwise. Each view is written to the audit log."""
    found = session.execute(
        select(ComplaintEvidence, col(Complaint.public_reference))
        .join(Complaint, col(Complaint.id) == col(ComplaintEvidence.complaint_id))
        .where(col(ComplaintEvidence.complaint_id) == complaint_id, readable(actor))
        .order_by(col(ComplaintEvidence.id))
        .offset(number - 1)
        .limit(1)
    ).first()
    if found is None:
        raise NotFound("no such evidence", message="onelang.error.no_evidence")
    evidence, reference = found
    if evidence is None:
        raise NotFound("no such evidence", message="onelang.error.no_evidence")
    path = storage.path_of(upload_dir, evidence.stored_name)
    if not path.is_file():
        raise NotFound("the file of this evidence is missing", message="onelang.error.file_missing")
    audit.record(
        session, actor, "view", "complaint_evidence", str(evidence.id),
        after={"complaint_id": complaint_id, "sha256": evidence.sha256},
    )  # fmt: skip
    return path, evidence.content_type, f"evidence-{reference}-{number}{path.suffix}"
