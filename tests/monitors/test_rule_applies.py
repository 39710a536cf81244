"""Rule.applies: checking one employer skips the rules its share of the data cannot concern,
and a rule skipped that way would have found nothing."""

from datetime import date

import pandas as pd

from monitors.base import Rule, Severity, Snapshot
from monitors.engine import evaluate
from monitors.registry import all_rules
from tests.monitors.snapshots import contract, employer, make_snapshot, project, worker

AS_OF = date(2026, 11, 30)


def _no_project_no_complaint() -> Snapshot:
    """An ordinary employer: workers, contracts, no project, no leased premises, no deposit
    ledger, no complaint."""
    return make_snapshot(
        AS_OF,
        employers=[employer(1)],
        workers=[worker(1), worker(2)],
        contracts=[contract(1, 1, 1), contract(2, 1, 2, start_date="2026-03-02")],
    )


def _refusing(applies: bool) -> Rule:
    def evaluate_rule(snapshot: Snapshot) -> pd.DataFrame:
        raise AssertionError("a rule that does not apply must not run")

    return Rule(
        id="test.never",
        title_zh="测试",
        title_en="test",
        action_zh="无",
        action_en="none",
        severity=Severity.low,
        legal_basis=("mediation_period_days",),
        inputs=("employers",),
        evaluate=evaluate_rule,
        applies=lambda snapshot: applies,
    )


def test_the_engine_skips_a_rule_that_does_not_apply():
    found = evaluate(_no_project_no_complaint(), {"test.never": _refusing(applies=False)})
    assert found.empty


def test_rules_that_do_not_apply_would_have_found_nothing():
    snapshot = _no_project_no_complaint()
    skipped = [rule for rule in all_rules().values() if not rule.concerns(snapshot)]
    assert {rule.id for rule in skipped} >= {
        "deposit.missing",
        "deposit.shortfall",
        "deposit.not_replenished",
        "complaints.cluster",
        "mediation.overdue",
    }
    for rule in skipped:
        assert rule.evaluate(snapshot).empty, rule.id


def test_deposit_rules_apply_to_a_project_or_leased_premises():
    rules = all_rules()
    with_project = make_snapshot(
        AS_OF, employers=[employer(1)], projects=[project(1)], workers=[], contracts=[]
    )
    leased = make_snapshot(AS_OF, employers=[employer(1, leased_premises=True)])
    for snapshot in (with_project, leased):
        assert rules["deposit.missing"].concerns(snapshot)
        assert rules["deposit.shortfall"].concerns(snapshot)


def test_the_engine_calls_back_after_each_rule_it_evaluates():
    snapshot = _no_project_no_complaint()
    evaluated = [rule for rule in all_rules().values() if rule.concerns(snapshot)]
    calls = []
    evaluate(snapshot, after_each=lambda: calls.append(len(calls)))
    assert len(calls) == len(evaluated) > 0
