"""Render an e-mail kind from its typed context: subject, plain text and HTML.

Templates live in templates/email/<language>/<kind>.subject.txt, .txt and .html. The
Environment is the e-mails' own, with StrictUndefined: a variable the context does not
supply is an error at enqueue time, never a blank in a sent message.
"""

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from service.alerts.severity import words as severity_words
from service.config import PROJECT_ROOT
from service.money import yuan
from service.notifications import contexts as c

EMAIL_TEMPLATES = PROJECT_ROOT / "templates" / "email"
LANGUAGES = ("zh-CN", "en")

KINDS: dict[str, type] = {
    "alert_critical": c.AlertCritical,
    "alert_digest": c.AlertDigest,
    "case_new": c.CaseNew,
    "case_reminder": c.CaseReminder,
    "case_message": c.CaseMessageNotice,
    "proof_decision": c.ProofDecision,
    "employer_alert_notice": c.EmployerAlertNotice,
    # Also takes EmployerComplaintNoticeWithIdentity, its subclass.
    "employer_complaint_notice": c.EmployerComplaintNotice,
    "group_complaint_alert": c.GroupComplaintAlert,
    "assessment_report": c.AssessmentReport,
    "legal_aid_application": c.LegalAidApplicationNew,
}
PARTS = ("subject.txt", "txt", "html")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def iso_day(day: date | None) -> str:
    return "—" if day is None else day.isoformat()


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(EMAIL_TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates ship with the code: not checked on disk for changes at every message.
        auto_reload=False,
    )
    env.filters["yuan"] = yuan
    env.filters["day"] = iso_day
    env.globals["severity_words"] = severity_words
    return env


ENVIRONMENT = _environment()


def render(kind: str, language: str, context: Any) -> Rendered:
    """Render `kind` in `language` from its context dataclass."""
    expected = KINDS.get(kind)
    if expected is None:
        raise ValueError(f"unknown e-mail kind {kind!r}")
    if not isinstance(context, expected):
        raise TypeError(f"{kind} needs a {expected.__name__}, not {type(context).__name__}")
    variables = {f.name: getattr(context, f.name) for f in fields(context)}
    return render_variables(kind, language, variables)


def render_variables(kind: str, language: str, variables: dict[str, Any]) -> Rendered:
    """Render from plain variables; a missing one raises jinja2.UndefinedError."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    values = {**variables, "language": language}
    subject, text, html = (
        ENVIRONMENT.get_template(f"{language}/{kind}.{part}").render(values) for part in PARTS
    )
    # One line: a newline in a subject would start a new header.
    return Rendered(subject=" ".join(subject.split()), text=text.strip() + "\n", html=html)
