"""Evidence files a worker attached to a complaint: only the cleaned file is stored."""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from service.clock import utc_now


class ComplaintEvidence(SQLModel, table=True):
    __tablename__ = "complaint_evidence"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    # The worker's own file name, kept only as a label (the worker sees it; handlers too).
    original_name: str = Field(max_length=200)
    stored_name: str = Field(max_length=64, unique=True)  # generated (service/evidence/storage.py)
    content_type: str = Field(max_length=40)
    size_bytes: int
    sha256: str = Field(max_length=64)
    # Which kinds of metadata the original carried ("gps", "exif", "xmp", …), never their values.
    removed_metadata: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    uploaded_at: datetime = Field(default_factory=utc_now)
