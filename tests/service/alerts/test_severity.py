"""One severity vocabulary: the monitors' levels, one word each per language."""

import json

from monitors.base import Severity
from service.alerts.severity import SEVERITIES, at_least, word
from service.i18n import CATALOGUE_DIR, LANGUAGES
from service.notifications.render import render
from tests.service.notifications.samples import SAMPLES


def test_the_levels_are_the_monitors_most_severe_first():
    assert (
        SEVERITIES
        == tuple(level.value for level in Severity)
        == (
            "critical",
            "high",
            "medium",
            "low",
        )
    )
    assert at_least("critical", "high") and at_least("high", "high")
    assert not at_least("medium", "high")


def test_each_level_has_one_word_per_language():
    assert [word(s, "zh-CN") for s in SEVERITIES] == ["特别严重", "严重", "一般", "轻微"]
    assert [word(s, "en") for s in SEVERITIES] == ["Critical", "High", "Medium", "Low"]


def test_no_catalogue_names_the_levels_again():
    for language in LANGUAGES:
        for path in CATALOGUE_DIR.glob(f"*{language}.json"):
            if path.name.startswith("severity."):
                continue
            keys = json.loads(path.read_text(encoding="utf-8"))
            doubled = [k for k in keys if any(k.endswith(f"severity.{s}") for s in SEVERITIES)]
            assert doubled == [], path.name


def test_e_mails_use_the_same_words_as_the_pages():
    [sample] = SAMPLES["alert_digest"]
    for language in LANGUAGES:
        text = render("alert_digest", language, sample).text
        for item in sample.alerts:
            assert word(item.severity, language) in text
