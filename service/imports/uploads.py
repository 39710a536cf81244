"""Contract files uploaded through a portal: saved under their contract names into the
folder of an import job (jobs.py), which runs the same importer as `wageguard import DIR`.

The uploader's file names are never used as paths: a file is saved under its contract name
(payroll.csv, …) when it has one of the allowed names, and refused otherwise.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from monitors.identifiers import mask_id_number
from service.imports.problems import combine, one_problem
from service.imports.service import SUFFIXES, ImportReport
from service.imports.spec import BY_NAME

IMPORT_MAX_BYTES = 50 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
LABEL_MAX_CHARS = 120
XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
# Anything shaped like a resident identity number, wherever it appears in a reported value
# (a duplicate key joins several columns into one value).
ID_NUMBER_LIKE = re.compile(r"\d{17}[\dXx]")


@dataclass
class Upload:
    file_name: str | None
    stream: BinaryIO


def file_label(file_name: str | None) -> str:
    """An uploader's file name as a harmless label: no folders, no control characters."""
    base = re.split(r"[\\/]", file_name or "")[-1]
    printable = "".join(c for c in base if not unicodedata.category(c).startswith("C"))
    return printable.strip().lstrip(".").strip()[:LABEL_MAX_CHARS] or "file"


def _chosen(uploads: list[Upload]) -> list[Upload]:
    """A file input left empty still sends a part with no name: skip those."""
    return [upload for upload in uploads if upload.file_name]


def save_uploads(folder: Path, uploads: list[Upload], allowed: tuple[str, ...]) -> pd.DataFrame:
    """Save each upload under its contract name; the problems of those that cannot be."""
    chosen = _chosen(uploads)
    if not chosen:
        return one_problem("", 0, "", "", "no_files")
    expected = ", ".join(f"{name}.csv" for name in allowed)
    found = []
    for upload in chosen:
        name = file_label(upload.file_name)
        target = name.lower()
        stem, suffix = Path(target).stem, Path(target).suffix
        if suffix not in SUFFIXES or stem not in BY_NAME:
            found.append(one_problem(name, 0, "", name, "unknown_file", expected))
        elif stem not in allowed:
            found.append(one_problem(name, 0, "", name, "employer_file_not_allowed", expected))
        elif (folder / target).exists():
            found.append(one_problem(name, 0, "", name, "duplicate_file"))
        else:
            found.append(_save(folder / target, upload.stream, name))
    return combine(found)


def _save(path: Path, stream: BinaryIO, name: str) -> pd.DataFrame:
    """Copy in chunks, stopping (and removing the part written) past the size limit."""
    total = 0
    with path.open("xb") as handle:
        while chunk := stream.read(CHUNK_BYTES):
            total += len(chunk)
            if total > IMPORT_MAX_BYTES:
                break
            handle.write(chunk)
    if total > IMPORT_MAX_BYTES:
        path.unlink()
        return one_problem(name, 0, "", name, "file_too_large", str(IMPORT_MAX_BYTES // 2**20))
    if path.suffix == ".xlsx" and not _is_workbook(path):
        path.unlink()
        return one_problem(name, 0, "", name, "unreadable", "not an .xlsx workbook")
    return combine([])


def _is_workbook(path: Path) -> bool:
    """Whether the file is a zip archive at all: a renamed file is refused here, before any
    import work (the importer checks the archive's contents against its limits)."""
    with path.open("rb") as handle:
        if handle.read(len(XLSX_MAGIC)) != XLSX_MAGIC:
            return False
    return zipfile.is_zipfile(path)


def problem_rows(report: ImportReport, language: str, limit: int) -> list[dict[str, object]]:
    """The first `limit` problems with the reason in `language`; identity numbers masked."""
    shown = report.problems.head(limit)
    reasons = shown["reason_en" if language == "en" else "reason_zh"]
    return [
        {
            "file": file,
            "row": int(row),
            "column": column,
            "value": ID_NUMBER_LIKE.sub(lambda found: mask_id_number(found.group()), value),
            "reason": reason,
        }
        for file, row, column, value, reason in zip(
            shown["file"], shown["row"], shown["column"], shown["value"], reasons, strict=True
        )
    ]
