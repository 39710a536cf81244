"""The rights poster (维权信息告示牌) of an employer or one of its sites, as a one-page PDF.

Decree 724 Art. 34 asks the general contractor to put a rights-information board on every
site, naming the local minimum wage, the complaint hotline and the legal-aid channels; the
poster carries those, the worker's rights in brief, and a QR code (service/posters/qr.py) that
opens the complaint form with this employer and site already chosen. Always in Chinese: it
hangs on a site in Wenzhou. A download is an export, so it is written to the audit log.
"""

import base64
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session, col

from monitors.reference import Reference
from service.audit import service as audit
from service.auth.actors import Actor
from service.employers import service as employers
from service.employers.models import Employer
from service.errors import NotFound
from service.i18n import translate
from service.legal_aid.reference import load_legal_aid
from service.posters.qr import complaint_form_url, qr_png
from service.projects.models import Project
from service.reports.pdf import html_to_pdf
from service.web import templates

PaperSize = Literal["A4", "A3"]
PAPER_SIZES: tuple[PaperSize, ...] = ("A4", "A3")
LANGUAGE = "zh-CN"
BOARD_PARAMETER = "site_rights_board_required"  # data/parameters.csv: Decree 724 Art. 34
# Print resolution of the code: 20 px a module is ~250 dpi at A3's 12 cm code.
QR_PIXELS_PER_MODULE = 20


@dataclass(frozen=True)
class PosterSubject:
    """Whose poster: an employer, and one of its sites when the poster is for a site."""

    employer: Employer
    project: Project | None

    @property
    def county_code(self) -> str:
        """The county of work: the site's, else the employer's (a contractor may be
        registered in another county than its site)."""
        return self.project.county_code if self.project else self.employer.county_code


def for_inspector(
    *, session: Session, actor: Actor, employer_id: int, project_id: int | None
) -> PosterSubject:
    """An employer in the inspector's jurisdiction, and one of its sites; NotFound otherwise."""
    employer = employers.get_readable(session=session, actor=actor, employer_id=employer_id)
    return PosterSubject(employer, _own_project(session, employer, project_id))


def for_employer(*, session: Session, actor: Actor, project_id: int | None) -> PosterSubject:
    """The signed-in employer, and one of the sites it is the general contractor of."""
    employer = employers.own_employer(session, actor)
    return PosterSubject(employer, _own_project(session, employer, project_id))


def sites_of(*, session: Session, employer_id: int) -> list[Project]:
    """The sites an employer is the general contractor of: one poster each. The caller has
    checked that the actor may read the employer."""
    statement = select(Project).where(col(Project.contractor_id) == employer_id)
    return list(session.scalars(statement.order_by(col(Project.project_code))))


def _own_project(session: Session, employer: Employer, project_id: int | None) -> Project | None:
    if project_id is None:
        return None
    project = session.scalars(
        select(Project).where(
            col(Project.id) == project_id, col(Project.contractor_id) == employer.id
        )
    ).first()
    if project is None:
        raise NotFound(f"no project {project_id}")
    return project


def poster_pdf(
    *,
    session: Session,
    actor: Actor,
    subject: PosterSubject,
    reference: Reference,
    base_url: str,
    today: date,
    size: PaperSize,
) -> bytes:
    """The poster as a one-page PDF of the size asked for; the download is audited.

    `base_url` is the site's public address; the routes pass `Settings.mail_base_url`, the
    address the e-mails' links use, so a printed code and an e-mailed link agree."""
    html = poster_html(
        subject=subject, reference=reference, base_url=base_url, today=today, size=size
    )
    pdf = html_to_pdf(html, lang=LANGUAGE)
    project = subject.project
    audit.record(
        session,
        actor,
        "poster.download",
        "project" if project else "employer",
        project.project_code if project else subject.employer.uscc,
        employer_id=subject.employer.id,
        after={"size": size, "project_code": project.project_code if project else None},
    )
    return pdf


def poster_html(
    *, subject: PosterSubject, reference: Reference, base_url: str, today: date, size: PaperSize
) -> str:
    employer, project = subject.employer, subject.project
    url = complaint_form_url(
        base_url,
        employer.uscc,
        project.project_code if project else None,
        county_code=subject.county_code,
    )
    qr = base64.b64encode(qr_png(url, pixels_per_module=QR_PIXELS_PER_MODULE)).decode()
    legal_aid = load_legal_aid()
    context = {
        "t": lambda key, **values: translate(LANGUAGE, key, **values),
        "size": size,
        "employer": employer,
        "project": project,
        "county_zh": _county_name(reference, subject.county_code),
        "wage": _minimum_wage(reference, subject.county_code, today),
        "rights": _rights(reference, today),
        "labour_hotline": legal_aid.hotline("labour").phone,
        "legal_aid_hotline": legal_aid.hotline("legal_aid").phone,
        "qr_data_uri": f"data:image/png;base64,{qr}",
        "complaint_url": url,
        "board_basis": board_basis(reference, LANGUAGE),
        "today": today,
    }
    return templates.get_template("posters/poster.html").render(context)


def board_basis(reference: Reference, language: str) -> str:
    """The display duty's legal basis, as the obligations page cites it."""
    basis = reference.basis(BOARD_PARAMETER)
    return basis.en if language == "en" else basis.zh


def _county_name(reference: Reference, county_code: str) -> str:
    places = reference.jurisdictions
    return str(places.loc[county_code, "name_zh"]) if county_code in places.index else county_code


@dataclass(frozen=True)
class MinimumWage:
    monthly_fen: int
    hourly_fen: int


def _minimum_wage(reference: Reference, county_code: str, today: date) -> MinimumWage | None:
    """The county's minimum wage in force this month; None for a county without a tier."""
    counties, months = pd.Series([county_code]), pd.Series([today.strftime("%Y-%m")])
    monthly = reference.minimum_wage_fen(counties, months, "monthly").iloc[0]
    hourly = reference.minimum_wage_fen(counties, months, "hourly").iloc[0]
    if pd.isna(monthly) or pd.isna(hourly):
        return None
    return MinimumWage(int(monthly), int(hourly))


def _rights(reference: Reference, today: date) -> list[str]:
    """The rights in brief, their figures from data/ (the worker front door says them at
    length)."""

    def value(name: str) -> int | float:
        return reference.param(name, today).value

    def t(key: str, **values: object) -> str:
        return translate(LANGUAGE, key, **values)

    return [
        t("posters.right.contract", months=value("written_contract_deadline_months")),
        t("posters.right.wages", times=value("pay_frequency_min_times_per_month")),
        t("posters.right.minimum_wage"),
        t("posters.right.no_cards_kept"),
        t("posters.right.complain"),
        t("posters.right.legal_aid"),
    ]
