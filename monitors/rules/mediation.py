"""Labour-dispute mediation: enterprise mediation committees (劳动争议调解仲裁法 Art. 10;
企业劳动争议协商调解规定 Art. 13)."""

import pandas as pd

from monitors.base import Severity, Snapshot
from monitors.declare import rule
from monitors.employment import active_migrants
from monitors.evidence import affected_workers, evidence_records


@rule(
    id="mediation.committee_missing",
    title=("未设立企业劳动争议调解委员会", "No enterprise labour-dispute mediation committee"),
    action=(
        "督促用人单位依法设立由职工代表和企业代表组成的劳动争议调解委员会",
        "Urge the employer to set up a labour-dispute mediation committee of worker and "
        "enterprise representatives",
    ),
    severity=Severity.low,
    legal_basis=("mediation_committee_migrant_threshold",),
    inputs=("contracts", "workers", "employers", "committees"),
)
def mediation_committee_missing(snapshot: Snapshot) -> pd.DataFrame:
    """Employers with at least the threshold of active migrant workers and no committee."""
    threshold = int(
        snapshot.reference.value("mediation_committee_migrant_threshold", on=snapshot.as_of)
    )
    migrants = active_migrants(snapshot)
    counts = migrants.groupby("employer_id")["worker_id"].nunique()
    with_committee = snapshot.committees.loc[
        snapshot.committees["kind"] == "enterprise", "employer_id"
    ].dropna()
    # "At least" the threshold: the threshold itself counts (以上 includes the number).
    missing = counts[(counts >= threshold) & ~counts.index.isin(with_committee.astype("int64"))]
    findings = pd.DataFrame(
        {"employer_id": missing.index.astype("int64"), "subject_count": missing.to_numpy()}
    )
    listed = affected_workers(
        migrants[migrants["employer_id"].isin(missing.index)], ["employer_id"], snapshot.workers
    )
    findings = findings.assign(
        active_migrant_workers=findings["subject_count"],
        threshold=threshold,
        workers=findings["employer_id"].map(listed),
    )
    findings["evidence"] = evidence_records(
        findings, ["active_migrant_workers", "threshold", "workers"]
    )
    return findings[["employer_id", "subject_count", "evidence"]]
