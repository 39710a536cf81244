"""Migrant-population service institutions at large employers (温委发〔2010〕108号, seed policy
十八; data contract v2)."""

import pandas as pd

from monitors.base import Severity, Snapshot
from monitors.declare import rule
from monitors.employment import active_migrants
from monitors.evidence import affected_workers, evidence_records


@rule(
    id="institution.missing",
    title=(
        "未设立流动人口服务管理机构或未明确联络员",
        "No migrant-population service office or no named liaison",
    ),
    action=(
        "督促用人单位设立流动人口服务管理机构并明确联络员，报送所在地流动人口服务管理部门",
        "Urge the employer to set up a migrant-population service office and name a liaison, "
        "and to report both to the local migrant-population service authority",
    ),
    severity=Severity.low,
    legal_basis=("migrant_service_office_threshold_workers",),
    inputs=("contracts", "workers", "employers"),
)
def institution_missing(snapshot: Snapshot) -> pd.DataFrame:
    """Employers with more than the threshold of active migrant workers (超过: the threshold
    itself does not count, 101 or more) that have no service office or no named liaison.

    Migrants are counted as for `mediation.committee_missing`: workers active on D whose
    household registration lies outside the employer's city; an unknown hukou is not counted.
    Only `service_office` = yes counts as an office (the contract: empty = not known = no), and
    a liaison name of blanks is no name."""
    migrants = active_migrants(snapshot)
    duties = institution_duties(snapshot)
    lacking = duties[duties["applies"] & ~(duties["service_office"] & duties["liaison_named"])]
    if lacking.empty:
        return pd.DataFrame(
            {
                "employer_id": pd.Series(dtype="int64"),
                "subject_count": pd.Series(dtype="int64"),
                "evidence": pd.Series(dtype=object),
            }
        )
    listed_migrants = migrants[migrants["employer_id"].isin(lacking["employer_id"])]
    # Mask only the workers listed, not the whole register.
    involved = snapshot.workers[snapshot.workers["worker_id"].isin(listed_migrants["worker_id"])]
    listed = affected_workers(listed_migrants, ["employer_id"], involved)
    findings = lacking.assign(
        subject_count=lacking["active_migrant_workers"],
        workers=lacking["employer_id"].map(listed),
        reading="more_than_threshold_office_and_liaison",
    )
    columns = [
        "active_migrant_workers", "threshold", "service_office", "liaison_named", "workers",
        "reading",
    ]  # fmt: skip
    findings["evidence"] = evidence_records(findings, columns)
    return findings[["employer_id", "subject_count", "evidence"]].reset_index(drop=True)


def institution_duties(snapshot: Snapshot) -> pd.DataFrame:
    """Per employer: its active migrant workers, the threshold, whether the duty applies (more
    than the threshold), and whether an office and a liaison are on record. Shown on the
    employer's pages as well as judged by the rule."""
    threshold = int(
        snapshot.reference.value("migrant_service_office_threshold_workers", on=snapshot.as_of)
    )
    counts = active_migrants(snapshot).groupby("employer_id")["worker_id"].nunique()
    employers = snapshot.employers
    active = employers["employer_id"].map(counts).fillna(0).astype("int64")
    return pd.DataFrame(
        {
            "employer_id": employers["employer_id"].astype("int64"),
            "active_migrant_workers": active,
            "threshold": threshold,
            "applies": active > threshold,
            "service_office": employers["service_office"].astype(bool),
            "liaison_named": employers["liaison_name"].fillna("").str.strip() != "",
        }
    )
