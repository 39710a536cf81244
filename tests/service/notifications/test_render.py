"""Every e-mail kind renders in both languages; templates are strict and escape data."""

import dataclasses
import re

import pytest
from jinja2 import UndefinedError

from monitors.registry import all_rules
from service.notifications import contexts as c
from service.notifications.render import (
    EMAIL_TEMPLATES,
    KINDS,
    LANGUAGES,
    PARTS,
    render,
    render_variables,
    yuan,
)
from tests.service.notifications.samples import CASE, SAMPLES

RULE_ID = re.compile("|".join(re.escape(rule) for rule in all_rules()))


def test_every_kind_has_a_sample_context():
    assert set(SAMPLES) == set(KINDS)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_in_both_languages(kind, language):
    for context in SAMPLES[kind]:
        rendered = render(kind, language, context)
        assert rendered.subject and "\n" not in rendered.subject
        assert rendered.text.strip()
        assert rendered.html.startswith("<!DOCTYPE html>")
        assert f'<html lang="{language}">' in rendered.html
        for part in (rendered.subject, rendered.text, rendered.html):
            assert "None" not in part
            assert "{{" not in part and "{%" not in part
            # Alerts by their titles, never the rules' internal ids (wages.unpaid …).
            assert not RULE_ID.search(part), RULE_ID.search(part)


def test_every_template_file_belongs_to_a_kind_and_every_kind_has_all_parts():
    for language in LANGUAGES:
        files = {p.name for p in (EMAIL_TEMPLATES / language).iterdir()}
        expected = {f"{kind}.{part}" for kind in KINDS for part in PARTS}
        assert {name for name in files if not name.startswith("_")} == expected


def test_the_languages_differ():
    context = SAMPLES["case_reminder"][0]
    zh, en = render("case_reminder", "zh-CN", context), render("case_reminder", "en", context)
    assert "调解期限" in zh.subject and "还剩 3 天" in zh.subject
    assert "mediation deadline" in en.subject and "3 days left" in en.subject


def test_a_missing_variable_is_an_error_not_a_blank():
    context = SAMPLES["alert_critical"][0]
    variables = {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}
    del variables["employer_name"]
    with pytest.raises(UndefinedError):
        render_variables("alert_critical", "zh-CN", variables)


def test_a_missing_attribute_of_a_nested_value_is_an_error():
    variables = {**SAMPLES["case_new"][0].__dict__, "case": {"reference": "X"}}
    with pytest.raises(UndefinedError):
        render_variables("case_new", "en", variables)


def test_a_context_of_the_wrong_type_is_refused():
    with pytest.raises(TypeError):
        render("alert_critical", "en", SAMPLES["alert_digest"][0])
    with pytest.raises(ValueError):
        render("no_such_kind", "en", SAMPLES["alert_digest"][0])
    with pytest.raises(ValueError):
        render("alert_digest", "fr", SAMPLES["alert_digest"][0])


def test_data_is_escaped_in_html_and_kept_in_text():
    case = dataclasses.replace(CASE, employer_name="<script>alert(1)</script> & Co")
    context = dataclasses.replace(SAMPLES["case_new"][0], case=case)
    rendered = render("case_new", "en", context)
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in rendered.html
    assert "<script>alert(1)</script> & Co" in rendered.text


def test_a_newline_in_the_data_cannot_start_a_header():
    case = dataclasses.replace(CASE, reference="X\r\nBcc: victim@example.com")
    rendered = render(
        "case_reminder", "en", dataclasses.replace(SAMPLES["case_reminder"][0], case=case)
    )
    assert "\n" not in rendered.subject and "\r" not in rendered.subject


def test_the_employer_notice_type_has_no_identity_fields_unless_disclosed():
    names = {f.name for f in dataclasses.fields(c.EmployerComplaintNotice)}
    # Not even the case's facts: months, amount and headcount point at one worker too.
    assert not names & {"worker_name", "phone", "id_number", "description", "case"}
    disclosed = {f.name for f in dataclasses.fields(c.EmployerComplaintNoticeWithIdentity)}
    assert {"worker_name", "phone", "case"} <= disclosed


def _case_values() -> list[str]:
    n = CASE.workers_affected
    return [
        CASE.period_from, CASE.period_to, "45,600.00", "4560000", CASE.project_name,
        CASE.received_on.isoformat(), CASE.mediation_due_on.isoformat(),
        f"{n} 人", f"{n} worker", f"：{n}", f": {n}",
    ]  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_employer_notice_tells_nothing_of_the_case_unless_disclosed(language):
    *hidden, shown = SAMPLES["employer_complaint_notice"]
    for context in hidden:
        rendered = render("employer_complaint_notice", language, context)
        for part in (rendered.subject, rendered.text, rendered.html):
            assert "张三" not in part and "13800000001" not in part
            assert not [value for value in _case_values() if value in part]
            assert context.reference in part
    rendered = render("employer_complaint_notice", language, shown)
    assert "张三" in rendered.text and "13800000001" in rendered.html
    assert "45,600.00" in rendered.text and "2026-08" in rendered.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_typed_employer_name_never_reaches_a_subject(language):
    typed = SAMPLES["group_complaint_alert"][1]
    rendered = render("group_complaint_alert", language, typed)
    assert "evil" not in rendered.subject and "紧急" not in rendered.subject
    assert "<title>" in rendered.html and "evil.example 核实</title>" not in rendered.html
    # The body shows it for what it is: typed by the worker, not from the register.
    assert "evil.example" in rendered.text
    assert ("not in the register" if language == "en" else "未在登记名录中") in rendered.text


def test_money_is_shown_in_yuan_without_floats():
    assert yuan(12_345_678) == "¥123,456.78"
    assert yuan(5) == "¥0.05"
    assert yuan(-150) == "-¥1.50"
    assert yuan(None) == "—"


def _field_names(kind: type) -> set[str]:
    names = set()
    for f in dataclasses.fields(kind):
        names.add(f.name)
        inner = f.type if isinstance(f.type, type) else None
        if inner is not None and dataclasses.is_dataclass(inner):
            names |= _field_names(inner)
    return names


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_no_e_mail_kind_can_carry_a_tracking_code_or_pin(kind):
    # They are the worker's alone, and workers get no e-mail.
    assert not {"tracking_code", "pin", "pin_hash"} & _field_names(KINDS[kind])
