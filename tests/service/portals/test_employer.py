"""The employer portal: its obligations and its own data import, nothing of anyone else's."""

import csv
import io
import re
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from monitors.identifiers import mask_id_number
from monitors.registry import all_rules
from service.app import create_app
from service.config import Settings
from tests.factories import EMPLOYER_A, EMPLOYER_B, PROJECT, WORKER_1, WORKER_2, WORKER_3
from tests.factories import id_number as make_id_number
from tests.service.portals.conftest import bearer, sign_in
from tests.service.portals.test_proofs import csrf_of

PAYROLL_COLUMNS = [
    "employer_uscc", "worker_id_number", "period", "amount_due", "amount_paid", "paid_date",
    "hours_worked",
]  # fmt: skip


@pytest.fixture
def client(world, tmp_path) -> Iterator[TestClient]:
    settings = Settings(database_url=world.db_url, upload_dir=tmp_path / "uploads")
    with TestClient(create_app(settings)) as client:
        yield client


def csv_bytes(rows: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def payroll(employer: str = EMPLOYER_A, worker: str = WORKER_1, **values: str) -> dict:
    row = {
        "employer_uscc": employer,
        "worker_id_number": worker,
        "period": "2026-10",
        "amount_due": "5200.00",
        "amount_paid": "5200.00",
        "paid_date": "2026-11-10",
        "hours_worked": "",
    }
    return row | values


def import_page(client: TestClient, files: list[tuple[str, bytes]], lang: str = "zh-CN"):
    """Upload through the form; a queued import is followed to its finished progress page."""
    token = csrf_of(client, f"/employer/imports?lang={lang}")
    response = client.post(
        "/employer/imports",
        data={"csrf_token": token},
        files=[("files", (name, data, "text/csv")) for name, data in files],
        follow_redirects=False,
    )
    if response.status_code != 303:
        return response
    return finished_job_page(client, response.headers["location"])


def finished_job_page(client: TestClient, location: str, timeout: float = 60.0):
    """The progress page once it stops refreshing itself (the import has finished)."""
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(location)
        if 'http-equiv="refresh"' not in page.text or time.monotonic() > deadline:
            return page
        time.sleep(0.05)


def payroll_rows(world) -> int:
    with world.engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM payroll_entry")).scalar_one()


# --- obligations ------------------------------------------------------------------------------


def test_the_obligations_page_shows_the_employers_own_deposit_and_alerts_only(client, world):
    sign_in(client, "employer.a")
    page = client.get("/employer")
    assert page.status_code == 200
    assert "温州鹿城鞋业有限公司" in page.text and EMPLOYER_A in page.text
    assert "租赁场地经营企业工资保证金" in page.text and "50,000.00" in page.text
    assert "温州瓯江建设有限公司" not in page.text and PROJECT not in page.text
    assert WORKER_1 not in page.text


def test_the_api_twin_lists_positions_alerts_and_proofs_in_the_callers_language(client, world):
    headers = bearer(client, "employer.a")
    view = client.get("/api/employer/obligations?lang=en", headers=headers).json()
    assert view["employer_uscc"] == EMPLOYER_A and view["as_of"] == "2026-11-30"
    [leased] = view["positions"]
    assert leased["obligation"] == "leased_premises" and leased["balance_fen"] == 5_000_000
    assert view["alerts"], "the world has open alerts for employer A"
    rules = all_rules()
    with world.engine.connect() as conn:
        open_alerts = conn.execute(
            text("SELECT COUNT(*) FROM alert WHERE employer_id = :e AND status = 'open'"),
            {"e": world.employer_a},
        ).scalar_one()
    assert len(view["alerts"]) == open_alerts
    for alert in view["alerts"]:
        assert alert["title"] == rules[alert["rule"]].title_en
        assert alert["legal_basis"]
        # the finding only: no evidence, so nothing can tell who complained
        assert set(alert) == {
            "id", "rule", "title", "severity", "project_code", "period", "amount_fen",
            "legal_basis", "first_seen",
        }  # fmt: skip
    chinese = client.get("/api/employer/obligations?lang=zh-CN", headers=headers).json()
    assert chinese["alerts"][0]["title"] == rules[chinese["alerts"][0]["rule"]].title_zh


def test_employer_b_sees_its_project_deposit_and_not_employer_as(client, world):
    view = client.get("/api/employer/obligations", headers=bearer(client, "employer.b")).json()
    assert view["employer_uscc"] == EMPLOYER_B
    [position] = view["positions"]
    assert position["project_code"] == PROJECT and position["balance_fen"] == 24_000_000
    assert all(alert["rule"] for alert in view["alerts"])
    with world.engine.connect() as conn:
        theirs = conn.execute(
            text("SELECT id FROM alert WHERE employer_id = :e"), {"e": world.employer_a}
        ).scalars()
        assert not {a["id"] for a in view["alerts"]} & set(theirs)


def test_a_worker_without_work_injury_cover_is_listed_masked(client, world):
    """Employer A hires a registered worker without insuring them: the obligations list them
    by masked identity number only."""
    contract = {
        "employer_uscc": EMPLOYER_A,
        "worker_id_number": WORKER_3,
        "start_date": "2026-06-01",
        "signed_date": "2026-06-01",
        "term_type": "open_ended",
        "monthly_wage": "5000",
        "pay_day": "10",
    }
    worker = {"id_number": WORKER_3, "name": "王五", "phone": "", "hukou_county_code": ""}
    sign_in(client, "employer.a")
    response = import_page(
        client, [("workers.csv", csv_bytes([worker])), ("contracts.csv", csv_bytes([contract]))]
    )
    assert response.status_code == 200 and "导入成功" in response.text, response.text
    page = client.get("/employer")
    assert mask_id_number(WORKER_3) in page.text and WORKER_3 not in page.text
    view = client.get("/api/employer/obligations", headers=bearer(client, "employer.a")).json()
    [uncovered] = view["uncovered_workers"]
    assert uncovered["worker"] == mask_id_number(WORKER_3)
    assert uncovered["insure_by"] == "2026-07-01"


def test_only_employers_reach_the_employer_pages(client):
    assert client.get("/employer", follow_redirects=False).status_code == 303
    assert client.get("/api/employer/obligations").status_code == 401
    assert client.get("/api/employer/obligations", headers=bearer(client, "admin")).status_code == (
        403
    )
    sign_in(client, "inspector.a")
    for path in ("/employer", "/employer/proofs/new", "/employer/imports"):
        assert client.get(path).status_code == 403


# --- imports ----------------------------------------------------------------------------------


def test_an_employer_imports_its_payroll_and_sees_the_summary(client, world):
    before = payroll_rows(world)
    sign_in(client, "employer.a")
    response = import_page(client, [("payroll.csv", csv_bytes([payroll()]))])
    assert response.status_code == 200, response.text
    assert "导入成功" in response.text and "payroll.csv" in response.text
    assert payroll_rows(world) == before + 1
    with world.engine.connect() as conn:
        entry = conn.execute(
            text("SELECT actor_label, employer_id, after FROM audit_log WHERE action = :a"),
            {"a": "import.upload"},
        ).one()
    assert entry[0] == "employer:employer.a" and entry[1] == world.employer_a
    after = entry[2] if isinstance(entry[2], dict) else __import__("json").loads(entry[2])
    assert after["files"] == [{"file": "payroll.csv", "rows_read": 1, "inserted": 1, "updated": 0}]
    with world.engine.connect() as conn:
        queued = conn.execute(
            text("SELECT actor_label, entity_key FROM audit_log WHERE action = 'import.queued'")
        ).one()
    assert queued == ("employer:employer.a", after["job"])


BAD_PAYROLL = [payroll(amount_due="abc"), payroll(worker=make_id_number(99))]


def reported(page: str) -> list[tuple[str, str, str, str, str]]:
    """(file, row, column, reason, value) of each problem row on the report page."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    found = []
    for row in body.split("<tr>")[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        where = {part: re.search(rf'class="problem-{part}">(.*?)<', cells[0]) for part in PARTS}
        found.append(
            (*(m.group(1) if m else "" for m in where.values()), cells[1].strip(), cells[2])
        )
    return found


PARTS = ("file", "row", "column")


@pytest.mark.parametrize(
    ("lang", "row", "money_reason", "reference_reason"),
    [
        ("zh-CN", "第 {} 行", "金额应为非负数，最多两位小数", "不是本单位登记的劳动者"),
        ("en", "row {}", "must be an amount in CNY", "not one of your organisation&#39;s workers"),
    ],
)
def test_a_bad_payroll_upload_shows_the_row_level_report_in_the_pages_language(
    client, world, lang, row, money_reason, reference_reason
):
    before = payroll_rows(world)
    sign_in(client, "employer.a")
    response = import_page(client, [("payroll.csv", csv_bytes(BAD_PAYROLL))], lang=lang)
    assert response.status_code == 200 and 'class="job-status"' in response.text
    [money, reference] = reported(response.text)
    assert money[:3] == ("payroll.csv", row.format(2), "amount_due") and money[4] == "abc"
    assert money_reason in money[3]
    unknown = make_id_number(99)
    assert reference[:3] == ("payroll.csv", row.format(3), "worker_id_number")
    assert reference_reason in reference[3]
    assert reference[4] == mask_id_number(unknown) and unknown not in response.text
    assert payroll_rows(world) == before


def test_an_employer_cannot_import_another_employers_rows(client, world):
    before = payroll_rows(world)
    sign_in(client, "employer.a")
    rows = [payroll(), payroll(employer=EMPLOYER_B, worker=WORKER_2)]
    response = import_page(client, [("payroll.csv", csv_bytes(rows))])
    assert "未导入（发现问题）" in response.text
    assert "只能导入本单位" in response.text and EMPLOYER_B in response.text
    assert payroll_rows(world) == before


def test_entity_files_and_unknown_names_are_refused_with_a_message(client, world):
    sign_in(client, "employer.a")
    employers = csv_bytes([{"uscc": EMPLOYER_A, "name": "改名", "industry_code": "1952"}])
    response = import_page(
        client,
        [
            ("employers.csv", employers),
            ("evil.sh", b"rm -rf /"),
            ("../../payroll.csv", csv_bytes([payroll()])),
        ],
    )
    assert response.status_code == 422
    assert "用人单位不能导入此文件" in response.text and "无法识别的文件名" in response.text
    with world.engine.connect() as conn:
        name = conn.execute(text("SELECT name FROM employer WHERE uscc = :u"), {"u": EMPLOYER_A})
        assert name.scalar_one() == "温州鹿城鞋业有限公司"


def test_a_renamed_file_posing_as_a_workbook_is_reported_not_crashed_on(client):
    sign_in(client, "employer.a")
    response = import_page(client, [("payroll.xlsx", b"%PDF-1.4 not a workbook")])
    assert response.status_code == 422 and "文件无法读取" in response.text


def test_an_import_without_files_or_without_the_csrf_token_is_refused(client):
    sign_in(client, "employer.a")
    token = csrf_of(client, "/employer/imports")
    # what a browser sends for a file input left empty: a part with an empty file name
    boundary = "wageguard-test-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename=""\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n\r\n--{boundary}--\r\n"
    )
    empty = client.post(
        "/employer/imports",
        content=body.encode(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert empty.status_code == 422 and "没有选择文件" in empty.text
    forged = client.post(
        "/employer/imports", files=[("files", ("payroll.csv", csv_bytes([payroll()]), "text/csv"))]
    )
    assert forged.status_code == 403


def finished_job(client: TestClient, status_url: str, headers: dict, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(status_url, headers=headers).json()
        if job["status"] in ("done", "refused", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_the_import_api_twin_queues_the_import_and_reports_at_the_status_url(client, world):
    headers = bearer(client, "employer.a")
    bad = client.post(
        "/api/employer/imports?lang=en",
        headers=headers,
        files=[("files", ("payroll.csv", csv_bytes(BAD_PAYROLL), "text/csv"))],
    )
    assert bad.status_code == 202, bad.text
    queued = bad.json()
    assert queued["status"] == "queued" and bad.headers["location"] == queued["status_url"]
    job = finished_job(client, queued["status_url"] + "?lang=en", headers)
    assert job["status"] == "refused" and job["result"]["problem_count"] == 2
    first = job["result"]["problems"][0]
    assert (first["file"], first["row"], first["column"]) == ("payroll.csv", 2, "amount_due")
    assert "must be an amount in CNY" in first["reason"]
    good = client.post(
        "/api/employer/imports",
        headers=headers,
        files=[("files", ("payroll.csv", csv_bytes([payroll()]), "text/csv"))],
    )
    assert good.status_code == 202, good.text
    job = finished_job(client, good.json()["status_url"], headers)
    assert job["status"] == "done" and job["percent"] == 100
    assert job["result"]["summaries"] == [
        {"file": "payroll.csv", "rows_read": 1, "inserted": 1, "updated": 0}
    ]
    refused_at_once = client.post(
        "/api/employer/imports",
        headers=headers,
        files=[("files", ("evil.sh", b"rm -rf /", "text/plain"))],
    )
    assert refused_at_once.status_code == 422
    assert refused_at_once.json()["detail"]["problems"][0]["file"] == "evil.sh"
    other = client.post(
        "/api/employer/imports",
        headers=bearer(client, "inspector.a"),
        files=[("files", ("payroll.csv", csv_bytes([payroll()]), "text/csv"))],
    )
    assert other.status_code == 403


def test_only_the_uploading_employer_and_its_places_inspectors_see_the_job(client, world):
    headers = bearer(client, "employer.a")
    queued = client.post(
        "/api/employer/imports",
        headers=headers,
        files=[("files", ("payroll.csv", csv_bytes([payroll()]), "text/csv"))],
    ).json()
    finished_job(client, queued["status_url"], headers)
    url = queued["status_url"]
    assert client.get(url, headers=bearer(client, "inspector.a")).status_code == 200
    for stranger in ("employer.b", "inspector.b", "mediator"):
        assert client.get(url, headers=bearer(client, stranger)).status_code in (403, 404)
    assert client.get(url, headers=bearer(client, "employer.b")).status_code == 404
    assert client.get("/api/imports/jobs/no-such-job", headers=headers).status_code == 404
    sign_in(client, "employer.b")
    assert client.get(queued["page_url"]).status_code == 404
