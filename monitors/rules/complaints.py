"""Workers' complaints: mediation past its legal period (劳动争议调解仲裁法 Art. 14; 浙江省劳动人事
争议调解仲裁条例 Art. 10) and clusters of wage complaints against one employer (Decree 724
Art. 10; 浙江省劳动保障监察条例 Art. 23).

These alerts may be shown to the employer, so their evidence names no one: no names, phones,
tracking codes or descriptions — the dates and amounts only. Complaints whose employer is
free text (not in the register) are skipped: an alert needs an employer to be about.
"""

import pandas as pd

from monitors.base import Severity, Snapshot
from monitors.declare import rule
from monitors.evidence import evidence_records, iso, listed_records

ONE_DAY = pd.Timedelta(days=1)
# The complaint kinds that count as wage complaints for the cluster rule (data contract §2).
WAGE_COMPLAINT_KINDS = ("unpaid_wages",)
FINDING_COLUMNS = ["employer_id", "subject_count", "amount_fen", "evidence"]


def _known_employer(complaints: pd.DataFrame) -> pd.DataFrame:
    return complaints[complaints["employer_id"].notna()].astype({"employer_id": "int64"})


def _open_on(complaints: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Received by D and not closed by D: a case closed after D was still open on D. A closed
    case without a closing day (never written so) counts as closed."""
    closed_by_then = complaints["closed_on"] <= as_of
    closed_undated = (complaints["status"] == "closed") & complaints["closed_on"].isna()
    return (complaints["received_on"] <= as_of) & ~closed_by_then & ~closed_undated


def _per_employer(rows: pd.DataFrame, listed: pd.Series) -> pd.DataFrame:
    grouped = rows.groupby("employer_id")
    return pd.DataFrame(
        {
            "subject_count": grouped.size(),
            "amount_fen": grouped["amount_owed_fen"].sum().astype("Int64"),
            "complaints": listed,
        }
    ).reset_index()


def _empty_findings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employer_id": pd.Series(dtype="int64"),
            "subject_count": pd.Series(dtype="int64"),
            "amount_fen": pd.Series(dtype="Int64"),
            "evidence": pd.Series(dtype=object),
        }
    )


# --- mediation.overdue --------------------------------------------------------------------------


@rule(
    id="mediation.overdue",
    title=("调解超过法定期限", "Mediation past its legal period"),
    action=(
        "督促调解组织依法结束调解；未达成协议的，告知劳动者可以依法申请劳动争议仲裁",
        "Press the mediation body to conclude; where no agreement is reached, tell the worker "
        "that they may apply for labour-dispute arbitration",
    ),
    severity=Severity.high,
    legal_basis=("mediation_period_days",),
    inputs=("complaints",),
    applies=lambda snapshot: snapshot.has_rows("complaints"),
)
def mediation_overdue(snapshot: Snapshot) -> pd.DataFrame:
    """Complaints still in mediation after the last day of the mediation period.

    On the last day itself the period has not ended yet: a case is overdue from the next day.
    """
    as_of = snapshot.as_of_ts
    complaints = _known_employer(snapshot.complaints)
    overdue = complaints[_open_on(complaints, as_of) & (complaints["mediation_due_on"] < as_of)]
    if overdue.empty:
        return _empty_findings()
    shown = overdue.assign(
        due=overdue["mediation_due_on"],
        received_on=iso(overdue["received_on"]),
        mediation_due_on=iso(overdue["mediation_due_on"]),
        days_overdue=(as_of - overdue["mediation_due_on"]).dt.days,
    )
    listed = listed_records(
        shown,
        ["employer_id"],
        ["received_on", "mediation_due_on", "days_overdue", "amount_owed_fen"],
        sort_by="due",
    )
    findings = _per_employer(overdue, listed)
    findings["overdue_cases"] = findings["subject_count"]
    findings["evidence"] = evidence_records(findings, ["overdue_cases", "complaints"])
    return findings[FINDING_COLUMNS]


# --- complaints.cluster -------------------------------------------------------------------------


@rule(
    id="complaints.cluster",
    title=("同一用人单位集中被投诉欠薪", "Repeated wage complaints against one employer"),
    action=(
        "对该用人单位开展劳动保障监察，核查工资支付情况，依法责令限期支付拖欠的工资",
        "Open a labour inspection of the employer, check its wage payments and order it to pay "
        "any arrears within a set time",
    ),
    severity=Severity.high,
    legal_basis=("complaints_cluster_threshold", "complaints_cluster_window_days"),
    inputs=("complaints",),
    applies=lambda snapshot: snapshot.has_rows("complaints"),
)
def complaints_cluster(snapshot: Snapshot) -> pd.DataFrame:
    """At least the threshold number of wage complaints against one employer, received within
    the window of days ending on D (以上 includes the threshold)."""
    reference, on = snapshot.reference, snapshot.as_of
    threshold = int(reference.value("complaints_cluster_threshold", on=on))
    window_days = int(reference.value("complaints_cluster_window_days", on=on))
    last = snapshot.as_of_ts
    first = last - pd.Timedelta(days=window_days) + ONE_DAY  # [D − window + 1, D]
    complaints = _known_employer(snapshot.complaints)
    in_window = complaints[
        complaints["kind"].isin(WAGE_COMPLAINT_KINDS)
        & (complaints["received_on"] >= first)
        & (complaints["received_on"] <= last)
    ]
    counts = in_window.groupby("employer_id").size()
    clustered = in_window[in_window["employer_id"].isin(counts[counts >= threshold].index)]
    if clustered.empty:
        return _empty_findings()
    shown = clustered.assign(
        received=clustered["received_on"], received_on=iso(clustered["received_on"])
    )
    listed = listed_records(
        shown, ["employer_id"], ["received_on", "amount_owed_fen"], sort_by="received"
    )
    findings = _per_employer(clustered, listed)
    findings = findings.assign(
        complaints_in_window=findings["subject_count"],
        threshold=threshold,
        window_days=window_days,
        window_from=first.date().isoformat(),
        window_to=last.date().isoformat(),
        amount_owed_fen=findings["amount_fen"],
    )
    findings["evidence"] = evidence_records(
        findings,
        [
            "complaints_in_window", "threshold", "window_days", "window_from", "window_to",
            "amount_owed_fen", "complaints",
        ],
    )  # fmt: skip
    return findings[FINDING_COLUMNS]
