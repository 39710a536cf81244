"""An employer's upload imported in the background: its files, progress and report."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column
from sqlmodel import Field, SQLModel

from service.clock import utc_now

IMPORT_JOB_STATUSES = ("queued", "running", "done", "refused", "failed")
FINISHED_STATUSES = ("done", "refused", "failed")


class ImportJob(SQLModel, table=True):
    """One upload, run outside the request that stored it.

    queued → running → done (written) | refused (the row-level report, nothing written) |
    failed (after the last attempt). A job left running by a process that died is taken
    over once its lease has passed (heartbeat_at). The files wait under `folder`, a
    generated name under the upload folder (outside the web root), and are removed when the
    job finishes. `key` names the job in addresses: random, so it tells nothing of how
    many imports there are.
    """

    __tablename__ = "import_job"
    __table_args__ = (CheckConstraint(f"status IN {IMPORT_JOB_STATUSES}", name="status_valid"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=32, unique=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    status: str = Field(default="queued", max_length=10, index=True)
    folder: str = Field(max_length=64)
    files: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Progress, as the command line shows it: the file and step, rows done of rows.
    current_file: str = Field(default="", max_length=64)
    step: str = Field(default="", max_length=16)
    rows_total: int = 0
    rows_done: int = 0
    attempts: int = 0
    report: dict | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utc_now)
    started_at: datetime | None = None
    heartbeat_at: datetime | None = None
    finished_at: datetime | None = None
