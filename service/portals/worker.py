"""The worker's front door: no account, plain language, Chinese first (templates/worker/).

What to do about unpaid wages, the worker's rights with today's figures from data/, and
where free help is. It asks for nothing and shows no personal data. GET /api/worker/rights
is its JSON twin, built by the same function.
"""

from datetime import date

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel import Session

from monitors.reference import LegalBasis, Reference
from service import clock
from service.committees.models import MediationCommittee
from service.deps import ReferenceDep, SessionDep, SettingsDep
from service.i18n import translate
from service.jurisdictions.models import Jurisdiction
from service.legal_aid.reference import hotline_phone
from service.money import yuan
from service.web import render

pages = APIRouter(prefix="/worker", include_in_schema=False)
api = APIRouter(prefix="/api/worker", tags=["worker"])

COMPLAINT_PAGE = "/worker/complaint"  # built with the complaint service
LANGS = (("zh", "zh-CN"), ("en", "en"))  # field suffix, catalogue language


class Guidance(BaseModel):
    """One plain-language statement, in both languages, with the article behind it."""

    id: str
    text_zh: str
    text_en: str
    legal_basis_zh: str = ""
    legal_basis_en: str = ""


class CountyMinimumWage(BaseModel):
    county_code: str
    county_zh: str
    county_en: str
    monthly_fen: int
    hourly_fen: int  # for part-time work (非全日制)
    valid_from: date
    legal_basis_zh: str
    legal_basis_en: str


class HelpChannel(BaseModel):
    id: str
    phone: str | None
    name_zh: str
    name_en: str
    text_zh: str
    text_en: str


class MediationCentre(BaseModel):
    code: str
    name: str
    county_code: str
    county_zh: str
    county_en: str


class WorkerRights(BaseModel):
    as_of: date
    steps: list[Guidance]  # what to do when wages are not paid
    rights: list[Guidance]
    minimum_wages: list[CountyMinimumWage]
    help: list[HelpChannel]
    mediation_centres: list[MediationCentre]


@pages.get("")
def front_door(
    request: Request, session: SessionDep, settings: SettingsDep, reference: ReferenceDep
) -> Response:
    # No ActorDep: the page is the same for everyone, and an anonymous actor's default
    # locale would otherwise hide the browser's Accept-Language.
    rights = worker_rights(
        session=session, reference=reference, today=clock.today(settings.time_zone)
    )
    context = {
        "rights": rights,
        "wage_groups": _wage_groups(rights.minimum_wages),
        "complaint_page": COMPLAINT_PAGE,
        "labour_hotline": hotline_phone("labour"),
        "whole_yuan": whole_yuan,
    }
    return render(request, "worker/index.html", context)


@api.get("/rights", response_model=WorkerRights)
def rights_api(session: SessionDep, settings: SettingsDep, reference: ReferenceDep) -> WorkerRights:
    """A worker's rights, each county's minimum wage in force today and free help; no sign-in."""
    return worker_rights(
        session=session, reference=reference, today=clock.today(settings.time_zone)
    )


def worker_rights(*, session: Session, reference: Reference, today: date) -> WorkerRights:
    minimum_wages = _minimum_wages(reference, today)
    return WorkerRights(
        as_of=today,
        steps=_steps(reference, today),
        rights=_rights(reference, today, minimum_wages),
        minimum_wages=minimum_wages,
        help=_help(),
        mediation_centres=_mediation_centres(session),
    )


def whole_yuan(fen: int) -> str:
    """2,490 rather than 2,490.00: easier to read, and the figures are whole yuan."""
    return yuan(fen, symbol=False, drop_zero_cents=True)


def _text(key: str, **values: object) -> dict[str, str]:
    return {f"text_{lang}": translate(code, key, **values) for lang, code in LANGS}


def _guidance(name: str, basis: LegalBasis | None = None, **values: object) -> Guidance:
    """`name` is "<group>.<id>"; its text is the catalogue's "worker.<group>.<id>"."""
    basis_texts = {"legal_basis_zh": basis.zh, "legal_basis_en": basis.en} if basis else {}
    id = name.rsplit(".", 1)[-1]
    return Guidance(id=id, **_text(f"worker.{name}", **values), **basis_texts)


def _joined(*parts: LegalBasis) -> LegalBasis:
    zh = "；".join(dict.fromkeys(part.zh for part in parts))
    en = "; ".join(dict.fromkeys(part.en for part in parts))
    return LegalBasis(zh=zh, en=en, source="", status="")


def _catalogue_basis(key: str) -> LegalBasis:
    """An article that sets no figure, so it has no row in data/: its citation is text."""
    return LegalBasis(zh=translate("zh-CN", key), en=translate("en", key), source="", status="")


def _steps(reference: Reference, today: date) -> list[Guidance]:
    arbitration = reference.param("arbitration_limitation_years", today)
    return [
        _guidance("step.evidence"),
        _guidance("step.complain", phone=hotline_phone("labour")),
        _guidance("step.mediate"),
        _guidance("step.arbitrate", arbitration.basis, years=arbitration.value),
        _guidance(
            "step.legal_aid",
            _catalogue_basis("worker.basis.legal_aid"),
            phone=hotline_phone("legal_aid"),
        ),
    ]


def _rights(
    reference: Reference, today: date, minimum_wages: list[CountyMinimumWage]
) -> list[Guidance]:
    def param(name: str) -> int | float:
        return reference.param(name, today).value

    def basis(*names: str) -> LegalBasis:
        return _joined(*(reference.param(name, today).basis for name in names))

    probation = [
        f"probation_max_months_{term}"
        # The first three allow none (LCL Art. 19, 70): named in the text, cited in the basis.
        for term in ("under_3m", "task_based", "part_time", "3m_to_1y", "1y_to_3y", "3y_plus")
    ]
    injury = ("injury_report_employer_days", "injury_report_worker_years")
    wage_basis = _joined(
        *(LegalBasis(w.legal_basis_zh, w.legal_basis_en, "", "") for w in minimum_wages)
    )
    return [
        _guidance(
            "right.contract",
            basis("written_contract_deadline_months", "double_wage_max_months"),
            months=param("written_contract_deadline_months"),
            double_months=param("double_wage_max_months"),
        ),
        _guidance(
            "right.wages",
            basis("pay_frequency_min_times_per_month"),
            times=param("pay_frequency_min_times_per_month"),
        ),
        _guidance("right.minimum_wage", wage_basis),
        _guidance(
            "right.injury",
            _joined(_catalogue_basis("worker.basis.injury_premium"), basis(*injury)),
            employer_days=param(injury[0]),
            worker_years=param(injury[1]),
        ),
        _guidance(
            "right.probation",
            basis(*probation, "probation_wage_min_ratio_bp"),
            short=param(probation[3]),
            medium=param(probation[4]),
            long=param(probation[5]),
            percent=param("probation_wage_min_ratio_bp") // 100,  # basis points → per cent
        ),
    ]


def _minimum_wages(reference: Reference, today: date) -> list[CountyMinimumWage]:
    """Each county's monthly and hourly minimum wage in force today, through its tier."""
    wages = reference.minimum_wages
    day = pd.Timestamp(today)
    started = wages["valid_from"] <= day
    in_force = wages[started & (wages["valid_to"].isna() | (day <= wages["valid_to"]))]
    by_tier = {int(row.tier): row for row in in_force.itertuples(index=False)}
    places = reference.jurisdictions
    counties = places[(places["level"] == "county") & places["min_wage_tier"].notna()]
    return [
        CountyMinimumWage(
            county_code=str(code),
            county_zh=county.name_zh,
            county_en=county.name_en,
            monthly_fen=int(wage.monthly_fen),
            hourly_fen=int(wage.hourly_fen),
            valid_from=wage.valid_from.date(),
            # The county's tier is part of the figure, and its assignment is to be confirmed.
            legal_basis_zh=f"{wage.legal_basis_zh}；{county.legal_basis_zh}",
            legal_basis_en=f"{wage.legal_basis_en}; {county.legal_basis_en}",
        )
        for code, county in counties.iterrows()
        if (wage := by_tier.get(int(county.min_wage_tier))) is not None
    ]


def _wage_groups(wages: list[CountyMinimumWage]) -> list[CountyMinimumWage]:
    """One row per distinct (start, basis): what the page prints once under the table."""
    return list({(w.valid_from, w.legal_basis_zh): w for w in wages}.values())


def _help() -> list[HelpChannel]:
    channels = (
        ("labour_hotline", hotline_phone("labour")),
        ("legal_hotline", hotline_phone("legal_aid")),
    )
    return [
        *(_channel(id, phone) for id, phone in channels),
        _channel("green_channel", None),
    ]


def _channel(id: str, phone: str | None) -> HelpChannel:
    name = {f"name_{lang}": translate(code, f"worker.help.{id}") for lang, code in LANGS}
    text = {f"text_{lang}": translate(code, f"worker.help.{id}.text") for lang, code in LANGS}
    return HelpChannel(id=id, phone=phone, **name, **text)


def _mediation_centres(session: Session) -> list[MediationCentre]:
    """Each county's labour-dispute mediation centre on record (kind county_centre)."""
    rows = session.execute(
        select(MediationCommittee, Jurisdiction)
        .join(Jurisdiction, Jurisdiction.code == MediationCommittee.county_code)
        .where(MediationCommittee.kind == "county_centre")
        .order_by(MediationCommittee.county_code, MediationCommittee.name)
    ).all()
    return [
        MediationCentre(
            code=centre.code,
            name=centre.name,
            county_code=county.code,
            county_zh=county.name_zh,
            county_en=county.name_en,
        )
        for centre, county in rows
    ]


# The app registers one router per portal: the pages and their API twin travel together.
router = APIRouter()
router.include_router(pages)
router.include_router(api)
