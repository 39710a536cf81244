"""A worker files a complaint: stored and routed (complaints) in the caller's transaction,
marked so that the outbox sender's next round queues the e-mails it causes — to the committee,
the employer and, for a group or construction complaint, the place's inspectors (service/
notifications/filed.py). The request does not wait for them: under a flood it files more.
"""

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session

from monitors.reference import Reference
from service.complaints import intake
from service.complaints import service as complaints
from service.complaints.form import ComplaintForm
from service.complaints.service import FiledComplaint


def file_once(
    session: Session,
    *,
    form: ComplaintForm,
    submission_key: str | None,
    address: str,
    received_at: datetime,
    reference: Reference,
) -> FiledComplaint:
    """File the complaint with its submission key.

    Raises Invalid (bad form or key) and TooManyRequests (address over its limit). A key
    already stored — a retry, or a concurrent twin — makes the complaint's INSERT raise
    IntegrityError (as does the rare repeat of a random tracking code): roll back and call
    `intake.replay`, which re-issues the PIN of the case filed with the key (or raises
    Conflict), and file again when it finds none."""
    submission = intake.submission_columns(submission_key=submission_key, form=form)
    filed = file_complaint(
        session, form=form, received_at=received_at, reference=reference, submission=submission
    )
    intake.count_for_address(session, address)
    return filed


def file_complaint(
    session: Session,
    *,
    form: ComplaintForm,
    received_at: datetime,
    reference: Reference,
    submission: Mapping[str, str] | None = None,
) -> FiledComplaint:
    """Check, store and route a complaint, its e-mails left to the sender's next round;
    Invalid({field: {"zh-CN", "en"}}) on bad input."""
    return complaints.file_complaint(
        session,
        form=form,
        received_at=received_at,
        reference=reference,
        submission=submission,
        notices_pending=True,
    )
