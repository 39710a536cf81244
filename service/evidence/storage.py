"""Where evidence files live: outside the web root, under generated names.

Its own naming beside service/deposits/proofs.py, whose names take no WebP: a worker's
screenshots often are WebP (service/evidence/cleaning.py).
"""

import re
import uuid
from pathlib import Path

from service.deposits.proofs import CheckedFile

EVIDENCE_FOLDER = "evidence"  # under settings.upload_dir, apart from the employers' proofs
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(?:pdf|jpg|png|webp)$")


def folder(upload_dir: Path) -> Path:
    return upload_dir / EVIDENCE_FOLDER


def store(upload_dir: Path, cleaned: CheckedFile) -> str:
    """Write the cleaned file under a new generated name; returns that name."""
    target = folder(upload_dir)
    target.mkdir(parents=True, exist_ok=True)
    stored_name = uuid.uuid4().hex + cleaned.extension
    with (target / stored_name).open("xb") as handle:  # "x": never overwrite
        handle.write(cleaned.data)
    return stored_name


def path_of(upload_dir: Path, stored_name: str) -> Path:
    """Where a stored evidence file lives; only generated names are accepted."""
    if not STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"not a stored evidence name: {stored_name!r}")
    return folder(upload_dir) / stored_name


def remove(upload_dir: Path, stored_name: str) -> None:
    path_of(upload_dir, stored_name).unlink(missing_ok=True)
