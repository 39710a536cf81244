"""The overview's figures for every place, computed at the end of a monitors run in its own
transaction: per employer once (vectorised pandas over the run's snapshot and a few set-based
queries), then summed by town, county and city, and stored with one bulk insert per table.

What each figure counts (the same words as the page's notes, service/i18n/overview.*.json):
- employers monitored: every employer on record in the place;
- active workers: distinct (employer, worker) pairs with a contract active on the as-of day
  (monitors.rules.insurance); migrants among them as the mediation rule counts them
  (household registration outside the employer's city, monitors.rules.mediation);
- open alerts by severity, and money at stake from the open alerts' amounts: arrears
  (wages.unpaid), deposit shortfall (deposit.*: the missing or short amount), double-wage
  liability (contract.missing);
- deposits required vs held: positions in force and not exempt (monitors.rules.deposits),
  held counted up to the required amount, so a surplus in one place hides no gap elsewhere;
- work-injury cover: active workers of high-risk industries, and those covered on the as-of
  day by a personal or a project-wide policy (monitors.rules.insurance);
- complaints received in the twelve months up to the as-of day; of those, closed with an
  agreement or a failed mediation within the mediation period; open past that period on the
  as-of day (any age); legal-aid referrals: complaints of the legal-aid green channel's kinds
  (unpaid wages, work injury) whose mediation failed or is overdue, where the tracking page
  sends the worker to the county's legal-aid centre;
- trends: alerts opened (or reopened) and resolved per month from the alert events, arrears
  still open by wage month, complaints received per month — the last twelve months.
"""

from datetime import date

import pandas as pd
from sqlalchemy import insert, text
from sqlalchemy.engine import Connection

from monitors.base import Snapshot
from monitors.employment import active_migrants, active_workers
from monitors.rules.deposits import deposit_positions
from monitors.rules.insurance import high_risk, personally_covered, project_covered
from service.complaints.tracking import LEGAL_AID_KINDS
from service.db import rows_frame
from service.jurisdictions.models import town_code
from service.overview.models import PlaceMonth, PlaceSummary, PlaceTopEmployer
from service.risk.models import TIERS

# The frames the overview reads from the run's snapshot (the run loads them if no rule does).
INPUTS = ("employers", "projects", "contracts", "workers", "insurance", "deposit_events", "payroll")
CITY_CODE = "330300"
MONTHS = 12
TOP_EMPLOYERS = 20
SEVERITY_COLUMNS = {
    "critical": "alerts_critical",
    "high": "alerts_high",
    "medium": "alerts_medium",
    "low": "alerts_low",
}
ARREARS_RULE = "wages.unpaid"
DOUBLE_WAGE_RULE = "contract.missing"
DEPOSIT_RULE_PREFIX = "deposit."
EMPLOYER_FIGURES = (
    "employers",
    "active_workers",
    "active_migrant_workers",
    *SEVERITY_COLUMNS.values(),
    "arrears_fen",
    "deposit_shortfall_fen",
    "double_wage_fen",
    "deposit_required_fen",
    "deposit_held_fen",
    "high_risk_workers",
    "high_risk_workers_insured",
    *(f"tier_{tier}" for tier in TIERS),
)
COMPLAINT_FIGURES = (
    "complaints_received",
    "complaints_mediated_in_time",
    "complaints_overdue",
    "legal_aid_referrals",
)
MONTH_FIGURES = ("alerts_opened", "alerts_resolved", "arrears_fen", "complaints_received")


def months_up_to(as_of: date, count: int = MONTHS) -> list[str]:
    """The `count` months ending with the as-of day's month, oldest first ("2026-11")."""
    index = as_of.year * 12 + as_of.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def _per_employer(series: pd.Series, employers: pd.Index) -> pd.Series:
    return series.reindex(employers, fill_value=0).fillna(0).astype("int64")


def _open_alerts(conn: Connection) -> pd.DataFrame:
    rows = conn.execute(
        text("SELECT employer_id, rule, severity, amount_fen FROM alert WHERE status = 'open'")
    ).all()
    frame = rows_frame(rows, ["employer_id", "rule", "severity", "amount_fen"])
    frame["amount_fen"] = pd.to_numeric(frame["amount_fen"]).fillna(0).astype("int64")
    return frame


def _tiers(conn: Connection) -> pd.DataFrame:
    """Each employer's current tier, as stored on it (risk.store keeps it in step)."""
    rows = conn.execute(text("SELECT id, risk_tier FROM employer WHERE risk_tier IS NOT NULL"))
    return rows_frame(rows, ["employer_id", "tier"])


def employer_figures(conn: Connection, snapshot: Snapshot) -> pd.DataFrame:
    """One row per employer: its place and every figure the places sum."""
    employers = snapshot.employers.set_index("employer_id")
    ids = employers.index
    figures = pd.DataFrame(index=ids)
    figures["county_code"] = employers["county_code"].astype(str)
    town = employers["town"].astype("string").str.strip()
    figures["town"] = town.where(town.notna() & (town != ""), None)
    figures["employers"] = 1

    active = active_workers(snapshot)
    pairs = active.drop_duplicates(["employer_id", "worker_id"])
    figures["active_workers"] = _per_employer(pairs.groupby("employer_id").size(), ids)
    migrants = active_migrants(snapshot)
    figures["active_migrant_workers"] = _per_employer(migrants.groupby("employer_id").size(), ids)

    alerts = _open_alerts(conn)
    for severity, column in SEVERITY_COLUMNS.items():
        chosen = alerts[alerts["severity"] == severity]
        figures[column] = _per_employer(chosen.groupby("employer_id").size(), ids)
    money: dict[str, pd.Series] = {
        "arrears_fen": alerts["rule"] == ARREARS_RULE,
        "deposit_shortfall_fen": alerts["rule"].str.startswith(DEPOSIT_RULE_PREFIX),
        "double_wage_fen": alerts["rule"] == DOUBLE_WAGE_RULE,
    }
    for column, rows in money.items():
        amounts = alerts.loc[rows, "amount_fen"].groupby(alerts.loc[rows, "employer_id"]).sum()
        figures[column] = _per_employer(amounts, ids)
    figures["open_alerts"] = _per_employer(alerts.groupby("employer_id").size(), ids)

    positions = _deposit_positions(snapshot)
    owed = positions[positions["in_force"] & ~positions["exempt"]]
    required = owed["required_fen"].fillna(0).astype("int64")
    held = owed["balance_fen"].fillna(0).astype("int64").clip(lower=0).clip(upper=required)
    figures["deposit_required_fen"] = _per_employer(
        required.groupby(owed["employer_id"]).sum(), ids
    )
    figures["deposit_held_fen"] = _per_employer(held.groupby(owed["employer_id"]).sum(), ids)

    risky = active[high_risk(active["employer_id"], active["project_id"], snapshot).to_numpy()]
    covered = personally_covered(risky, snapshot) | project_covered(risky, snapshot)
    risky = risky.assign(covered=covered.to_numpy())
    # A worker covered on any of their high-risk contracts with the employer counts as covered.
    per_worker = risky.groupby(["employer_id", "worker_id"])["covered"].any().reset_index()
    figures["high_risk_workers"] = _per_employer(per_worker.groupby("employer_id").size(), ids)
    figures["high_risk_workers_insured"] = _per_employer(
        per_worker.groupby("employer_id")["covered"].sum(), ids
    )

    tiers = _tiers(conn).set_index("employer_id")["tier"].reindex(ids)
    figures["tier"] = tiers
    for tier in TIERS:
        figures[f"tier_{tier}"] = (tiers == tier).astype("int64")
    return figures


def derive_ahead(snapshot: Snapshot) -> None:
    """Work out now what the overview reads of the payroll (the deposit positions: a
    contractor's track record of arrears), so that a run can let the payroll go early."""
    _deposit_positions(snapshot)


def _deposit_positions(snapshot: Snapshot) -> pd.DataFrame:
    return snapshot.derive("overview.deposit_positions", lambda: deposit_positions(snapshot))


def _complaints(conn: Connection) -> pd.DataFrame:
    rows = conn.execute(
        text(
            "SELECT county_code, town, kind, received_on, status, mediation_due_on, closed_on, "
            "outcome FROM complaint"
        )
    ).all()
    columns = [
        "county_code",
        "town",
        "kind",
        "received_on",
        "status",
        "mediation_due_on",
        "closed_on",
        "outcome",
    ]
    frame = rows_frame(rows, columns)
    for column in ("received_on", "mediation_due_on", "closed_on"):
        frame[column] = pd.to_datetime(frame[column])
    town = frame["town"].astype("string").str.strip()
    frame["town"] = town.where(town.notna() & (town != ""), None)
    return frame


def complaint_figures(complaints: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per complaint with its place and 0/1 for each complaint figure."""
    day = pd.Timestamp(as_of)
    received = (complaints["received_on"] > day - pd.Timedelta(days=365)) & (
        complaints["received_on"] <= day
    )
    closed = complaints["closed_on"].notna() & (complaints["closed_on"] <= day)
    in_time = (
        received
        & closed
        & complaints["outcome"].isin(["agreement", "failure"])
        & (complaints["closed_on"] <= complaints["mediation_due_on"])
    )
    overdue = (
        (complaints["received_on"] <= day)
        & ~closed
        & complaints["mediation_due_on"].notna()
        & (complaints["mediation_due_on"] < day)
    )
    referred = (
        received
        & complaints["kind"].isin(list(LEGAL_AID_KINDS))
        & ((complaints["outcome"] == "failure") | overdue)
    )
    return pd.DataFrame(
        {
            "county_code": complaints["county_code"].astype(str),
            "town": complaints["town"],
            "complaints_received": received.astype("int64"),
            "complaints_mediated_in_time": in_time.astype("int64"),
            "complaints_overdue": overdue.astype("int64"),
            "legal_aid_referrals": referred.astype("int64"),
        }
    )


def _month_events(conn: Connection, first_day: date, last_day: date) -> pd.DataFrame:
    """Alerts opened (or reopened) and resolved per employer and month, counted by the
    database: a city's months hold hundreds of thousands of events."""
    rows = conn.execute(
        text(
            "SELECT a.employer_id, substr(CAST(e.as_of AS TEXT), 1, 7) AS month, "
            "sum(CASE WHEN e.kind = 'resolved' THEN 0 ELSE 1 END), "
            "sum(CASE WHEN e.kind = 'resolved' THEN 1 ELSE 0 END) "
            "FROM alert_event e JOIN alert a ON a.id = e.alert_id "
            "WHERE e.as_of >= :first AND e.as_of <= :last "
            "AND e.kind IN ('opened', 'reopened', 'resolved') "
            "GROUP BY a.employer_id, substr(CAST(e.as_of AS TEXT), 1, 7)"
        ),
        {"first": first_day, "last": last_day},
    ).all()
    frame = rows_frame(rows, ["employer_id", "month", "alerts_opened", "alerts_resolved"])
    return frame.astype({"alerts_opened": "int64", "alerts_resolved": "int64"})


def _open_arrears_by_period(conn: Connection) -> pd.DataFrame:
    rows = conn.execute(
        text(
            "SELECT employer_id, period, amount_fen FROM alert "
            "WHERE status = 'open' AND rule = :rule"
        ),
        {"rule": ARREARS_RULE},
    ).all()
    frame = rows_frame(rows, ["employer_id", "month", "amount_fen"])
    frame["amount_fen"] = pd.to_numeric(frame["amount_fen"]).fillna(0).astype("int64")
    return frame


def _places(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row once per place it counts in: the city, its county and (if known) its town."""
    city = frame.assign(place_code=CITY_CODE, level="city", county=None, town_name=None)
    county = frame.assign(
        place_code=frame["county_code"], level="county", county=frame["county_code"], town_name=None
    )
    with_town = frame[frame["town"].notna()]
    town = with_town.assign(
        place_code=[
            town_code(c, t)
            for c, t in zip(with_town["county_code"], with_town["town"], strict=True)
        ],
        level="town",
        county=with_town["county_code"],
        town_name=with_town["town"],
    )
    return pd.concat([city, county, town], ignore_index=True)


def _summed(frame: pd.DataFrame, figures: tuple[str, ...], keys: list[str]) -> pd.DataFrame:
    placed = _places(frame)
    placed[["county", "town_name"]] = placed[["county", "town_name"]].fillna("")
    return placed.groupby([*keys, "level", "county", "town_name"])[list(figures)].sum()


def _top_employers(figures: pd.DataFrame, employer_names: pd.Series) -> pd.DataFrame:
    """Per place, its TOP_EMPLOYERS highest-risk employers: strongest tier first, then money
    at stake, then open alerts; green employers with no open alert are not listed."""
    rank = {tier: index for index, tier in enumerate(TIERS)}
    ranked = figures.assign(
        at_stake_fen=figures["arrears_fen"]
        + figures["deposit_shortfall_fen"]
        + figures["double_wage_fen"],
        tier_rank=figures["tier"].map(rank).fillna(len(TIERS)),
        name=employer_names.reindex(figures.index),
    )
    ranked = ranked[
        ranked["tier"].notna() & ((ranked["tier"] != "green") | (ranked["open_alerts"] > 0))
    ]
    ranked = ranked.reset_index(names="employer_id").sort_values(
        ["tier_rank", "at_stake_fen", "open_alerts", "employer_id"],
        ascending=[True, False, False, True],
    )
    placed = _places(ranked)
    placed["rank"] = placed.groupby("place_code").cumcount() + 1
    return placed[placed["rank"] <= TOP_EMPLOYERS]


def record_run(conn: Connection, *, run_id: int, as_of: date, snapshot: Snapshot) -> dict[str, int]:
    """Compute and store the run's place summaries, months and highest-risk employers (after
    the alerts are reconciled and the tiers scored, in the same transaction)."""
    figures = employer_figures(conn, snapshot)
    counties = [
        str(code)
        for code in conn.execute(
            text("SELECT code FROM jurisdiction WHERE level = 'county' ORDER BY code")
        ).scalars()
    ]
    summary = _summed(figures, EMPLOYER_FIGURES, ["place_code"])
    complaints = complaint_figures(_complaints(conn), as_of)
    complaint_sums = _summed(complaints, COMPLAINT_FIGURES, ["place_code"])
    summary = summary.join(complaint_sums, how="outer").fillna(0)
    # Every county and the city get a row, whatever happened there.
    blank = pd.DataFrame(
        {"place_code": [CITY_CODE, *counties], "level": ["city"] + ["county"] * len(counties)}
    ).assign(county=["", *counties], town_name="")
    index = summary.index.union(pd.MultiIndex.from_frame(blank))
    summary = summary.reindex(index, fill_value=0).reset_index()
    summary_rows = [
        {
            "run_id": run_id,
            "as_of": as_of,
            "level": row["level"],
            "place_code": row["place_code"],
            "county_code": row["county"] or None,
            "town": row["town_name"] or None,
            **{name: int(row[name]) for name in (*EMPLOYER_FIGURES, *COMPLAINT_FIGURES)},
        }
        for row in summary.to_dict("records")
    ]
    conn.execute(insert(PlaceSummary), summary_rows)

    month_rows = _month_rows(conn, figures, run_id=run_id, as_of=as_of)
    if month_rows:
        conn.execute(insert(PlaceMonth), month_rows)

    names = snapshot.employers.set_index("employer_id")["name"]
    top = _top_employers(figures, names)
    top_rows = [
        {
            "run_id": run_id,
            "place_code": row["place_code"],
            "rank": int(row["rank"]),
            "employer_id": int(row["employer_id"]),
            "tier": str(row["tier"]),
            "at_stake_fen": int(row["at_stake_fen"]),
            "open_alerts": int(row["open_alerts"]),
        }
        for row in top[
            ["place_code", "rank", "employer_id", "tier", "at_stake_fen", "open_alerts"]
        ].to_dict("records")
    ]
    if top_rows:
        conn.execute(insert(PlaceTopEmployer), top_rows)
    return {"places": len(summary_rows), "months": len(month_rows), "top": len(top_rows)}


def _month_rows(
    conn: Connection, figures: pd.DataFrame, *, run_id: int, as_of: date
) -> list[dict[str, object]]:
    months = months_up_to(as_of)
    first_day = date(int(months[0][:4]), int(months[0][5:]), 1)
    places = figures[["county_code", "town"]]

    events = _month_events(conn, first_day, as_of).join(places, on="employer_id")

    arrears = _open_arrears_by_period(conn).join(places, on="employer_id")
    arrears = arrears.rename(columns={"amount_fen": "arrears_fen"})

    complaints = _complaints(conn)
    day = pd.Timestamp(as_of)
    complaints = complaints[
        (complaints["received_on"] >= pd.Timestamp(first_day)) & (complaints["received_on"] <= day)
    ]
    complaints = complaints.assign(
        month=complaints["received_on"].dt.strftime("%Y-%m"), complaints_received=1
    )

    parts = [
        _summed(events, ("alerts_opened", "alerts_resolved"), ["place_code", "month"]),
        _summed(arrears[arrears["month"].isin(months)], ("arrears_fen",), ["place_code", "month"]),
        _summed(complaints, ("complaints_received",), ["place_code", "month"]),
    ]
    joined = pd.concat(parts, axis=1).fillna(0).reset_index()
    return [
        {
            "run_id": run_id,
            "place_code": row["place_code"],
            "month": row["month"],
            **{name: int(row[name]) for name in MONTH_FIGURES},
        }
        for row in joined.to_dict("records")
    ]
