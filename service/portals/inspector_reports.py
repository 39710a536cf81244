"""The county assessment (考核) for inspectors: the page, its XLSX and PDF, and the city's
e-mail circulation (templates/inspector/reports/).

Who may read it is one function, `flows.assessment.can_read_reports`; who may circulate it,
`can_send_reports` (the city's inspectors). A county inspector sees its own counties with
their city-wide ranks.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from monitors.reference import Reference
from service import clock
from service.auth.actors import Actor
from service.bounds import FormText
from service.csrf import verify_csrf
from service.deps import ActorDep, InspectorDep, ReferenceDep, SessionDep, SettingsDep
from service.errors import Forbidden, Unauthenticated
from service.flows import assessment as flow
from service.flows.assessment import Assessment, Indicator, Measured, Period
from service.i18n import language_of, translate
from service.money import yuan
from service.reports.pdf import html_to_pdf
from service.reports.xlsx import Sheet, workbook_to_xlsx
from service.web import render, templates

router = APIRouter(prefix="/inspector/reports", include_in_schema=False)
FIRST_YEAR, LAST_YEAR = 2020, 2100
QuarterChoice = Literal["", "1", "2", "3", "4"]
YearQuery = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)]
QuarterQuery = Annotated[QuarterChoice, Query()]


def reports_reader(actor: ActorDep) -> Actor:
    if actor.is_anonymous:
        raise Unauthenticated("sign in first")
    if not flow.can_read_reports(actor):
        raise Forbidden("only for inspectors of a county or of the city")
    return actor


ReaderDep = Annotated[Actor, Depends(reports_reader)]


def _period(year: int | None, quarter: str) -> Period:
    return Period(year or clock.today().year, int(quarter) if quarter else None)


# --- the view model: the same rows for the page, the workbook and the PDF ----------------------


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    value: str
    points: str
    evidence: str
    measured: Measured


@dataclass(frozen=True)
class CountyView:
    code: str
    name: str
    rank: str
    score: str
    figures: list[Figure]
    shortfall: int


def _number(value: float, places: int = 1) -> str:
    return f"{value:,.{places}f}"


def value_text(indicator: Indicator, measured: Measured, language: str) -> str:
    if measured.value is None:
        return "—"
    if indicator.unit == "bp":
        return translate(language, "assessment.percent", value=_number(measured.value / 100))
    return translate(language, "assessment.days", value=_number(measured.value))


def evidence_text(indicator: Indicator, measured: Measured, language: str, limit: int) -> str:
    extra = measured.extra
    key = f"assessment.evidence.{indicator.measure}"
    values: dict[str, Any] = {"numerator": measured.numerator, "denominator": measured.denominator}
    if indicator.measure == "deposit_coverage":
        values |= {
            "required": yuan(extra.get("required_fen", 0)),
            "shortfall": yuan(extra.get("shortfall_fen", 0)),
        }
    elif indicator.measure == "arrears_settled_share":
        if "found_fen" in extra:
            values |= {"found": yuan(extra["found_fen"]), "settled": yuan(extra["settled_fen"])}
        else:
            key += ".count"
    elif indicator.measure == "coordinator_staffing":
        values |= {
            "registered": f"{extra.get('registered_migrants', 0):,}",
            "per": extra.get("per_coordinator", 0),
            "required": extra.get("required", 0),
            "shortfall": extra.get("shortfall", 0),
        }
    elif indicator.measure == "mediation_within_period":
        values["limit"] = limit
    if measured.value is None and not extra:
        return translate(language, "assessment.not_measured")
    text = translate(language, key, **values)
    if measured.value is None:
        text += "；" if language == "zh-CN" else "; "
        text += translate(language, "assessment.not_measured")
    return text


def county_views(assessment: Assessment, language: str, mediation_days: int) -> list[CountyView]:
    views = []
    for county in assessment.counties:
        figures = []
        shortfall = 0
        for indicator in assessment.indicators:
            measured = county.measured[indicator.id]
            if indicator.measure == "coordinator_staffing":
                shortfall = int(measured.extra.get("shortfall", 0))
            figures.append(
                Figure(
                    indicator=indicator,
                    value=value_text(indicator, measured, language),
                    points="—" if measured.points is None else _number(measured.points),
                    evidence=evidence_text(indicator, measured, language, mediation_days),
                    measured=measured,
                )
            )
        views.append(
            CountyView(
                code=county.code,
                name=county.name(language),
                rank="—" if county.rank is None else str(county.rank),
                score="—" if county.score is None else _number(county.score),
                figures=figures,
                shortfall=shortfall,
            )
        )
    return views


def threshold_text(indicator: Indicator, value: int, language: str) -> str:
    if indicator.unit == "bp":
        return translate(language, "assessment.percent", value=_number(value / 100, 0))
    return translate(language, "assessment.days", value=value)


def _context(
    request: Request, actor: Actor, assessment: Assessment, reference: ReferenceDep
) -> dict[str, Any]:
    language = language_of(request, actor.locale)
    days = int(reference.value("mediation_period_days", on=assessment.period.end))
    return {
        "assessment": assessment,
        "period_label": assessment.period.label(language),
        "counties": county_views(assessment, language, days),
        "threshold": lambda indicator, value: threshold_text(indicator, value, language),
        "language": language,
    }


def _assessment(session: Session, actor: Actor, reference: Reference, period: Period) -> Assessment:
    found = flow.assess(
        conn=session.connection(), reference=reference, period=period, today=clock.today()
    )
    return found.within(actor)


# --- routes -------------------------------------------------------------------------------------


@router.get("/assessment", response_class=HTMLResponse)
def assessment_page(
    request: Request,
    session: SessionDep,
    actor: ReaderDep,
    reference: ReferenceDep,
    year: YearQuery = None,
    quarter: QuarterQuery = "",
    sent: Annotated[int | None, Query(ge=0, le=flow.MAX_RECIPIENTS)] = None,
) -> HTMLResponse:
    period = _period(year, quarter)
    return _page(request, session, actor, reference, period, sent=sent)


def _page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    reference: ReferenceDep,
    period: Period,
    *,
    sent: int | None = None,
    error: str | None = None,
    recipients: str = "",
) -> HTMLResponse:
    assessment = _assessment(session, actor, reference, period)
    cities = flow.city_codes(session.connection())
    query = {"year": period.year} | ({"quarter": period.quarter} if period.quarter else {})
    context = _context(request, actor, assessment, reference) | {
        "period": period,
        "years": list(range(clock.today().year, FIRST_YEAR - 1, -1)),
        "query": query,
        "can_send": flow.can_send_reports(actor, cities),
        "sent": sent,
        "error": error,
        "recipients": recipients,
        "max_recipients": flow.MAX_RECIPIENTS,
    }
    return render(
        request,
        "inspector/reports/assessment.html",
        context,
        status_code=422 if error else 200,
    )


@router.get("/assessment.xlsx")
def assessment_xlsx(
    request: Request,
    session: SessionDep,
    actor: ReaderDep,
    reference: ReferenceDep,
    year: YearQuery = None,
    quarter: QuarterQuery = "",
) -> Response:
    """The assessment as a workbook: scores and ranks, every figure with its counts, and the
    indicators with weights and basis."""
    period = _period(year, quarter)
    assessment = _assessment(session, actor, reference, period)
    context = _context(request, actor, assessment, reference)
    body = workbook_to_xlsx(_sheets(context, context["language"]))
    name = f"assessment-{period.key}.xlsx"
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _sheets(context: dict[str, Any], language: str) -> list[Sheet]:
    def t(key: str) -> str:
        return translate(language, f"assessment.col.{key}")

    counties: list[CountyView] = context["counties"]
    assessment: Assessment = context["assessment"]
    scores = Sheet(
        translate(language, "assessment.sheet.scores"),
        [t("rank"), t("county"), t("score"), t("shortfall")]
        + [f"{i.name(language)}（{i.weight}）" for i in assessment.indicators],
        [
            [
                None if c.rank == "—" else int(c.rank),
                c.name,
                None if c.score == "—" else round(float(c.score.replace(",", "")), 1),
                c.shortfall,
                *[
                    None if f.measured.points is None else round(f.measured.points, 1)
                    for f in c.figures
                ],
            ]
            for c in counties
        ],
    )
    evidence = Sheet(
        translate(language, "assessment.sheet.evidence"),
        [
            t("county"),
            t("indicator"),
            t("weight"),
            t("value"),
            t("points"),
            t("numerator"),
            t("denominator"),
            t("evidence"),
        ],
        [
            [
                c.name,
                f.indicator.name(language),
                f.indicator.weight,
                f.value,
                None if f.measured.points is None else round(f.measured.points, 1),
                f.measured.numerator,
                f.measured.denominator,
                f.evidence,
            ]
            for c in counties
            for f in c.figures
        ],
    )
    indicators = Sheet(
        translate(language, "assessment.sheet.indicators"),
        [
            t("indicator"),
            t("weight"),
            t("target"),
            t("floor"),
            t("status"),
            t("definition"),
            t("legal_basis"),
        ],
        [
            [
                i.name(language),
                i.weight,
                context["threshold"](i, i.target),
                context["threshold"](i, i.floor),
                translate(language, f"assessment.status.{i.status}"),
                i.definition(language),
                i.legal_basis(language),
            ]
            for i in assessment.indicators
        ],
    )
    return [scores, evidence, indicators]


@router.get("/assessment.pdf")
def assessment_pdf(
    request: Request,
    session: SessionDep,
    actor: ReaderDep,
    reference: ReferenceDep,
    year: YearQuery = None,
    quarter: QuarterQuery = "",
) -> Response:
    """The printable report (a plain `def`: WeasyPrint's work runs on the thread pool)."""
    period = _period(year, quarter)
    assessment = _assessment(session, actor, reference, period)
    context = _context(request, actor, assessment, reference)
    language = context["language"]
    html = templates.get_template("inspector/reports/assessment_print.html").render(
        context
        | {
            "t": lambda key, **values: translate(language, key, **values),
            "lang": language,
            "generated": clock.shown(clock.utc_now()),
        }
    )
    pdf = html_to_pdf(html, lang="en" if language == "en" else "zh-CN", landscape=True)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="assessment-{period.key}.pdf"'},
    )


@router.post("/assessment/email", dependencies=[Depends(verify_csrf)])
def assessment_email(
    request: Request,
    session: SessionDep,
    actor: InspectorDep,  # a supervisor reads, never circulates (403 before the form is read)
    reference: ReferenceDep,
    settings: SettingsDep,
    year: Annotated[int, Form(ge=FIRST_YEAR, le=LAST_YEAR)],
    quarter: Annotated[QuarterChoice, Form()] = "",
    recipients: Annotated[FormText, Form()] = "",
) -> Response:
    """A city inspector circulates the assessment to a list of addresses (audited)."""
    cities = flow.city_codes(session.connection())
    if not flow.can_send_reports(actor, cities):
        raise Forbidden(translate(language_of(request, actor.locale), "assessment.email.only_city"))
    period = _period(year, quarter)
    try:
        addresses = flow.parse_recipients(recipients)
    except flow.RecipientsInvalid as refused:
        language = language_of(request, actor.locale)
        message = translate(language, refused.message, **refused.values)
        return _page(
            request, session, actor, reference, period, error=message, recipients=recipients
        )
    count = flow.send_assessment(
        session,
        reference=reference,
        actor=actor,
        period=period,
        recipients=addresses,
        city_code=min(actor.counties & cities),
        base_url=settings.mail_base_url,
        today=clock.today(),
    )
    query = f"year={period.year}" + (f"&quarter={period.quarter}" if period.quarter else "")
    return RedirectResponse(f"/inspector/reports/assessment?{query}&sent={count}", status_code=303)


# The inspector portal's menu shows the report to those who may read it.
templates.env.globals["can_read_reports"] = flow.can_read_reports
