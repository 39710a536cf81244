"""`wageguard alerts export`: the open alerts in the contract's format (§2 Findings)."""

import json
from typing import TextIO

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from monitors.reference import Reference
from monitors.registry import all_rules
from service.alerts.severity import RANK as SEVERITY_RANK
from service.money import yuan
from service.spreadsheets import safe_cell

# The contract's fields first, in its order; then the compatible extensions (README).
CONTRACT_FIELDS = [
    "rule",
    "severity",
    "employer_uscc",
    "project_code",
    "period",
    "subject_count",
    "amount",
    "legal_basis",
    "first_seen",
]
EXTRA_FIELDS = [
    "legal_basis_en",
    "title_zh",
    "title_en",
    "employer_name",
    "county_code",
    "last_seen",
    "handling",
    "evidence",
    # law, policy (a figure WageGuard sets) or unconfirmed: how far the figures can be relied on
    "legal_basis_status",
]


def open_alerts(engine: Engine, reference: Reference) -> pd.DataFrame:
    query = text(
        "SELECT a.rule, a.severity, e.uscc AS employer_uscc, a.project_code, a.period, "
        "a.subject_count, a.amount_fen, a.legal_basis_zh AS legal_basis, a.legal_basis_en, "
        "CAST(a.first_seen AS TEXT) AS first_seen, CAST(a.last_seen AS TEXT) AS last_seen, "
        "e.name AS employer_name, e.county_code, a.handling, a.evidence "
        "FROM alert a JOIN employer e ON e.id = a.employer_id WHERE a.status = 'open'"
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all())
    if frame.empty:
        return pd.DataFrame(columns=CONTRACT_FIELDS + EXTRA_FIELDS)
    rules = all_rules()
    frame["title_zh"] = frame["rule"].map({i: r.title_zh for i, r in rules.items()})
    frame["title_en"] = frame["rule"].map({i: r.title_en for i, r in rules.items()})
    status = {i: reference.basis(*r.legal_basis).status for i, r in rules.items()}
    frame["legal_basis_status"] = frame["rule"].map(status)
    frame["amount"] = _yuan(frame["amount_fen"])
    frame["evidence"] = frame["evidence"].map(_as_dict)
    order = frame["severity"].map(SEVERITY_RANK)
    frame = frame.assign(_order=order).sort_values(
        ["_order", "first_seen", "rule", "employer_uscc", "project_code", "period"]
    )
    return frame[CONTRACT_FIELDS + EXTRA_FIELDS].reset_index(drop=True)


def _yuan(fen: pd.Series) -> pd.Series:
    """Integer fen → the contract's CNY text (two decimals, no sign or separators); empty
    when there is no amount."""
    values = pd.to_numeric(fen).astype("Int64").astype(object).where(fen.notna(), None)
    return values.map(lambda f: yuan(f, symbol=False, grouped=False, missing=""))


def _as_dict(value: object) -> dict:
    return json.loads(value) if isinstance(value, str) else (value or {})


def write_jsonl(frame: pd.DataFrame, out: TextIO) -> None:
    for record in frame.to_dict("records"):
        record["subject_count"] = int(record["subject_count"])
        out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def write_csv(frame: pd.DataFrame, out: TextIO) -> None:
    """CSV for spreadsheets: no cell can run as a formula (names and codes come from
    employers' own files)."""
    frame = frame.assign(
        evidence=frame["evidence"].map(lambda e: json.dumps(e, ensure_ascii=False, default=str))
    )
    frame.map(safe_cell).to_csv(out, index=False, lineterminator="\n")
