"""Every table, imported once so that metadata (and Alembic) sees them all."""

from sqlmodel import SQLModel

from service.alerts.models import Alert, AlertEvent, DataVersion, MonitorRun
from service.audit.models import AuditEntry
from service.auth.models import ApiToken, User, UserScope, UserSession
from service.casework.models import CaseMessage, InspectionCase
from service.committees.models import MediationCommittee
from service.complaints.models import Complaint, ComplaintEvent, MediationSession
from service.contracts.models import Contract
from service.deposits.models import DepositEvent, DepositProof
from service.employers.models import Employer
from service.evidence.models import ComplaintEvidence
from service.imports.models import ImportJob
from service.insurance.models import InsuranceCoverage
from service.jurisdictions.models import CountyCoordinators, Jurisdiction
from service.legal_aid.models import LegalAidApplication, LegalAidEvent
from service.notifications.models import AlertSubscription, OutboxMessage
from service.overview.models import PlaceMonth, PlaceSummary, PlaceTopEmployer
from service.payroll.models import PayrollEntry
from service.projects.models import Project
from service.ratelimit import RateLimitCount, RateLimitDelay, RateLimitSlot
from service.reports.models import AssessmentFigures
from service.risk.models import EmployerRiskTier
from service.workers.models import Worker

metadata = SQLModel.metadata

__all__ = [
    "Alert",
    "AlertEvent",
    "AlertSubscription",
    "ApiToken",
    "AssessmentFigures",
    "AuditEntry",
    "CaseMessage",
    "Complaint",
    "ComplaintEvent",
    "ComplaintEvidence",
    "Contract",
    "CountyCoordinators",
    "DataVersion",
    "DepositEvent",
    "DepositProof",
    "Employer",
    "EmployerRiskTier",
    "ImportJob",
    "InspectionCase",
    "InsuranceCoverage",
    "Jurisdiction",
    "LegalAidApplication",
    "LegalAidEvent",
    "MediationCommittee",
    "MediationSession",
    "MonitorRun",
    "OutboxMessage",
    "PayrollEntry",
    "PlaceMonth",
    "PlaceSummary",
    "PlaceTopEmployer",
    "Project",
    "RateLimitCount",
    "RateLimitDelay",
    "RateLimitSlot",
    "User",
    "UserScope",
    "UserSession",
    "Worker",
    "metadata",
]
