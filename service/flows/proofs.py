"""An inspector decides an employer's deposit proof: the decision and, for an approval, the
ledger's new deposit event (deposits), then the employer user who filed it is told
(notifications) in the same transaction."""

from sqlmodel import Session

from service.auth.actors import Actor
from service.deposits import service as deposits
from service.deposits.schemas import ProofPublic
from service.notifications import service as notifications


def approve_proof(*, session: Session, actor: Actor, proof_id: int) -> ProofPublic:
    """Approve: the proof becomes a deposit event, and the employer is told."""
    proof = deposits.approve_proof(session=session, actor=actor, proof_id=proof_id)
    notifications.notify_proof_decision(session, proof.id)
    return proof


def reject_proof(*, session: Session, actor: Actor, proof_id: int, reason: str) -> ProofPublic:
    """Reject with a reason the employer will read, and tell the employer."""
    proof = deposits.reject_proof(session=session, actor=actor, proof_id=proof_id, reason=reason)
    notifications.notify_proof_decision(session, proof.id)
    return proof
