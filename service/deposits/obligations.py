"""What one employer owes, as the employer sees it: each deposit obligation with its balance,
workers without work-injury cover, open alerts and the proofs it filed.

The figures come from the monitors' own rule code run on a snapshot of this employer's rows
only — the deposit positions through the employers domain (the same function the inspector's
employer page uses), the uncovered workers through the insurance rule — so the page, the
inspector's view and the alerts never disagree.
"""

from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
from fastapi import UploadFile
from sqlalchemy import select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from monitors.base import Rule, Snapshot, typed_frame
from monitors.calendar import default_calendar
from monitors.reference import Reference, load_reference
from monitors.registry import all_rules
from service.alerts import service as alerts
from service.alerts.models import Alert
from service.auth.actors import Actor
from service.config import PROJECT_ROOT
from service.deposits.schemas import EmployerAlert, Obligations, UncoveredWorker
from service.deposits.service import list_proofs
from service.employers import service as employers
from service.employers.models import Employer
from service.errors import NotFound
from service.imports.service import ImportReport
from service.imports.uploads import Upload, import_for_employer
from service.monitoring.frames import QUERIES
from service.projects.models import Project

DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
UNCOVERED_RULE = "insurance.work_injury_uncovered"
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}

# What the insurance rule needs of one employer (:id): its row, its contracts and their
# workers, its projects, and its own policies plus the project-wide ones on the projects its
# workers are on (a general contractor's policy covers a subcontractor's workers).
_ITS_PROJECTS = "SELECT project_id FROM employment_contract WHERE employer_id = :id"
COVER_FILTERS = {
    "employers": "q.employer_id = :id",
    "workers": "q.worker_id IN (SELECT worker_id FROM employment_contract WHERE employer_id = :id)",
    "contracts": "q.employer_id = :id",
    "projects": "q.contractor_id = :id",
    "insurance": (
        f"q.employer_id = :id OR (q.worker_id IS NULL AND q.project_id IN ({_ITS_PROJECTS}))"
    ),
}


def cover_snapshot(
    conn: Connection, employer_id: int, reference: Reference, as_of: date
) -> Snapshot:
    """The monitors' snapshot frames for the insurance rule, holding only this employer."""
    frames = {}
    for name, condition in COVER_FILTERS.items():
        result = conn.execute(
            text(f"SELECT * FROM ({QUERIES[name]}) q WHERE {condition}"), {"id": employer_id}
        )
        frames[name] = typed_frame(name, pd.DataFrame(result.all(), columns=list(result.keys())))
    return Snapshot(as_of=as_of, reference=reference, calendar=default_calendar(), frames=frames)


def _uncovered(session: Session, employer_id: int, snapshot: Snapshot) -> list[UncoveredWorker]:
    """Workers active on the day without cover, from the insurance rule's own findings
    (identity numbers already masked there)."""
    findings = all_rules()[UNCOVERED_RULE].evaluate(snapshot)
    findings = findings[findings["employer_id"] == employer_id]
    project_ids = [int(p) for p in findings["project_id"].dropna().unique()]
    codes = dict(
        session.execute(
            select(Project.id, Project.project_code).where(Project.id.in_(project_ids))
        ).all()
    )
    workers = [
        UncoveredWorker(
            worker=listed["worker"],
            project_code=None if pd.isna(project_id) else codes.get(int(project_id)),
            start_date=listed["start"],
            insure_by=listed["insure_by"],
        )
        for project_id, evidence in zip(findings["project_id"], findings["evidence"], strict=True)
        for listed in evidence["uncovered_workers"]
    ]
    return sorted(workers, key=lambda w: (w.project_code or "", w.worker))


def _rule_title(rule: Rule | None, rule_id: str, english: bool) -> str:
    if rule is None:
        return rule_id
    return rule.title_en if english else rule.title_zh


def _alerts(session: Session, actor: Actor, language: str) -> list[EmployerAlert]:
    """Open alerts: the finding and its legal basis only; never the evidence, which for
    complaint-based rules could tell who complained."""
    rules = all_rules()
    english = language == "en"
    rows = session.scalars(select(Alert).where(alerts.readable(actor), Alert.status == "open"))
    views = [
        EmployerAlert(
            id=alert.id,
            rule=alert.rule,
            title=_rule_title(rules.get(alert.rule), alert.rule, english),
            severity=alert.severity,
            project_code=alert.project_code or None,
            period=alert.period or None,
            amount_fen=alert.amount_fen,
            legal_basis=alert.legal_basis_en if english else alert.legal_basis_zh,
            first_seen=alert.first_seen,
        )
        for alert in rows
    ]
    return sorted(views, key=lambda a: (SEVERITY_ORDER.get(a.severity, 9), a.first_seen, a.id))


def own_employer(session: Session, actor: Actor) -> Employer:
    employer = session.get(Employer, actor.employer_id) if actor.employer_id else None
    if employer is None:
        raise NotFound("no employer")
    return employer


def obligations(
    *, session: Session, actor: Actor, reference: Reference, language: str
) -> Obligations:
    """Everything the signed-in employer owes, as of the monitors' latest day."""
    employer = own_employer(session, actor)
    as_of = employers.monitors_as_of(session)
    snapshot = cover_snapshot(session.connection(), employer.id, reference, as_of)
    return Obligations(
        employer_uscc=employer.uscc,
        employer_name=employer.name,
        leased_premises=employer.leased_premises,
        as_of=as_of,
        positions=employers.positions(
            session=session, employer_id=employer.id, reference=reference, as_of=as_of
        ),
        uncovered_workers=_uncovered(session, employer.id, snapshot),
        alerts=_alerts(session, actor, language),
        proofs=list_proofs(session=session, actor=actor),
    )


def own_projects(*, session: Session, actor: Actor) -> list[Project]:
    """The projects this employer is the general contractor of (it holds their deposits)."""
    if actor.employer_id is None:
        return []
    return list(
        session.scalars(
            select(Project)
            .where(Project.contractor_id == actor.employer_id)
            .order_by(Project.project_code)
        )
    )


def import_own_files(
    *, engine: Engine, session: Session, actor: Actor, data_dir: Path, files: list[UploadFile]
) -> ImportReport:
    """The signed-in employer's upload through the contract importer (page and API)."""
    employer = own_employer(session, actor)
    return import_for_employer(
        engine=engine,
        reference=reference_for(data_dir),
        actor=actor,
        employer_id=employer.id,
        employer_uscc=employer.uscc,
        uploads=[Upload(f.filename, f.file) for f in files],
    )


@cache
def reference_for(data_dir: Path) -> Reference:
    """The reference data of the settings' data folder, loaded once (the repository's own
    folder through the monitors' shared cache)."""
    return load_reference() if data_dir == DEFAULT_DATA_DIR else load_reference(data_dir)
