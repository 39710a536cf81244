"""Proof files: checked by their content, stored outside the web root under generated names.

Nothing here trusts what the browser says about a file: the type comes from the first bytes
(the "magic number"), the name only becomes a label, and the size is counted while reading.
"""

import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fastapi.responses import FileResponse

from service.imports.uploads import file_label

MAX_PROOF_BYTES = 10 * 1024 * 1024
CHUNK_BYTES = 64 * 1024

# First bytes → (content type, extension). PDF 1.7 (ISO 32000) §7.5.2, JPEG SOI + marker,
# the eight-byte PNG signature (RFC 2083 §3.1).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(?:pdf|jpg|png)$")


class FileRefused(Exception):
    """The upload is not an acceptable proof; `code` names the reason (a catalogue key)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    extension: str
    sha256: str

    @property
    def size_bytes(self) -> int:
        return len(self.data)


def read_capped(stream: BinaryIO, limit: int = MAX_PROOF_BYTES) -> bytes:
    """The whole stream, read in chunks; stops as soon as it passes `limit` bytes, so an
    oversize body is never held in full."""
    chunks, total = [], 0
    while chunk := stream.read(CHUNK_BYTES):
        total += len(chunk)
        if total > limit:
            raise FileRefused("too_large")
        chunks.append(chunk)
    return b"".join(chunks)


def detect_type(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes, or None for anything else."""
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    return None


def check_file(stream: BinaryIO) -> CheckedFile:
    """Read and check an uploaded proof: not empty, at most 10 MB, a PDF, JPEG or PNG."""
    data = read_capped(stream)
    if not data:
        raise FileRefused("empty")
    detected = detect_type(data)
    if detected is None:
        raise FileRefused("file_type")
    content_type, extension = detected
    return CheckedFile(data, content_type, extension, hashlib.sha256(data).hexdigest())


def label(file_name: str | None) -> str:
    """The uploader's file name, kept only as a label (no folders, no control characters)."""
    return file_label(file_name)


def store(upload_dir: Path, checked: CheckedFile) -> str:
    """Write the file under a new generated name; returns that name."""
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored_name = uuid.uuid4().hex + checked.extension
    # "x": never overwrite, even if a name were ever generated twice
    with (upload_dir / stored_name).open("xb") as handle:
        handle.write(checked.data)
    return stored_name


def path_of(upload_dir: Path, stored_name: str) -> Path:
    """Where a stored proof lives; only generated names are accepted."""
    if not STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"not a stored proof name: {stored_name!r}")
    return upload_dir / stored_name


def remove(upload_dir: Path, stored_name: str) -> None:
    path_of(upload_dir, stored_name).unlink(missing_ok=True)


def file_response(path: Path, content_type: str, download_name: str) -> FileResponse:
    """Always a download, never rendered in the site's origin, and never cached by others."""
    return FileResponse(
        path,
        media_type=content_type,
        filename=download_name,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )
