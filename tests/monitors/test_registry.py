"""Meta-tests over the rule registry: every rule is complete and tested."""

import ast
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from monitors.base import Severity
from monitors.reference import load_reference
from monitors.registry import all_rules

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT.parent / "shared" / "contract" / "data-contract.md"
# The rule ids of the data contract (§2), kept here so the test runs without shared/.
CONTRACT_RULES = {
    "deposit.missing", "deposit.shortfall", "deposit.not_replenished", "wages.unpaid",
    "wages.unreported", "wages.below_minimum", "contract.missing",
    "contract.probation_invalid", "insurance.work_injury_uncovered", "mediation.overdue",
    "complaints.cluster", "mediation.committee_missing", "institution.missing",
}  # fmt: skip
COMPLAINT_RULES = {"mediation.overdue", "complaints.cluster"}
RULES = all_rules()


def test_the_contract_lists_exactly_these_rule_ids():
    if not CONTRACT.exists():
        pytest.skip("shared/contract is not beside the checkout")
    listed = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", CONTRACT.read_text(), re.M))
    assert listed == CONTRACT_RULES


def test_every_registered_rule_is_a_contract_rule():
    assert set(RULES) <= CONTRACT_RULES


def test_every_contract_rule_without_complaints_is_registered():
    assert set(RULES) >= CONTRACT_RULES - COMPLAINT_RULES


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_describes_itself(rule_id):
    rule = RULES[rule_id]
    assert rule.doc, "a docstring says what the rule finds"
    assert rule.title_zh and rule.title_en and rule.action_zh and rule.action_en
    assert rule.inputs
    assert isinstance(rule.severity, Severity) or callable(rule.severity)
    basis = load_reference().basis(*rule.legal_basis)
    assert basis.zh and basis.en


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_has_tests(rule_id):
    tests = "\n".join(p.read_text() for p in (ROOT / "tests" / "monitors" / "rules").glob("*.py"))
    function = RULES[rule_id].evaluate.__name__
    assert function in tests, f"no test calls {function} ({rule_id})"


def test_the_rule_engine_never_imports_the_service():
    for path in (ROOT / "monitors").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n == "service" or n.startswith("service.") for n in names), path


def test_no_legal_figure_is_a_literal_in_rule_code():
    """Figures live in data/: rule modules compare with parameters, not with numbers."""
    legal_figures = {15, 20, 21.75, 30, 50, 80, 101, 174, 300, 500, 3_000_000, 228_000, 249_000}
    for path in (ROOT / "monitors" / "rules").glob("*.py"):
        numbers = {
            node.value
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and type(node.value) in (int, float)
        }
        assert not numbers & legal_figures, f"{path.name}: {numbers & legal_figures}"


def test_the_rules_that_read_the_payroll_run_first():
    """Their working memory (the payroll's length) comes before what other rules keep."""
    from monitors.engine import _payroll_first

    order = _payroll_first(all_rules())
    reads_payroll = ["payroll" in rule.inputs for rule in order]
    assert reads_payroll == sorted(reads_payroll, reverse=True)
    assert any(reads_payroll) and not all(reads_payroll)
    assert len(order) == len(all_rules())


def test_a_frame_let_go_is_gone_from_the_snapshot(reference):
    from monitors.base import Snapshot
    from monitors.calendar import default_calendar

    frames = {"payroll": pd.DataFrame({"employer_id": [1]}), "employers": pd.DataFrame()}
    snapshot = Snapshot(date(2026, 12, 1), reference, default_calendar(), frames)
    snapshot.let_go("payroll")
    assert list(snapshot.frames) == ["employers"]
    with pytest.raises(AttributeError):
        snapshot.payroll  # noqa: B018


def test_a_snapshot_let_go_whole_keeps_no_frame_and_nothing_derived(reference):
    from monitors.base import Snapshot
    from monitors.calendar import default_calendar

    frames = {"payroll": pd.DataFrame({"employer_id": [1]}), "employers": pd.DataFrame()}
    snapshot = Snapshot(date(2026, 12, 1), reference, default_calendar(), frames)
    assert snapshot.derive("employers.count", lambda: len(snapshot.payroll)) == 1
    snapshot.let_go_all()
    assert snapshot.frames == {} and snapshot.derived == {}
    with pytest.raises(AttributeError):
        snapshot.employers  # noqa: B018
