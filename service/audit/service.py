"""The audit log: every change by an inspector, employer or administrator."""

from sqlmodel import Session

from service.audit.models import AuditEntry
from service.auth.actors import Actor


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_key: str,
    *,
    employer_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor_id=actor.user_id if actor else None,
            actor_label=actor.label if actor else "system:cli",
            action=action,
            entity=entity,
            entity_key=str(entity_key),
            employer_id=employer_id,
            before=before,
            after=after,
        )
    )
