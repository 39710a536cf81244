"""Risk tiers in the database: computed for every employer at the end of each monitors run
(one query for the alerts, one for the current tiers, one bulk insert), and read back as the
current tier, the history and the reasons in words."""

import json
from datetime import date
from functools import cache
from typing import Any

import pandas as pd
from sqlalchemy import Text, bindparam, case, cast, insert, literal, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Subquery
from sqlmodel import Session, col

from monitors.reference import Reference, load_risk_tiers
from service import clock
from service.alerts.models import Alert
from service.complaints.disclosure import alert_released
from service.db import rows_frame
from service.employers.models import Employer
from service.i18n import translate
from service.money import yuan
from service.risk.models import TIERS, EmployerRiskTier
from service.risk.schemas import Reason, TierChange, TierView
from service.risk.scoring import ALERT_COLUMNS, score

HISTORY_ROWS = 12
# How each measure's figure reads: money in yuan, the rest as whole numbers.
MONEY_MEASURES = {"arrears_outstanding_fen"}


@cache
def tier_table() -> pd.DataFrame:
    """data/risk_tiers.csv, checked, loaded once per process."""
    return load_risk_tiers()


# --- computing ------------------------------------------------------------------------------


def _alerts_frame(conn: Connection, employer_ids: list[int] | None) -> pd.DataFrame:
    columns = ", ".join(ALERT_COLUMNS)
    if employer_ids is None:
        result = conn.execute(text(f"SELECT {columns} FROM alert"))
    else:
        some = text(f"SELECT {columns} FROM alert WHERE employer_id IN :employers")
        some = some.bindparams(bindparam("employers", expanding=True))
        result = conn.execute(some, {"employers": employer_ids})
    return rows_frame(result, list(ALERT_COLUMNS))


def _current_frame(conn: Connection, employer_ids: list[int] | None) -> pd.DataFrame:
    latest = latest_tiers(employer_ids=employer_ids)
    # The reasons as the text stored, compared with the new ones written the same way
    # (`_stored_text`): parsing and re-writing 50,000 of them took half a second.
    reasons = cast(latest.c.reasons, Text)
    result = conn.execute(select(latest.c.employer_id, latest.c.tier, reasons))
    return rows_frame(result, ["employer_id", "tier", "reasons"])


def _stored_text(reasons: list[dict[str, object]]) -> str:
    """Reasons as the JSON column stores them (SQLAlchemy writes it with json.dumps)."""
    return json.dumps(reasons)


def _stored_texts(reasons: pd.Series) -> list[str]:
    """`_stored_text` of each employer's reasons, written once per distinct list: scoring gives
    employers with the same reasons the same list (0.2 s a city when written 50,000 times)."""
    written: dict[int, str] = {}
    texts = []
    for listed in reasons.tolist():
        # Keyed by the list itself (its id): the lists live in `reasons` meanwhile.
        text_of = written.get(id(listed))
        if text_of is None:
            text_of = written[id(listed)] = _stored_text(listed)
        texts.append(text_of)
    return texts


def record_run(
    conn: Connection,
    *,
    run_id: int,
    as_of: date,
    reference: Reference,
    employer_ids: list[int] | None = None,
) -> int:
    """Score every employer (or those given: one employer's check, a county shard) on the
    run's alerts; store a row for each whose tier or reasons changed (or that has none yet).
    Returns how many rows were stored."""
    scope = employer_ids
    if employer_ids is None:
        employer_ids = [int(i) for i in conn.execute(text("SELECT id FROM employer")).scalars()]
    if not employer_ids:
        return 0
    alerts = _alerts_frame(conn, scope)
    scored = score(
        alerts, employer_ids, table=tier_table(), reference=reference, as_of=as_of
    ).dropna(subset=["tier"])
    scored["key"] = _stored_texts(scored["reasons"])
    current = _current_frame(conn, scope)
    merged = scored.merge(current, on="employer_id", how="left", suffixes=("", "_was"))
    changed = merged[
        (merged["tier"] != merged["tier_was"]) | (merged["key"] != merged["reasons_was"])
    ]
    if changed.empty:
        return 0
    now = clock.utc_now()
    rows = [
        {
            "employer_id": int(employer_id),
            "run_id": run_id,
            "as_of": as_of,
            "tier": tier,
            "reasons": reasons,
            "computed_at": now,
        }
        for employer_id, tier, reasons in changed[["employer_id", "tier", "reasons"]].itertuples(
            index=False
        )
    ]
    store(conn, rows, run_id=run_id)
    return len(rows)


def store(conn: Connection, rows: list[dict[str, Any]], *, run_id: int) -> None:
    """Add tier rows of a run to the history and bring the current tier of each employer they
    name (employer.risk_tier, .risk_rank) in step with its latest row, in the same
    transaction: one insert and one update however many employers changed."""
    conn.execute(insert(EmployerRiskTier), rows)
    latest = (
        select(col(EmployerRiskTier.tier))
        .where(col(EmployerRiskTier.employer_id) == col(Employer.id))
        .order_by(col(EmployerRiskTier.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    of_run = select(col(EmployerRiskTier.employer_id)).where(col(EmployerRiskTier.run_id) == run_id)
    conn.execute(
        update(Employer)
        .where(col(Employer.id).in_(of_run))
        .values(risk_tier=latest, risk_rank=tier_rank(latest))
    )


# --- reading --------------------------------------------------------------------------------


def latest_tiers(employer_id: int | None = None, employer_ids: Any = None) -> Subquery:
    """The current tier of every employer that has one (or of the one given, or of those in
    `employer_ids`, a list or a subquery of ids): its latest row, the one no later row of the
    same employer follows. (As an anti-join on (employer_id, id) this is a few times cheaper
    than `id IN (SELECT max(id) … GROUP BY employer_id)`, whose every group PostgreSQL looked
    up again: 1.6 s of the employer list at 50,000 employers.)"""
    later = aliased(EmployerRiskTier)
    newer = (
        select(literal(1))
        .where(
            col(later.employer_id) == col(EmployerRiskTier.employer_id),
            col(later.id) > col(EmployerRiskTier.id),
        )
        .exists()
    )
    latest = select(EmployerRiskTier).where(~newer)
    if employer_id is not None:
        latest = latest.where(col(EmployerRiskTier.employer_id) == employer_id)
    if employer_ids is not None:
        latest = latest.where(col(EmployerRiskTier.employer_id).in_(employer_ids))
    return latest.subquery("tier")


def tier_rank(tier_column: ColumnElement[str]) -> ColumnElement[int]:
    """red 0 … green 3; no tier yet sorts last."""
    return case(
        {tier: rank for rank, tier in enumerate(TIERS)}, value=tier_column, else_=len(TIERS)
    )


def _rule_row(rule_id: str) -> pd.Series | None:
    """The table's latest row for a rule id (a retired id keeps its last wording)."""
    rows = tier_table()[tier_table()["rule_id"] == rule_id]
    return None if rows.empty else rows.sort_values("valid_from").iloc[-1]


def _figure(row: pd.Series, reason: dict[str, Any], language: str) -> str | None:
    if reason.get("figure") is None:
        return None
    measure = str(row["measure"])
    money = measure in MONEY_MEASURES
    figure, threshold = reason["figure"], reason["threshold"]
    return translate(
        language,
        f"risk.figure.{measure}",
        figure=yuan(figure) if money else figure,
        threshold=yuan(threshold) if money else threshold,
    )


def explain(reasons: list[dict[str, Any]], language: str) -> list[Reason]:
    """The stored reasons in words: the table's wording and legal basis, the figure from the
    catalogue (service/i18n/risk.*.json)."""
    english = language == "en"
    explained = []
    for reason in reasons:
        row = _rule_row(str(reason["rule"]))
        if row is None:
            continue
        basis = str(row["legal_basis_en" if english else "legal_basis_zh"])
        explained.append(
            Reason(
                rule=str(reason["rule"]),
                tier=str(row["tier"]),
                text=str(row["reason_en" if english else "reason_zh"]),
                figure=_figure(row, reason, language),
                measured=reason.get("figure"),
                legal_basis=None if basis == "n/a" else basis,
            )
        )
    return explained


def current(session: Session, employer_id: int, language: str) -> TierView:
    """The employer's current tier and why, as the inspectors see it."""
    row = session.scalars(
        select(EmployerRiskTier)
        .where(col(EmployerRiskTier.employer_id) == employer_id)
        .order_by(col(EmployerRiskTier.id).desc())
        .limit(1)
    ).first()
    if row is None:
        return TierView(tier=None, as_of=None, reasons=[])
    return TierView(tier=row.tier, as_of=row.as_of, reasons=explain(row.reasons, language))


def history(session: Session, employer_id: int) -> list[TierChange]:
    """The employer's last tier changes, newest first."""
    rows = session.scalars(
        select(EmployerRiskTier)
        .where(col(EmployerRiskTier.employer_id) == employer_id)
        .order_by(col(EmployerRiskTier.id).desc())
        .limit(HISTORY_ROWS)
    )
    return [
        TierChange(
            tier=r.tier, as_of=r.as_of, run_id=r.run_id, rules=[x["rule"] for x in r.reasons]
        )
        for r in rows
    ]


def as_employer_sees(
    session: Session, employer_id: int, *, reference: Reference, as_of: date, language: str
) -> TierView:
    """The employer's tier scored on the alerts it may see today: a complaint-derived alert
    counts only once released to it (complaints.disclosure), so an anonymous complaint never
    moves the tier it sees before then. Same table, same scoring as the stored tier."""
    today = clock.today()
    alerts = session.scalars(select(Alert).where(col(Alert.employer_id) == employer_id)).all()
    seen = [a for a in alerts if alert_released(a, today=today)]
    frame = pd.DataFrame(
        [[getattr(a, c) for c in ALERT_COLUMNS] for a in seen], columns=list(ALERT_COLUMNS)
    )
    scored = score(frame, [employer_id], table=tier_table(), reference=reference, as_of=as_of)
    tier = scored["tier"].iloc[0]
    if pd.isna(tier):
        return TierView(tier=None, as_of=as_of, reasons=[])
    return TierView(tier=tier, as_of=as_of, reasons=explain(scored["reasons"].iloc[0], language))
