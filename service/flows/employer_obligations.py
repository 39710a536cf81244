"""What one employer owes, as the employer sees it: each deposit obligation with its balance,
workers without work-injury cover, open alerts and the proofs it filed.

The figures come from the monitors' own rule code run on a snapshot of this employer's rows
only — the deposit positions through the deposits domain (the same function the inspector's
employer page uses), the uncovered workers through the insurance rule — so the page, the
inspector's view and the alerts never disagree. The alerts are the ones the complainant shield
releases to the employer (complaints.disclosure).
"""

from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from monitors.base import Rule, Snapshot
from monitors.reference import Reference
from monitors.registry import all_rules
from service import clock
from service.alerts import service as alerts
from service.alerts.models import Alert
from service.alerts.severity import RANK as SEVERITY_RANK
from service.auth.actors import Actor
from service.complaints.disclosure import alert_for_employer, alert_released
from service.deposits import positions
from service.deposits.schemas import EmployerAlert, Obligations, UncoveredWorker
from service.deposits.service import list_proofs
from service.employers import service as employers
from service.monitoring import frames
from service.projects.models import Project
from service.risk import service as risk

UNCOVERED_RULE = "insurance.work_injury_uncovered"

COVER_INPUTS = ("employers", "workers", "contracts", "projects", "insurance")


def cover_snapshot(
    conn: Connection, employer_id: int, reference: Reference, as_of: date
) -> Snapshot:
    """The monitors' snapshot frames for the insurance rule, holding this employer's share."""
    return frames.employer_snapshot(conn, employer_id, reference, as_of, COVER_INPUTS)


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
    """Open alerts: the finding and its legal basis only; never the evidence. The figures of
    complaint-derived alerts are withheld, and they show only once the week they were first
    seen has ended (complaints.disclosure): they could tell who complained, and when."""
    rules = all_rules()
    english = language == "en"
    today = clock.today()
    rows = session.scalars(select(Alert).where(alerts.readable(actor), Alert.status == "open"))
    views = [
        _employer_alert(alert, rules, english)
        for alert in rows
        if alert_released(alert, today=today)
    ]
    # Withheld dates sort last; the order never reveals them.
    return sorted(
        views,
        key=lambda a: (
            SEVERITY_RANK.get(a.severity, len(SEVERITY_RANK)),
            a.first_seen is None,
            a.first_seen or date.min,
            a.id or 0,
            a.rule,
        ),
    )


def _employer_alert(alert: Alert, rules: dict[str, Rule], english: bool) -> EmployerAlert:
    facts = alert_for_employer(alert)
    return EmployerAlert(
        id=facts.alert_id,
        rule=alert.rule,
        title=_rule_title(rules.get(alert.rule), alert.rule, english),
        severity=alert.severity,
        project_code=facts.project_code,
        period=facts.period,
        amount_fen=facts.amount_fen,
        legal_basis=alert.legal_basis_en if english else alert.legal_basis_zh,
        first_seen=facts.first_seen,
    )


def obligations(
    *, session: Session, actor: Actor, reference: Reference, language: str
) -> Obligations:
    """Everything the signed-in employer owes, as of the monitors' latest day."""
    employer = employers.own_employer(session, actor)
    as_of = employers.monitors_as_of(session)
    snapshot = cover_snapshot(session.connection(), employer.id, reference, as_of)
    deposits_snapshot = employers.employer_snapshot(
        session.connection(), employer.id, reference, as_of
    )
    return Obligations(
        employer_uscc=employer.uscc,
        employer_name=employer.name,
        leased_premises=employer.leased_premises,
        as_of=as_of,
        positions=positions.positions(
            session=session, employer_id=employer.id, snapshot=deposits_snapshot
        ),
        uncovered_workers=_uncovered(session, employer.id, snapshot),
        alerts=_alerts(session, actor, language),
        proofs=list_proofs(session=session, actor=actor),
        institution=employers.institution_duty(employer=employer, snapshot=deposits_snapshot),
        risk=risk.as_employer_sees(
            session, employer.id, reference=reference, as_of=as_of, language=language
        ),
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
