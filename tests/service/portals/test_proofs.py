"""Deposit proofs: uploads checked by content and stored safely, files served only to those
allowed, the inspectors' review queue, and an approval the monitors then count."""

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from service.app import create_app
from service.config import Settings
from service.deposits import proofs
from service.deposits import service as deposits_service
from service.flows.monitor_runs import run_monitors
from service.imports.service import run_import
from tests.factories import EMPLOYER_A, PROJECT, write_csv
from tests.service.portals.conftest import AS_OF, bearer, sign_in

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(16)
TEN_MB = 10 * 1024 * 1024
# A project employer A contracts, permitted long before the world's day, with no deposit.
PROJECT_A = "330302202603010007"
RECEIPT = {"kind": "receipt", "amount": "1000.00", "event_date": "2026-11-20", "reference": "R-1"}


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def client(world, uploads) -> Iterator[TestClient]:
    settings = Settings(database_url=world.db_url, upload_dir=uploads)
    with TestClient(create_app(settings)) as client:
        yield client


def stored_files(uploads: Path) -> list[Path]:
    return sorted(uploads.iterdir()) if uploads.exists() else []


def scalar(world, sql: str, **params):
    with world.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def proof_count(world) -> int:
    return scalar(world, "SELECT COUNT(*) FROM deposit_proof")


def csrf_of(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def file_upload(name: str = "receipt.pdf", data: bytes = PDF, declared: str = "application/pdf"):
    return {"file": (name, data, declared)}


def submit(
    client: TestClient, headers: dict, fields: dict | None = None, lang: str = "", **file_args
):
    return client.post(
        "/api/employer/proofs" + (f"?lang={lang}" if lang else ""),
        headers=headers,
        data=RECEIPT if fields is None else fields,
        files=file_upload(**file_args),
    )


def submitted(client: TestClient, username: str = "employer.a", **fields) -> int:
    response = submit(client, bearer(client, username), {**RECEIPT, **fields})
    assert response.status_code == 201, response.text
    return response.json()["id"]


# --- uploads ----------------------------------------------------------------------------------


def test_a_valid_pdf_is_stored_under_a_generated_name_with_its_sha256(client, world, uploads):
    response = submit(client, bearer(client, "employer.a"), name="回单 2026.pdf")
    assert response.status_code == 201, response.text
    proof = response.json()
    assert proof["status"] == "pending" and proof["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert proof["content_type"] == "application/pdf" and proof["size_bytes"] == len(PDF)
    assert proof["original_name"] == "回单 2026.pdf" and proof["amount_fen"] == 100_000
    [stored] = stored_files(uploads)
    assert stored.read_bytes() == PDF
    assert stored.name == scalar(world, "SELECT stored_name FROM deposit_proof")
    assert len(stored.stem) == 32 and stored.suffix == ".pdf" and "回单" not in stored.name
    action = scalar(world, "SELECT action FROM audit_log WHERE entity = 'deposit_proof'")
    assert action == "deposit_proof.submit"


@pytest.mark.parametrize(
    ("name", "data", "declared", "code", "message"),
    [
        ("receipt.pdf", b"MZ\x90\x00\x03 not a pdf at all", "application/pdf", "file_type",
         "Only PDF, JPEG or PNG"),
        ("big.pdf", b"%PDF-" + bytes(TEN_MB + 1 - 5), "application/pdf", "too_large",
         "larger than 10 MB"),
        ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", "application/pdf",
         "file_type", "Only PDF, JPEG or PNG"),
        ("empty.pdf", b"", "application/pdf", "empty", "The file is empty"),
    ],
    ids=["renamed-to-pdf", "10MB-plus-one-byte", "path-in-name", "empty"],
)  # fmt: skip
def test_upload_attacks_are_refused_with_a_clear_message_and_nothing_stored(
    client, world, uploads, name, data, declared, code, message
):
    headers = bearer(client, "employer.a")
    response = submit(client, headers, lang="en", name=name, data=data, declared=declared)
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["field"] == "file" and problem["code"] == f"proofs.error.{code}"
    assert message in problem["message"]
    assert proof_count(world) == 0
    assert stored_files(uploads) == []
    assert not (uploads.parent / "etc").exists()


def test_exactly_ten_megabytes_is_accepted(client, uploads):
    response = submit(client, bearer(client, "employer.a"), data=b"%PDF-" + bytes(TEN_MB - 5))
    assert response.status_code == 201, response.text
    assert response.json()["size_bytes"] == TEN_MB


def test_images_are_recognised_by_content_whatever_the_name_says(client, uploads):
    headers = bearer(client, "employer.a")
    for data, content_type in ((PNG, "image/png"), (JPEG, "image/jpeg")):
        response = submit(client, headers, name="scan.pdf", data=data, declared="text/plain")
        assert response.status_code == 201, response.text
        assert response.json()["content_type"] == content_type
    assert sorted(p.suffix for p in stored_files(uploads)) == [".jpg", ".png"]


def test_path_characters_in_a_valid_files_name_only_make_a_label(client, uploads, tmp_path):
    response = submit(client, bearer(client, "employer.a"), name="..\\..\\../x/evil.pdf")
    assert response.status_code == 201, response.text
    assert response.json()["original_name"] == "evil.pdf"
    assert [p.parent for p in stored_files(uploads)] == [uploads]
    assert not list(tmp_path.rglob("evil*"))


def test_a_file_name_label_keeps_no_folders_and_no_control_characters():
    assert proofs.label("..\\../../x/\x00evil\x1b.pdf") == "evil.pdf"
    assert proofs.label("../../etc/passwd") == "passwd"
    assert proofs.label("/") == "file" and proofs.label(None) == "file"
    assert len(proofs.label("a" * 500 + ".pdf")) == 120


FIELD_PROBLEMS = [
    ({"kind": "cheque"}, "kind", "kind"),
    ({"amount": "0"}, "amount", "amount"),
    ({"amount": "12.345"}, "amount", "amount"),
    ({"amount": "-5"}, "amount", "amount"),
    ({"event_date": "2026-02-30"}, "event_date", "date"),
    ({"reference": "  "}, "reference", "reference"),
    ({"kind": "guarantee"}, "expiry_date", "expiry_required"),
    ({"kind": "guarantee", "expiry_date": "2026-11-20"}, "expiry_date", "expiry_after"),
    ({"project_code": PROJECT}, "project_code", "project"),  # employer B's project
]


def test_each_field_is_checked_and_nothing_is_stored(client, world, uploads):
    headers = bearer(client, "employer.a")
    for fields, field, code in FIELD_PROBLEMS:
        response = submit(client, headers, {**RECEIPT, **fields})
        assert response.status_code == 422, (fields, response.text)
        [problem] = response.json()["detail"]
        assert (problem["field"], problem["code"]) == (field, f"proofs.error.{code}"), fields
        assert problem["message"] and not problem["message"].startswith("proofs."), fields
    no_file = client.post("/api/employer/proofs", headers=headers, data=RECEIPT)
    assert no_file.status_code == 422
    assert no_file.json()["detail"][0]["code"] == "proofs.error.file_missing"
    assert proof_count(world) == 0 and stored_files(uploads) == []


def test_the_form_comes_back_with_the_message_in_the_pages_language(client, world, uploads):
    sign_in(client, "employer.a")
    for lang, message in (
        ("zh-CN", "只接受 PDF、JPEG 或 PNG 文件"),
        ("en", "Only PDF, JPEG or PNG"),
    ):
        token = csrf_of(client, f"/employer/proofs/new?lang={lang}")
        response = client.post(
            "/employer/proofs/new",
            data={**RECEIPT, "amount": "2345.60", "csrf_token": token},
            files=file_upload(data=b"GIF89a not accepted"),
        )
        assert response.status_code == 422
        assert message in response.text and 'value="2345.60"' in response.text
    assert proof_count(world) == 0 and stored_files(uploads) == []


def test_the_upload_form_without_the_csrf_token_is_refused(client, world, uploads):
    sign_in(client, "employer.a")
    response = client.post("/employer/proofs/new", data=RECEIPT, files=file_upload())
    assert response.status_code == 403
    assert proof_count(world) == 0 and stored_files(uploads) == []


def test_the_upload_form_files_a_proof_and_shows_it_on_the_obligations_page(client, uploads):
    sign_in(client, "employer.a")
    token = csrf_of(client, "/employer/proofs/new")
    response = client.post(
        "/employer/proofs/new",
        data={**RECEIPT, "csrf_token": token},
        files=file_upload(),
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "等待劳动保障监察员审核" in page.text and "R-1" in page.text and "待审核" in page.text


def test_a_failed_database_write_removes_the_file(client, world, uploads, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(deposits_service.audit, "record", broken)
    with pytest.raises(RuntimeError):
        submit(client, bearer(client, "employer.a"))
    assert proof_count(world) == 0 and stored_files(uploads) == []


# --- who may see a proof ----------------------------------------------------------------------


def test_the_owner_downloads_its_proof_as_an_attachment_that_is_never_sniffed(client):
    proof_id = submitted(client)
    sign_in(client, "employer.a")
    response = client.get(f"/employer/proofs/{proof_id}/file")
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_employer_b_can_neither_see_nor_download_employer_as_proof(client):
    proof_id = submitted(client)
    headers = bearer(client, "employer.b")
    assert client.get(f"/api/proofs/{proof_id}/file", headers=headers).status_code == 404
    obligations = client.get("/api/employer/obligations", headers=headers).json()
    assert obligations["proofs"] == []
    sign_in(client, "employer.b")
    assert client.get(f"/employer/proofs/{proof_id}/file").status_code == 404
    assert "R-1" not in client.get("/employer").text


def test_an_inspector_of_another_county_gets_404_and_cannot_decide(client, world):
    proof_id = submitted(client)
    headers = bearer(client, "inspector.b")
    assert client.get("/api/proofs?status=pending", headers=headers).json() == []
    for path in (f"/api/proofs/{proof_id}", f"/api/proofs/{proof_id}/file"):
        assert client.get(path, headers=headers).status_code == 404
    approve = client.post(f"/api/proofs/{proof_id}/approve", headers=headers)
    assert approve.status_code == 404
    reject = client.post(f"/api/proofs/{proof_id}/reject", headers=headers, json={"reason": "x"})
    assert reject.status_code == 404
    sign_in(client, "inspector.b")
    assert client.get(f"/inspector/proofs/{proof_id}").status_code == 404
    assert client.get(f"/inspector/proofs/{proof_id}/file").status_code == 404
    token = csrf_of(client, "/inspector/proofs")
    page_approve = client.post(f"/inspector/proofs/{proof_id}/approve", data={"csrf_token": token})
    assert page_approve.status_code == 404
    assert scalar(world, "SELECT status FROM deposit_proof") == "pending"
    assert scalar(world, "SELECT COUNT(*) FROM deposit_event WHERE reference = 'R-1'") == 0


def test_the_inspector_of_the_county_and_the_admin_may_read_the_file(client):
    proof_id = submitted(client)
    for username in ("inspector.a", "admin"):
        response = client.get(f"/api/proofs/{proof_id}/file", headers=bearer(client, username))
        assert response.status_code == 200 and response.content == PDF
    sign_in(client, "inspector.a")
    response = client.get(f"/inspector/proofs/{proof_id}/file")
    assert response.status_code == 200 and response.headers["x-content-type-options"] == "nosniff"


def test_the_mediator_is_refused(client):
    proof_id = submitted(client)
    headers = bearer(client, "mediator")
    assert client.get(f"/api/proofs/{proof_id}/file", headers=headers).status_code == 403
    assert client.get("/api/proofs", headers=headers).status_code == 403


# --- the review queue -------------------------------------------------------------------------


def test_the_queue_lists_pending_proofs_of_the_jurisdiction_oldest_first(client):
    first = submitted(client, reference="R-1")
    second = submitted(client, reference="R-2")
    headers = bearer(client, "inspector.a")
    listed = client.get("/api/proofs?status=pending", headers=headers).json()
    assert [p["id"] for p in listed] == [first, second]
    assert listed[0]["employer_uscc"] == EMPLOYER_A
    sign_in(client, "inspector.a")
    page = client.get("/inspector/proofs")
    assert page.status_code == 200
    assert page.text.index("R-1") < page.text.index("R-2")
    detail = client.get(f"/inspector/proofs/{first}")
    assert f"/inspector/proofs/{first}/file" in detail.text
    assert hashlib.sha256(PDF).hexdigest() in detail.text


def test_approval_writes_the_deposit_event_in_the_same_transaction(client, world):
    proof_id = submitted(client, kind="guarantee", expiry_date="2027-11-19", reference="BH-9")
    version = scalar(world, "SELECT version FROM data_version")
    headers = bearer(client, "inspector.a")
    response = client.post(f"/api/proofs/{proof_id}/approve", headers=headers)
    assert response.status_code == 200, response.text
    proof = response.json()
    assert proof["status"] == "approved" and proof["deposit_event_id"] is not None
    with world.engine.connect() as conn:
        event = conn.execute(
            text(
                "SELECT employer_id, project_id, event, amount_fen, expiry_date "
                "FROM deposit_event WHERE id = :id"
            ),
            {"id": proof["deposit_event_id"]},
        ).one()
    assert tuple(event[:4]) == (world.employer_a, None, "guarantee", 100_000)
    assert str(event[4]) == "2027-11-19"
    assert scalar(world, "SELECT version FROM data_version") == version + 1
    audit = scalar(world, "SELECT COUNT(*) FROM audit_log WHERE action = 'deposit_proof.approve'")
    assert audit == 1
    assert client.post(f"/api/proofs/{proof_id}/approve", headers=headers).status_code == 409
    again = client.post(f"/api/proofs/{proof_id}/reject", headers=headers, json={"reason": "no"})
    assert again.status_code == 409


def test_a_rejection_needs_a_reason_and_the_employer_reads_it(client, world):
    proof_id = submitted(client)
    headers = bearer(client, "inspector.a")
    refused = client.post(f"/api/proofs/{proof_id}/reject", headers=headers, json={"reason": " "})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "reason"
    assert "请填写不通过的原因" in refused.json()["detail"][0]["message"]
    sign_in(client, "inspector.a")
    token = csrf_of(client, f"/inspector/proofs/{proof_id}")
    page = client.post(
        f"/inspector/proofs/{proof_id}/reject", data={"csrf_token": token, "reason": ""}
    )
    assert page.status_code == 422 and "请填写不通过的原因" in page.text
    assert scalar(world, "SELECT status FROM deposit_proof") == "pending"
    done = client.post(
        f"/inspector/proofs/{proof_id}/reject",
        data={"csrf_token": token, "reason": "回单金额与填写不符"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert scalar(world, "SELECT COUNT(*) FROM deposit_event WHERE reference = 'R-1'") == 0
    sign_in(client, "employer.a")
    page = client.get("/employer")
    assert "未通过" in page.text and "回单金额与填写不符" in page.text


def test_employers_cannot_review(client):
    proof_id = submitted(client)
    headers = bearer(client, "employer.a")
    assert client.post(f"/api/proofs/{proof_id}/approve", headers=headers).status_code == 403
    sign_in(client, "employer.a")
    assert client.get("/inspector/proofs").status_code == 403


# --- the monitors count approved proofs only --------------------------------------------------


def add_project_without_deposit(world, tmp_path: Path, reference) -> None:
    """Employer A contracts a project permitted in March: its deposit is long overdue."""
    project = {
        "project_code": PROJECT_A,
        "name": "鹿城厂区扩建工程",
        "contractor_uscc": EMPLOYER_A,
        "county_code": "330302",
        "industry_code": "4710",
        "contract_value": "10000000.00",
        "contract_signed_date": "2026-03-01",
        "permit_date": "2026-03-10",
        "completion_date": "",
    }
    folder = tmp_path / "project_a"
    write_csv(folder, "projects", [project])
    assert run_import(world.engine, folder, reference).ok


def deposit_alert(world) -> tuple[str, int]:
    with world.engine.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    "SELECT status, amount_fen FROM alert "
                    "WHERE rule = 'deposit.missing' AND project_code = :code"
                ),
                {"code": PROJECT_A},
            ).one()
        )


def test_an_approved_receipt_resolves_the_missing_deposit_alert(client, world, tmp_path, reference):
    add_project_without_deposit(world, tmp_path, reference)
    run_monitors(world.engine, reference, as_of=AS_OF)
    status, required_fen = deposit_alert(world)
    assert status == "open"
    sign_in(client, "employer.a")
    obligations = client.get("/employer")
    assert PROJECT_A in obligations.text and "未存储" in obligations.text
    token = csrf_of(client, "/employer/proofs/new")
    amount = f"{required_fen // 100}.{required_fen % 100:02d}"
    filed = client.post(
        "/employer/proofs/new",
        data={**RECEIPT, "amount": amount, "project_code": PROJECT_A, "csrf_token": token},
        files=file_upload(),
        follow_redirects=False,
    )
    assert filed.status_code == 303, filed.text
    proof_id = scalar(world, "SELECT id FROM deposit_proof")

    run_monitors(world.engine, reference, as_of=AS_OF)  # a pending proof does not count
    assert deposit_alert(world)[0] == "open"

    sign_in(client, "inspector.a")
    token = csrf_of(client, f"/inspector/proofs/{proof_id}")
    approved = client.post(
        f"/inspector/proofs/{proof_id}/approve", data={"csrf_token": token}, follow_redirects=False
    )
    assert approved.status_code == 303
    assert "已通过" in client.get(approved.headers["location"]).text

    summary = run_monitors(world.engine, reference, as_of=AS_OF)
    assert not summary.reused
    assert deposit_alert(world)[0] == "resolved"
    sign_in(client, "employer.a")
    page = client.get("/employer")
    assert "已足额存储" in page.text
