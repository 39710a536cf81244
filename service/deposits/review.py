"""What an inspector needs beside a deposit proof to decide it: the position it is for
(required amount, balance, shortfall, from the monitors' own arithmetic in positions.py),
what approving it would change, and what to look at twice (it overshoots the requirement,
its bank reference is already used, it would not count on the day).

Only read: the decision itself stays in service.py.
"""

from datetime import date

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session, col

from monitors.reference import Reference
from service.auth.actors import Actor
from service.deposits import positions
from service.deposits import service as deposits
from service.deposits.models import DepositEvent, DepositProof
from service.deposits.schemas import DepositPosition, ProofPublic
from service.employers.service import employer_snapshot

# Catalogue keys of the warnings, in the order the page shows them.
WARNINGS = (
    "duplicate_reference",
    "overshoots",
    "already_met",
    "not_counted",
    "no_requirement",
)


class ProofReview(BaseModel):
    """A pending proof with its context; money in fen."""

    proof: ProofPublic
    as_of: date
    position: DepositPosition | None  # None: no deposit obligation this proof is for
    counts_on_as_of: bool  # dated on or before today and (a guarantee) not expired
    balance_after_fen: int | None
    shortfall_after_fen: int | None
    overshoot_fen: int  # how far the balance after approval would exceed the requirement
    ledger_uses: int  # ledger entries (of any employer) with the same bank reference
    other_proofs: int  # other pending or approved proofs with the same bank reference
    warnings: list[str]


def _counts(proof: ProofPublic, as_of: date) -> bool:
    """Balance on day D counts each event from its date; a guarantee only until its expiry
    (data contract §1, deposit_events)."""
    if proof.event_date > as_of:
        return False
    return proof.kind != "guarantee" or (
        proof.expiry_date is not None and proof.expiry_date >= as_of
    )


def _position_for(found: list[DepositPosition], proof: ProofPublic) -> DepositPosition | None:
    """The project's position, or the employer-level (leased-premises) one."""
    for position in found:
        if position.project_code == proof.project_code:
            return position
    return None


def _reference_uses(session: Session, proof: ProofPublic) -> tuple[int, int]:
    ledger = session.scalar(
        select(func.count())
        .select_from(DepositEvent)
        .where(col(DepositEvent.reference) == proof.reference)
    )
    proofs = session.scalar(
        select(func.count())
        .select_from(DepositProof)
        .where(
            col(DepositProof.reference) == proof.reference,
            col(DepositProof.id) != proof.id,
            col(DepositProof.status) != "rejected",
            # an approved proof is in the ledger already: count it there, not twice
            col(DepositProof.deposit_event_id).is_(None),
        )
    )
    return ledger or 0, proofs or 0


def review(
    *, session: Session, actor: Actor, proof_id: int, reference: Reference, as_of: date
) -> ProofReview:
    """The proof (NotFound outside the actor's scope) with the position it is for, the
    balance and shortfall before and after approval, and the warnings."""
    proof = deposits.get_proof(session=session, actor=actor, proof_id=proof_id)
    snapshot = employer_snapshot(session.connection(), proof.employer_id, reference, as_of)
    found = positions.positions(session=session, employer_id=proof.employer_id, snapshot=snapshot)
    position = _position_for(found, proof)
    counts = _counts(proof, as_of)
    ledger_uses, other_proofs = _reference_uses(session, proof)
    # An approved proof is already in the balance: nothing changes any more.
    added = proof.amount_fen if counts and proof.status == "pending" else 0
    after = shortfall_after = None
    overshoot = 0
    warnings: set[str] = set()
    if position is not None:
        after = position.balance_fen + added
        required = position.required_fen
        if required:
            shortfall_after = max(required - after, 0)
            overshoot = max(after - required, 0) if added else 0
            if overshoot and position.balance_fen >= required:
                warnings.add("already_met")
            elif overshoot:
                warnings.add("overshoots")
    if position is None or not position.required_fen:
        warnings.add("no_requirement")
    if ledger_uses or other_proofs:
        warnings.add("duplicate_reference")
    if not counts:
        warnings.add("not_counted")
    return ProofReview(
        proof=proof,
        as_of=as_of,
        position=position,
        counts_on_as_of=counts,
        balance_after_fen=after,
        shortfall_after_fen=shortfall_after,
        overshoot_fen=overshoot,
        ledger_uses=ledger_uses,
        other_proofs=other_proofs,
        warnings=[w for w in WARNINGS if w in warnings],
    )
