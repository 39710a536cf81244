"""The audit log: every change by an inspector, employer or administrator."""

from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import bindparam, text
from sqlmodel import Session

from service.audit.models import AuditEntry


class Actor(Protocol):
    """Who made the change, as far as the log needs to know (service.auth.actors.Actor is one):
    the audit log sits below auth, which records the users it creates."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def label(self) -> str: ...


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_key: str,
    *,
    employer_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
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


def actor_names(session: Session, actor_ids: Iterable[int | None]) -> dict[int, str]:
    """The display names of the people behind audit entries (the log keeps their account as
    `actor_label`, which a person reading the page should not have to decode)."""
    ids = sorted({i for i in actor_ids if i is not None})
    if not ids:
        return {}
    rows = session.execute(
        text("SELECT id, display_name FROM app_user WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": ids},
    )
    return {int(row[0]): str(row[1]) for row in rows}
