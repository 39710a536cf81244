"""Evidence from the worker, through real HTTP on both databases: uploaded after the code and
PIN, stored only cleaned, shown to the case's handlers and to nobody else."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from service.app import create_app
from service.audit.models import AuditEntry
from service.complaints.models import ComplaintEvent
from service.config import Settings
from service.db import session_scope
from service.evidence import storage
from service.evidence.models import ComplaintEvidence
from tests.factories import case_reference, complaint_in_world, other_committee_mediator
from tests.service.portals._complaints import case_pass, csrf, status_page
from tests.service.portals.conftest import sign_in

GPS_IFD = 0x8825
MAKE, MODEL = 0x010F, 0x0110


def photo_with_gps() -> bytes:
    """A phone photo of a pay slip: it says where it was taken and on which phone."""
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = "Apple", "iPhone 15"
    exif[GPS_IFD] = {1: "N", 2: (27.0, 59.0, 30.5), 3: "E", 4: (120.0, 41.0, 58.2)}
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def client(world, uploads) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=world.db_url, upload_dir=uploads))) as c:
        yield c


def upload(client: TestClient, page, name: str, content: bytes, kind: str = "image/jpeg"):
    return client.post(
        "/worker/track/evidence",
        data={"csrf_token": csrf(page), "case_pass": case_pass(page)},
        files={"file": (name, content, kind)},
    )


def stored_rows(world) -> list[ComplaintEvidence]:
    with session_scope(world.engine) as session:
        rows = session.scalars(select(ComplaintEvidence).order_by(ComplaintEvidence.id)).all()
        session.expunge_all()
        return list(rows)


@pytest.fixture
def uploaded(client, world):
    """A worker's case with one photo uploaded from its status page."""
    filed = complaint_in_world(world)
    page = status_page(client, filed.tracking_code, filed.pin)
    answer = upload(client, page, "工资条.jpg", photo_with_gps())
    assert answer.status_code == 200, answer.text
    client.cookies.clear()
    [evidence] = stored_rows(world)
    return filed, evidence, answer


def test_the_stored_photo_has_no_gps_nor_any_exif(uploaded, uploads):
    _, evidence, _ = uploaded
    stored = storage.path_of(uploads, evidence.stored_name)
    with Image.open(stored) as image:
        assert not image.getexif()
        assert not image.getexif().get_ifd(GPS_IFD)
        assert "exif" not in image.info
    assert b"iPhone" not in stored.read_bytes()
    assert {"gps", "exif"} <= set(evidence.removed_metadata)
    assert list(uploads.rglob("*.jpg")) == [stored]  # only the cleaned file was kept
    assert evidence.content_type == "image/jpeg" and evidence.size_bytes == stored.stat().st_size


def test_the_worker_sees_the_count_and_the_name_and_the_timeline_says_only_that(uploaded, world):
    filed, _, answer = uploaded
    assert "工资条.jpg" in answer.text
    assert "已上传 1 个文件" in answer.text
    assert 'id="evidence-cleaned"' in answer.text
    assert "证据已上传" in answer.text
    assert filed.pin not in answer.text  # the pass, never the PIN, is in the page
    with session_scope(world.engine) as session:
        kinds = session.scalars(
            select(ComplaintEvent.kind).where(ComplaintEvent.complaint_id == filed.complaint_id)
        ).all()
        notes = session.scalars(
            select(ComplaintEvent.note).where(ComplaintEvent.kind == "evidence")
        ).all()
    assert "evidence" in kinds and notes == [None]


@pytest.mark.parametrize(
    ("lang", "words"), [("zh-CN", "只接受照片"), ("en", "Only photos (JPEG, PNG, WebP)")]
)
def test_a_file_that_is_not_an_image_is_refused_in_the_page_language(client, world, lang, words):
    filed = complaint_in_world(world)
    page = status_page(client, filed.tracking_code, filed.pin, lang=lang)
    answer = upload(client, page, "slip.jpg", b"MZ\x90\x00 not a photo", "image/jpeg")
    assert answer.status_code == 422
    assert words in answer.text
    assert stored_rows(world) == []


def test_a_forged_case_pass_opens_nothing(client, world):
    filed = complaint_in_world(world)
    page = status_page(client, filed.tracking_code, filed.pin)
    answer = client.post(
        "/worker/track/evidence",
        data={"csrf_token": csrf(page), "case_pass": f"{filed.tracking_code}.9999999999.00"},
        files={"file": ("a.jpg", photo_with_gps(), "image/jpeg")},
    )
    assert answer.status_code == 403
    assert stored_rows(world) == []


def test_a_case_takes_at_most_the_set_number_of_files(client, world):
    client.app.state.settings.evidence_max_files_per_complaint = 1
    filed = complaint_in_world(world)
    page = status_page(client, filed.tracking_code, filed.pin)
    first = upload(client, page, "1.jpg", photo_with_gps())
    assert first.status_code == 200
    # The upload form is gone once the case is full (the message form keeps its case pass).
    assert 'action="/worker/track/evidence"' not in first.text
    second = upload(client, page, "2.jpg", photo_with_gps())
    assert second.status_code == 422
    assert "最多可以上传 1 个文件" in second.text
    assert len(stored_rows(world)) == 1


def test_uploads_are_rate_limited_per_address(client, world):
    client.app.state.settings.evidence_uploads_per_address = 1
    filed = complaint_in_world(world)
    page = status_page(client, filed.tracking_code, filed.pin)
    assert upload(client, page, "1.jpg", photo_with_gps()).status_code == 200
    limited = upload(client, page, "2.jpg", photo_with_gps())
    assert limited.status_code == 429
    assert "上传太频繁" in limited.text
    assert len(stored_rows(world)) == 1


def file_path(prefix: str, world, filed) -> str:
    """The case's first (only) file: cases by their random reference, files by number."""
    return f"{prefix}/{case_reference(world, filed.complaint_id)}/evidence/1"


@pytest.mark.parametrize(
    ("username", "prefix"),
    [("mediator", "/mediator/cases"), ("inspector.a", "/inspector/complaints")],
)
def test_the_cases_handlers_see_the_list_and_download_the_cleaned_file(
    client, world, uploaded, uploads, username, prefix
):
    filed, evidence, _ = uploaded
    sign_in(client, username)
    case = client.get(f"{prefix}/{case_reference(world, filed.complaint_id)}")
    assert case.status_code == 200
    assert "工资条.jpg" in case.text and f'href="{file_path(prefix, world, filed)}"' in case.text
    download = client.get(file_path(prefix, world, filed))
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.content == storage.path_of(uploads, evidence.stored_name).read_bytes()
    with session_scope(world.engine) as session:
        views = session.scalars(
            select(AuditEntry.actor_label).where(
                AuditEntry.entity == "complaint_evidence",
                AuditEntry.entity_key == str(evidence.id),
            )
        ).all()
    assert views == [f"{username.split('.')[0]}:{username}"]


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("inspector.b", "/inspector/complaints", 404),  # another county
        ("employer.a", "/inspector/complaints", 403),
        ("employer.a", "/mediator/cases", 403),
    ],
)
def test_others_cannot_download_the_evidence(client, world, uploaded, username, path, status):
    filed, _, _ = uploaded
    sign_in(client, username)
    assert client.get(file_path(path, world, filed)).status_code == status


def test_a_mediator_of_another_committee_cannot_download_it(client, world, uploaded):
    filed, _, _ = uploaded
    sign_in(client, other_committee_mediator(world))
    answer = client.get(file_path("/mediator/cases", world, filed))
    assert answer.status_code == 404
