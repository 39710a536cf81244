"""JSON API for legal-aid applications: the twin of the centre's pages (service/portals/
legal_aid.py), with the same checks: 404 outside the actor's county, 403 for an inspector where
the centre has an account, 409 for a status that cannot follow, 422 with {field: {"zh-CN",
"en"}} for bad input."""

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from monitors.identifiers import mask_id_number
from service import clock
from service.bounds import CodeText, FormText, NameText, RecordId
from service.deps import LegalAidReaderDep, SessionDep
from service.legal_aid import service as legal_aid
from service.legal_aid.models import LegalAidApplication

router = APIRouter(prefix="/api/legal-aid", tags=["legal aid"])


class ApplicationPublic(BaseModel):
    id: int
    status: str
    county_code: str
    matter: str
    received_on: date
    applicant_name: str
    phone: str
    id_number_masked: str
    amount_fen: int
    employer_text: str
    account: str
    hardship_check_exempt: bool
    hardship_statement: str | None
    refusal_reason: str | None
    lawyer_name: str | None
    from_complaint: bool


class StatusIn(BaseModel):
    status: CodeText  # accepted, refused, lawyer_assigned or closed
    refusal_reason: FormText = ""  # required for refused
    lawyer_name: NameText = ""  # required for lawyer_assigned


def _public(a: LegalAidApplication) -> ApplicationPublic:
    return ApplicationPublic(
        id=a.id or 0,
        status=a.status,
        county_code=a.county_code,
        matter=a.matter,
        received_on=a.received_on,
        applicant_name=a.applicant_name,
        phone=a.phone,
        id_number_masked=mask_id_number(a.id_number),
        amount_fen=a.amount_fen,
        employer_text=a.employer_text,
        account=a.account,
        hardship_check_exempt=a.hardship_check_exempt,
        hardship_statement=a.hardship_statement,
        refusal_reason=a.refusal_reason,
        lawyer_name=a.lawyer_name,
        from_complaint=a.complaint_id is not None,
    )


@router.get("", response_model=list[ApplicationPublic])
def list_applications(session: SessionDep, actor: LegalAidReaderDep) -> list[ApplicationPublic]:
    """The county's legal-aid applications, newest first."""
    return [_public(a) for a in legal_aid.list_for(session, actor)]


@router.get("/{application_id}", response_model=ApplicationPublic)
def get_application(
    application_id: RecordId, session: SessionDep, actor: LegalAidReaderDep
) -> ApplicationPublic:
    """One application of the county (the identity number masked)."""
    return _public(legal_aid.get_readable(session, actor, application_id))


@router.post("/{application_id}/status", response_model=ApplicationPublic)
def record_status(
    application_id: RecordId, body: StatusIn, session: SessionDep, actor: LegalAidReaderDep
) -> ApplicationPublic:
    """Record the centre's decision (audited); the applicant sees it on the tracking page."""
    application = legal_aid.record_status(
        session,
        actor,
        application_id,
        status=body.status,
        refusal_reason=body.refusal_reason,
        lawyer_name=body.lawyer_name,
        now=clock.utc_now(),
    )
    return _public(application)
