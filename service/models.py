"""Every table, imported once so that metadata (and Alembic) sees them all."""

from sqlmodel import SQLModel

from service.alerts.models import Alert, AlertEvent, DataVersion, MonitorRun
from service.audit.models import AuditEntry
from service.auth.models import ApiToken, User, UserScope, UserSession
from service.complaints.models import Complaint, ComplaintEvent, MediationSession
from service.contracts.models import Contract
from service.deposits.models import DepositEvent, DepositProof
from service.employers.models import Employer
from service.insurance.models import InsuranceCoverage
from service.jurisdictions.models import Jurisdiction
from service.mediation.models import MediationCommittee
from service.notifications.models import AlertSubscription, OutboxMessage
from service.payroll.models import PayrollEntry
from service.projects.models import Project
from service.workers.models import Worker

metadata = SQLModel.metadata

__all__ = [
    "Alert",
    "AlertEvent",
    "AlertSubscription",
    "ApiToken",
    "AuditEntry",
    "Complaint",
    "ComplaintEvent",
    "Contract",
    "DataVersion",
    "DepositEvent",
    "DepositProof",
    "Employer",
    "InsuranceCoverage",
    "Jurisdiction",
    "MediationCommittee",
    "MediationSession",
    "MonitorRun",
    "OutboxMessage",
    "PayrollEntry",
    "Project",
    "User",
    "UserScope",
    "UserSession",
    "Worker",
    "metadata",
]
