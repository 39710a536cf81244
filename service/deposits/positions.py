"""An employer's deposit positions and ledger: the monitors' own arithmetic
(`deposit_positions`) on a snapshot of just this employer's rows, so the inspector's employer
page, the employer's own page and the alerts never disagree."""

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from monitors.base import Snapshot
from monitors.rules.deposits import deposit_positions
from service.deposits.models import DepositEvent
from service.deposits.schemas import DepositEventRow, DepositPosition
from service.employers.service import SECTION_ROWS
from service.projects.models import Project


def positions(*, session: Session, employer_id: int, snapshot: Snapshot) -> list[DepositPosition]:
    """Each project the employer contracts (and its leased-premises obligation): the required
    deposit, the balance on the snapshot's day, and where it stands — computed by the monitors'
    own `deposit_positions` on a snapshot of just this employer's rows (`employer_snapshot`)."""
    as_of = snapshot.as_of
    if snapshot.projects.empty and not snapshot.employers["leased_premises"].any():
        return []  # no obligation: spare the arithmetic
    found = deposit_positions(snapshot)
    found = found[found["employer_id"] == employer_id]
    projects = snapshot.projects.set_index("project_id")
    names = _project_names(session, employer_id)
    return [_position(row, projects, names, as_of) for row in found.to_dict("records")]


def _position(
    row: dict[str, Any], projects: pd.DataFrame, names: dict[int, str], as_of: date
) -> DepositPosition:
    project_id = None if pd.isna(row["project_id"]) else int(row["project_id"])
    required = None if pd.isna(row["required_fen"]) else int(row["required_fen"])
    balance = 0 if pd.isna(row["balance_fen"]) else int(row["balance_fen"])
    due = None if pd.isna(row["due_date"]) else row["due_date"].date()
    reason = row["exemption_reason"]
    position = DepositPosition(
        project_id=project_id,
        project_code=None if project_id is None else str(projects.at[project_id, "project_code"]),
        project_name=names.get(project_id) if project_id is not None else None,
        obligation=row["obligation"],
        in_force=bool(row["in_force"]),
        active_workers=int(row["active_workers"]),
        required_fen=required,
        balance_fen=balance,
        shortfall_fen=max((required or 0) - balance, 0),
        due_date=due,
        exempt=bool(row["exempt"]),
        exemption_reason=None if pd.isna(reason) or reason in ("", "None") else str(reason),
        state="",
    )
    position.state = _position_state(position, as_of)
    return position


def _position_state(position: DepositPosition, as_of: date) -> str:
    """Where a position stands, in the monitors' terms: it is late only after the due day."""
    if position.exempt:
        return "exempt"
    if not position.in_force:
        return "not_in_force"
    if not position.required_fen:
        return "none_required"
    if position.shortfall_fen == 0:
        return "ok"
    if position.due_date is None or position.due_date >= as_of:
        return "not_yet_due"
    return "missing" if position.balance_fen <= 0 else "short"


def _project_names(session: Session, employer_id: int) -> dict[int, str]:
    rows = session.execute(
        select(Project.id, Project.name).where(Project.contractor_id == employer_id)
    ).all()
    return dict(rows)


def ledger(session: Session, employer_id: int) -> list[DepositEventRow]:
    """The employer's latest deposit events (at most SECTION_ROWS), newest first."""
    rows = session.execute(
        select(DepositEvent, Project.project_code)
        .outerjoin(Project, Project.id == DepositEvent.project_id)
        .where(DepositEvent.employer_id == employer_id)
        .order_by(DepositEvent.event_date.desc(), DepositEvent.id.desc())
        .limit(SECTION_ROWS)
    ).all()
    return [
        DepositEventRow(
            event_date=e.event_date,
            event=e.event,
            amount_fen=e.amount_fen,
            reference=e.reference,
            expiry_date=e.expiry_date,
            project_code=code,
        )
        for e, code in rows
    ]
