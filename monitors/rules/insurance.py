"""Work-injury insurance: every employee must be covered (工伤保险条例 Art. 2; SIL Art. 33;
安全生产法 Art. 51 ¶1)."""

import numpy as np
import pandas as pd

from monitors.base import Snapshot
from monitors.declare import rule
from monitors.employment import active_workers, id_array, pair_numbers
from monitors.evidence import evidence_records, iso, listed_records, masked_worker_ids

KEY = ["employer_id", "project_id"]


def high_risk(employer_ids: pd.Series, project_ids: pd.Series, snapshot: Snapshot) -> pd.Series:
    """High-risk industry (mining, construction, hazardous chemicals, fireworks, explosives:
    安全生产许可证条例 Art. 2) of the employer, or of the project the workers are on. Judged
    once per employer and project, then looked up (the overview asks for every active worker)."""
    employers, projects = snapshot.employers, snapshot.projects
    by_employer = _is_high_risk(employers["industry_code"], snapshot)
    by_project = _is_high_risk(projects["industry_code"], snapshot)
    of_employer = employer_ids.map(by_employer.set_axis(employers["employer_id"]))
    of_project = project_ids.map(by_project.set_axis(projects["project_id"]))
    risky = of_employer.to_numpy(dtype=bool, na_value=False) | of_project.to_numpy(
        dtype=bool, na_value=False
    )
    return pd.Series(risky, index=employer_ids.index)


def _is_high_risk(codes: pd.Series, snapshot: Snapshot) -> pd.Series:
    known = codes.dropna().astype("str")
    flags = snapshot.reference.industry_flags(known)["high_risk"]
    return flags.reindex(codes.index, fill_value=False).astype(bool)


def _severity(findings: pd.DataFrame, snapshot: Snapshot) -> pd.Series:
    """critical in high-risk industries, high elsewhere."""
    risky = high_risk(findings["employer_id"], findings["project_id"], snapshot)
    return risky.map({True: "critical", False: "high"})


@rule(
    id="insurance.work_injury_uncovered",
    title=("在岗职工未参加工伤保险", "Active workers without work-injury insurance"),
    action=(
        "责令用人单位限期为职工参加工伤保险、补缴工伤保险费并加收滞纳金；"
        "建设项目应按项目参保，先参保、再开工",
        "Order the employer to enrol the workers in work-injury insurance and pay the arrears "
        "with the late fee; construction projects insure per project before work starts",
    ),
    severity=_severity,
    legal_basis=("social_insurance_registration_days", "si_late_fee_bp_per_day"),
    inputs=("contracts", "insurance", "workers", "employers", "projects"),
)
def insurance_work_injury_uncovered(snapshot: Snapshot) -> pd.DataFrame:
    """Active workers with neither personal nor project-wide work-injury cover on day D."""
    active = active_workers(snapshot)
    covered = personally_covered(active, snapshot) | project_covered(active, snapshot)
    uncovered = active[~covered & ~_in_registration_grace(active, snapshot)]
    if uncovered.empty:
        return pd.DataFrame(
            {
                "employer_id": pd.Series(dtype="int64"),
                "project_id": pd.Series(dtype="Int64"),
                "subject_count": pd.Series(dtype="int64"),
                "evidence": pd.Series(dtype=object),
            }
        )
    return _findings(_with_worker_evidence(uncovered, snapshot), snapshot)


def _valid_on(insurance: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    return insurance[
        (insurance["start_date"] <= as_of)
        & (insurance["end_date"].isna() | (as_of <= insurance["end_date"]))
    ]


def personally_covered(active: pd.DataFrame, snapshot: Snapshot) -> pd.Series:
    """A personal coverage row of the same employer for the worker, valid on D."""
    valid = _valid_on(snapshot.insurance, snapshot.as_of_ts)
    personal = valid[valid["worker_id"].notna()]
    insured, pairs = pair_numbers(
        (id_array(personal["employer_id"]), id_array(active["employer_id"])),
        (id_array(personal["worker_id"]), id_array(active["worker_id"])),
    )
    return pd.Series(pd.Index(pairs).isin(insured), index=active.index)


def project_covered(active: pd.DataFrame, snapshot: Snapshot) -> pd.Series:
    """A project-wide policy (no worker named) for the worker's project, valid on D.

    Per-project cover (按项目参保, 人社部发〔2014〕103号) is usually bought by the general
    contractor for everyone on the site, subcontractors' workers included, so a policy of any
    employer for that project counts.
    """
    valid = _valid_on(snapshot.insurance, snapshot.as_of_ts)
    insured_projects = valid.loc[valid["worker_id"].isna(), "project_id"].dropna()
    on_insured_project = active["project_id"].isin(insured_projects.astype("int64"))
    return on_insured_project.fillna(False).astype(bool)


def _registration_due(active: pd.DataFrame, snapshot: Snapshot) -> pd.Series:
    """The last day to enrol: SIL Art. 58 allows 30 days from hiring, counted from the next
    day (Civil Code Art. 201), so a worker hired on day S must be covered by S + 30. Workers
    on a construction project get no grace: insure first, then start work
    (人社部发〔2014〕103号), so they must be covered from their first day."""
    days = int(snapshot.reference.value("social_insurance_registration_days", on=snapshot.as_of))
    grace = pd.to_timedelta(days, unit="D")
    return active["start_date"].where(active["project_id"].notna(), active["start_date"] + grace)


def _in_registration_grace(active: pd.DataFrame, snapshot: Snapshot) -> np.ndarray:
    """Off-site workers still within the enrolment period; on a project there is none: cover
    is due on the first day of work."""
    off_site = active["project_id"].isna().to_numpy(dtype=bool)
    return off_site & (snapshot.as_of_ts <= _registration_due(active, snapshot))


def _last_cover_end(uncovered: pd.DataFrame, snapshot: Snapshot) -> pd.Series:
    """The last day of the worker's most recent cover that has ended (personal or of the
    project), NaT when there was none: it tells a lapse from never being insured."""
    as_of = snapshot.as_of_ts
    insurance = snapshot.insurance
    ended = insurance[(insurance["start_date"] <= as_of) & (insurance["end_date"] < as_of)]
    personal = ended[ended["worker_id"].notna()].astype({"worker_id": "int64"})
    personal_end = (
        personal.groupby(["employer_id", "worker_id"], as_index=False)["end_date"]  # type: ignore[call-overload]
        .max()
        .rename(columns={"end_date": "personal"})
    )
    project_end = (
        ended[ended["worker_id"].isna()]  # type: ignore[call-overload]
        .groupby("project_id", as_index=False)["end_date"]
        .max()
        .rename(columns={"end_date": "project"})
    )
    # Left merges keep the left rows' order, so the uncovered rows' index can be put back.
    ends = (
        uncovered[["employer_id", "worker_id", "project_id"]]
        .merge(personal_end, how="left", on=["employer_id", "worker_id"])
        .merge(project_end, how="left", on="project_id")
        .set_axis(uncovered.index)
    )
    return ends[["personal", "project"]].max(axis=1)


def _with_worker_evidence(uncovered: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    return uncovered.assign(
        worker=masked_worker_ids(uncovered["worker_id"], snapshot.workers),
        start=iso(uncovered["start_date"]),
        insure_by=iso(_registration_due(uncovered, snapshot)),
        cover_ended_on=iso(_last_cover_end(uncovered, snapshot)),
    )


def _findings(uncovered: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    columns = ["worker", "start", "insure_by", "cover_ended_on"]
    grouped = uncovered.groupby(KEY, dropna=False)
    findings = pd.DataFrame(
        {
            "subject_count": grouped["worker_id"].nunique(),
            "uncovered_workers": listed_records(uncovered, KEY, columns, sort_by="worker"),
        }
    ).reset_index()
    findings["project_id"] = findings["project_id"].astype("Int64")
    findings["high_risk_industry"] = high_risk(
        findings["employer_id"], findings["project_id"], snapshot
    )
    findings["evidence"] = evidence_records(findings, ["uncovered_workers", "high_risk_industry"])
    return findings[[*KEY, "subject_count", "evidence"]]
