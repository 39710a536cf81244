"""The one severity vocabulary: the monitors' four levels, their order and their words.

The levels are `monitors.base.Severity` (most severe first); each has one word per language,
`severity.<level>` in the catalogue (service/i18n/severity.*.json), shown alike on the pages,
in the e-mails and on the subscriptions form.
"""

from monitors.base import Severity
from service.i18n import translate

SEVERITIES: tuple[str, ...] = tuple(level.value for level in Severity)
# 0 is the most severe: sorting by rank puts critical first.
RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def at_least(severity: str, minimum: str) -> bool:
    """Whether `severity` is `minimum` or more severe (a subscription from high takes
    high and critical)."""
    return RANK[severity] <= RANK[minimum]


def word(severity: str, language: str) -> str:
    """The level's one word in `language` (特别严重, Critical, ...)."""
    return translate(language, f"severity.{severity}")


def words(language: str) -> dict[str, str]:
    """Every level's word in `language`, for templates that look them up by level."""
    return {severity: word(severity, language) for severity in SEVERITIES}
