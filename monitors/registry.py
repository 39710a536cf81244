"""Every rule, by id. Adding a rule = one decorated function in monitors/rules/."""

import monitors.rules  # noqa: F401  (registers every rule module)
from monitors.base import Rule
from monitors.declare import RULES

__all__ = ["RULES", "all_rules"]


def all_rules() -> dict[str, Rule]:
    return RULES
