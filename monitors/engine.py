"""Run rules over a snapshot: findings in, findings out. Pure: no database, no clock."""

from collections.abc import Callable
from typing import Any

import pandas as pd

from monitors.base import FINDING_COLUMNS, Rule, Severity, Snapshot
from monitors.registry import all_rules

ENGINE_COLUMNS = (
    "rule",
    "employer_id",
    "employer_uscc",
    "project_id",
    "project_code",
    "period",
    "subject_count",
    "amount_fen",
    "severity",
    "evidence",
    "legal_basis_zh",
    "legal_basis_en",
)
KEY = ("rule", "employer_uscc", "project_code", "period")


class RuleError(Exception):
    """A rule returned something that is not a valid set of findings (a bug in the rule)."""


def evaluate(
    snapshot: Snapshot,
    rules: dict[str, Rule] | None = None,
    after_each: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Every rule's findings, one row per alert key, with the legal basis attached.
    `after_each` is called after each rule (the runner hands freed memory back there)."""
    rules = all_rules() if rules is None else rules
    found = []
    for rule in _payroll_first(rules):
        if rule.concerns(snapshot):
            found.append(_evaluate_rule(rule, snapshot))
            if after_each is not None:
                after_each()
    found = [frame for frame in found if not frame.empty]
    if not found:
        return pd.DataFrame(columns=list(ENGINE_COLUMNS))
    return pd.concat(found, ignore_index=True)[list(ENGINE_COLUMNS)]


def _payroll_first(rules: dict[str, Rule]) -> list[Rule]:
    """The rules that read the payroll, the largest frame, first: their working memory comes
    before the values other rules derive and keep for the run."""
    return sorted(rules.values(), key=lambda rule: "payroll" not in rule.inputs)


def _evaluate_rule(rule: Rule, snapshot: Snapshot) -> pd.DataFrame:
    found = rule.evaluate(snapshot)
    if found.empty and "employer_id" in found:
        return found  # nothing to complete: one employer's check mostly finds nothing
    findings = _complete(found.reset_index(drop=True), rule, snapshot)
    findings = _with_codes(findings, snapshot)
    if findings.duplicated(list(KEY[1:])).any():
        raise RuleError(f"rule {rule.id} returned the same alert key twice")
    basis = snapshot.reference.basis(*rule.legal_basis)
    return findings.assign(rule=rule.id, legal_basis_zh=basis.zh, legal_basis_en=basis.en)


def _complete(findings: pd.DataFrame, rule: Rule, snapshot: Snapshot) -> pd.DataFrame:
    if "employer_id" not in findings:
        raise RuleError(f"rule {rule.id} returned findings without employer_id")
    defaults: dict[str, Any] = {
        "project_id": pd.NA,
        "period": "",
        "subject_count": 1,
        "amount_fen": pd.NA,
    }
    for column, value in defaults.items():
        if column not in findings:
            findings[column] = value
    findings["project_id"] = findings["project_id"].astype("Int64")
    findings["period"] = findings["period"].fillna("").astype(str)
    findings["subject_count"] = findings["subject_count"].astype("int64")
    findings["amount_fen"] = findings["amount_fen"].astype("Int64")
    if "evidence" not in findings:
        findings["evidence"] = [{} for _ in range(len(findings))]  # type: ignore[assignment]
    findings["severity"] = _severity(findings, rule, snapshot)
    return findings[list(FINDING_COLUMNS)]


def _severity(findings: pd.DataFrame, rule: Rule, snapshot: Snapshot) -> pd.Series:
    if isinstance(rule.severity, Severity):
        return pd.Series(rule.severity.value, index=findings.index, dtype=object)
    computed = rule.severity(findings, snapshot).astype(str)
    unknown = ~computed.isin([s.value for s in Severity])
    if unknown.any():
        raise RuleError(f"rule {rule.id} computed an unknown severity")
    return computed


def _with_codes(findings: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    uscc = snapshot.employers.set_index("employer_id")["uscc"]
    codes = snapshot.projects.set_index("project_id")["project_code"]
    return findings.assign(
        employer_uscc=findings["employer_id"].map(uscc),
        project_code=findings["project_id"].map(codes).astype(object).fillna("").astype(str),
    )
