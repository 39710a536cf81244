"""Every rule, by id. Adding a rule = one decorated function in monitors/rules/."""

from collections.abc import Callable

import pandas as pd

from monitors.base import Rule, Severity, SeverityOf, Snapshot

RULES: dict[str, Rule] = {}


def rule(
    *,
    id: str,
    title: tuple[str, str],
    action: tuple[str, str],
    severity: SeverityOf = Severity.high,
    legal_basis: tuple[str, ...],
    inputs: tuple[str, ...],
) -> Callable[[Callable[[Snapshot], pd.DataFrame]], Callable[[Snapshot], pd.DataFrame]]:
    """Register a rule: `title` and `action` are (Chinese, English)."""

    def register(evaluate: Callable[[Snapshot], pd.DataFrame]) -> Callable:
        if id in RULES:
            raise ValueError(f"rule {id!r} is registered twice")
        RULES[id] = Rule(
            id=id,
            title_zh=title[0],
            title_en=title[1],
            action_zh=action[0],
            action_en=action[1],
            severity=severity,
            legal_basis=legal_basis,
            inputs=inputs,
            evaluate=evaluate,
        )
        return evaluate

    return register


def all_rules() -> dict[str, Rule]:
    import monitors.rules  # noqa: F401  (registers every rule module)

    return RULES
