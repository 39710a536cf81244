"""How a rule module declares its rules: the @rule decorator and the table it fills.

The rule modules import this; monitors.registry imports the rule modules, so the two never
import each other.
"""

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
    applies: Callable[[Snapshot], bool] | None = None,
) -> Callable[[Callable[[Snapshot], pd.DataFrame]], Callable[[Snapshot], pd.DataFrame]]:
    """Register a rule: `title` and `action` are (Chinese, English); `applies`, a cheap test
    that is False only when the snapshot cannot hold a finding of the rule (Rule.applies)."""

    def register(
        evaluate: Callable[[Snapshot], pd.DataFrame],
    ) -> Callable[[Snapshot], pd.DataFrame]:
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
            applies=applies,
        )
        return evaluate

    return register
