"""Every e-mail kind renders in both languages; templates are strict and escape data."""

import dataclasses

import pytest
from jinja2 import UndefinedError

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
    del variables["legal_basis"]
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
    assert not names & {"worker_name", "phone", "id_number", "description"}
    disclosed = {f.name for f in dataclasses.fields(c.EmployerComplaintNoticeWithIdentity)}
    assert {"worker_name", "phone"} <= disclosed


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_employer_notice_names_the_worker_only_when_disclosed(language):
    hidden, shown = SAMPLES["employer_complaint_notice"]
    for rendered in [render("employer_complaint_notice", language, hidden)]:
        for part in (rendered.subject, rendered.text, rendered.html):
            assert "张三" not in part and "13800000001" not in part
    rendered = render("employer_complaint_notice", language, shown)
    assert "张三" in rendered.text and "13800000001" in rendered.html


def test_money_is_shown_in_yuan_without_floats():
    assert yuan(12_345_678) == "¥123,456.78"
    assert yuan(5) == "¥0.05"
    assert yuan(-150) == "-¥1.50"
    assert yuan(None) == "—"
