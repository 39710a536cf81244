"""Reconcile a run's findings with the alert table, set-based.

A finding with a new key opens an alert; an open alert seen again is updated when its
figures changed; an open alert not seen is resolved; a resolved alert seen again reopens.
Every change is an alert event with the run's as-of day. Handling columns are never touched.
"""

import json
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from service.db import execute_rows, rows_frame

KEY = ["rule", "employer_id", "project_code", "period"]
FIGURES = ["severity", "subject_count", "amount_fen"]
SILENT = ["evidence", "legal_basis_zh", "legal_basis_en"]


@dataclass
class Changes:
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    reopened: int = 0
    # Alerts that opened or reopened in this run: the ones people are told about.
    news: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "opened": self.opened,
            "updated": self.updated,
            "resolved": self.resolved,
            "reopened": self.reopened,
        }


def reconcile(
    conn: Connection,
    findings: pd.DataFrame,
    *,
    rule_ids: list[str],
    as_of: date,
    run_id: int,
    employer_ids: list[int] | None = None,
) -> Changes:
    """With `employer_ids` (one employer's "check again", a county shard), the findings are
    those employers' only, and so are the alerts they are reconciled with: the other
    employers' alerts stay as they are."""
    existing = _existing(conn, rule_ids, employer_ids)
    merged = _merge(findings, existing)
    changes = Changes()
    opened = _open(conn, merged[merged["_merge"] == "left_only"], as_of, run_id, employer_ids)
    seen = merged[merged["_merge"] == "both"]
    reopened = _reopen(conn, seen[seen["status"] == "resolved"], as_of, run_id)
    changes.opened, changes.reopened = len(opened), len(reopened)
    changes.news = [*opened, *reopened]
    changes.updated = _update(conn, seen[seen["status"] == "open"], as_of, run_id)
    gone = merged[(merged["_merge"] == "right_only") & (merged["status"] == "open")]
    changes.resolved = _resolve(conn, gone, as_of, run_id)
    return changes


def _of_rules(columns: list[str], employer_ids: list[int] | None):
    """SELECT `columns` of the alerts of some rules (:rules), of some employers
    (:employers) if given."""
    some = " AND employer_id IN :employers" if employer_ids is not None else ""
    statement = text(f"SELECT {', '.join(columns)} FROM alert WHERE rule IN :rules{some}")
    lists = [bindparam("rules", expanding=True)]
    if employer_ids is not None:
        lists.append(bindparam("employers", expanding=True))
    return statement.bindparams(*lists)


def _of_rules_params(rule_ids: list[str], employer_ids: list[int] | None) -> dict[str, list]:
    # An empty IN list matches nothing on both databases (SQLAlchemy renders it so).
    params: dict[str, list] = {"rules": rule_ids or [""]}
    if employer_ids is not None:
        params["employers"] = list(employer_ids)
    return params


def _existing(
    conn: Connection, rule_ids: list[str], employer_ids: list[int] | None
) -> pd.DataFrame:
    columns = ["id", *KEY, "status", *FIGURES, *SILENT, "last_seen"]
    statement = _of_rules(columns, employer_ids)
    rows = conn.execute(statement, _of_rules_params(rule_ids, employer_ids)).all()
    frame = rows_frame(rows, columns)
    frame["amount_fen"] = frame["amount_fen"].astype("Int64")
    # SQLite hands a JSON column to a text query as its text: compared with the findings'
    # evidence as such, every alert's evidence read as changed, and was written again each run.
    frame["evidence"] = frame["evidence"].map(_decoded)
    return frame


def _decoded(evidence: object) -> object:
    return json.loads(evidence) if isinstance(evidence, str) else evidence


def _merge(findings: pd.DataFrame, existing: pd.DataFrame) -> pd.DataFrame:
    current = findings[[*KEY, *FIGURES, *SILENT]].copy()
    current["employer_id"] = current["employer_id"].astype("int64")
    existing = existing.astype({"employer_id": "int64"})
    return current.merge(existing, on=KEY, how="outer", suffixes=("", "_old"), indicator=True)


def _events(conn: Connection, frame: pd.DataFrame, kind: str, as_of: date, run_id: int) -> None:
    if frame.empty:
        return
    execute_rows(
        conn,
        "INSERT INTO alert_event (alert_id, run_id, kind, as_of, at, severity, subject_count, "
        "amount_fen) VALUES (:alert_id, :run_id, :kind, :as_of, CURRENT_TIMESTAMP, :severity, "
        ":subject_count, :amount_fen)",
        _records(
            len(frame),
            alert_id=_ints(frame["id"]),
            run_id=run_id,
            kind=kind,
            as_of=as_of.isoformat(),
            severity=frame["severity"].tolist(),
            subject_count=_ints(frame["subject_count"]),
            amount_fen=_nullable_ints(frame["amount_fen"]),
        ),
    )


def _records(rows: int, **columns: object) -> list[dict[str, object]]:
    """Statement parameters, a dict per row, from whole columns (a list of `rows` values, or
    one value for every row): building them a row at a time from the frame (itertuples) cost
    three times as much."""
    names = list(columns)
    lists = [value if isinstance(value, list) else [value] * rows for value in columns.values()]
    return [dict(zip(names, values, strict=True)) for values in zip(*lists, strict=True)]


def _current(frame: pd.DataFrame) -> dict[str, list]:
    """The columns an alert's findings set, as statement parameters (:zh, :en the bases)."""
    return {
        "severity": frame["severity"].tolist(),
        "subject_count": _ints(frame["subject_count"]),
        "amount_fen": _nullable_ints(frame["amount_fen"]),
        "evidence": _json_texts(frame["evidence"]),
        "zh": frame["legal_basis_zh"].tolist(),
        "en": frame["legal_basis_en"].tolist(),
    }


def _ints(series: pd.Series) -> list[int]:
    return series.astype("int64").tolist()


def _nullable_ints(series: pd.Series) -> list[int | None]:
    return [_int_or_none(value) for value in series.tolist()]


def _json_texts(series: pd.Series) -> list[str]:
    """JSON as its text, as SQLAlchemy's JSON type writes it (json.dumps)."""
    return [json.dumps(value) for value in series.tolist()]


def _int_or_none(value: object) -> int | None:
    return None if pd.isna(value) else int(value)


def _open(
    conn: Connection, new: pd.DataFrame, as_of: date, run_id: int, employer_ids: list[int] | None
) -> list[int]:
    if new.empty:
        return []
    day = as_of.isoformat()
    execute_rows(
        conn,
        "INSERT INTO alert (rule, employer_id, project_code, period, status, severity, "
        "subject_count, amount_fen, evidence, legal_basis_zh, legal_basis_en, first_seen, "
        "last_seen, handling) VALUES (:rule, :employer_id, :project_code, :period, 'open', "
        ":severity, :subject_count, :amount_fen, :evidence, :zh, :en, :first_seen, :last_seen, "
        "'new')",
        _records(
            len(new),
            rule=new["rule"].tolist(),
            employer_id=_ints(new["employer_id"]),
            project_code=new["project_code"].tolist(),
            period=new["period"].tolist(),
            **_current(new),
            first_seen=day,
            last_seen=day,
        ),
    )
    ids = _ids(conn, new, employer_ids)
    _events(conn, new.assign(id=ids), "opened", as_of, run_id)
    return [int(i) for i in ids]


def _ids(conn: Connection, frame: pd.DataFrame, employer_ids: list[int] | None) -> pd.Series:
    """Ids of just-inserted alerts, aligned with `frame`, read back by key."""
    rules = sorted(frame["rule"].unique())
    statement = _of_rules(["id", *KEY], employer_ids)
    known = rows_frame(conn.execute(statement, _of_rules_params(rules, employer_ids)), ["id", *KEY])
    keyed = frame[KEY].astype({"employer_id": "int64"}).merge(known, on=KEY, how="left")
    return pd.Series(keyed["id"].to_numpy(), index=frame.index)


def _changed(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    changed = pd.Series(False, index=frame.index)
    for column in columns:
        new, old = frame[column], frame[f"{column}_old"]
        same = (new.astype(object) == old.astype(object)) | (new.isna() & old.isna())
        changed |= ~same.astype(bool)
    return changed


def _write_current(conn: Connection, frame: pd.DataFrame, assignments: str, as_of: date) -> None:
    execute_rows(
        conn,
        f"UPDATE alert SET severity = :severity, subject_count = :subject_count, "
        f"amount_fen = :amount_fen, evidence = :evidence, legal_basis_zh = :zh, "
        f"legal_basis_en = :en, last_seen = :as_of{assignments} WHERE id = :id",
        _records(len(frame), id=_ints(frame["id"]), **_current(frame), as_of=as_of.isoformat()),
    )


def _reopen(conn: Connection, frame: pd.DataFrame, as_of: date, run_id: int) -> list[int]:
    if frame.empty:
        return []
    _write_current(conn, frame, ", status = 'open', resolved_on = NULL", as_of)
    _events(conn, frame, "reopened", as_of, run_id)
    return [int(i) for i in frame["id"]]


def _update(conn: Connection, frame: pd.DataFrame, as_of: date, run_id: int) -> int:
    """Figures changed → an 'updated' event; evidence changed → a quiet write; seen again and
    nothing changed → only the day it was last seen."""
    figures_changed = _changed(frame, FIGURES)
    silent_changed = ~figures_changed & _changed(frame, SILENT)
    touched = frame[figures_changed | silent_changed]
    if not touched.empty:
        _write_current(conn, touched, "", as_of)
    unseen_today = pd.to_datetime(frame["last_seen"]) != pd.Timestamp(as_of)
    _mark_seen(conn, frame.loc[~figures_changed & ~silent_changed & unseen_today, "id"], as_of)
    _events(conn, frame[figures_changed], "updated", as_of, run_id)
    return int(figures_changed.sum())


# Alerts whose last-seen day one statement moves: a whole run's every open alert is seen again
# on a new day (111,000 at L: as a statement each, 3.5 s of a 19-s run).
SEEN_PER_STATEMENT = 10_000


def _mark_seen(conn: Connection, ids: pd.Series, as_of: date) -> None:
    """The alerts `ids` seen again on `as_of`, a list of ids per statement. The ids are the
    alert table's own integers, written into the statement: SQLite before 3.32 binds only 999
    parameters."""
    numbers = ids.astype("int64").to_numpy()
    for start in range(0, len(numbers), SEEN_PER_STATEMENT):
        listed = ", ".join(map(str, numbers[start : start + SEEN_PER_STATEMENT].tolist()))
        conn.execute(
            text(f"UPDATE alert SET last_seen = :as_of WHERE id IN ({listed})"), {"as_of": as_of}
        )


def _resolve(conn: Connection, gone: pd.DataFrame, as_of: date, run_id: int) -> int:
    if gone.empty:
        return 0
    execute_rows(
        conn,
        "UPDATE alert SET status = 'resolved', resolved_on = :as_of WHERE id = :id",
        _records(len(gone), id=_ints(gone["id"]), as_of=as_of.isoformat()),
    )
    _events(
        conn,
        gone.assign(
            severity=gone["severity_old"],
            subject_count=gone["subject_count_old"],
            amount_fen=gone["amount_fen_old"],
        ),
        "resolved",
        as_of,
        run_id,
    )
    return len(gone)
