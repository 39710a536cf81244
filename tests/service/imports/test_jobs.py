"""Background imports: the request stores and queues (one connection); a runner claims each
job once, reports progress through the importer's callbacks, stores the report, removes the
files, and takes over a job whose runner died."""

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text, update
from sqlmodel import Session

from service.app import create_app
from service.auth.models import utc_now
from service.config import Settings
from service.db import session_scope
from service.imports import jobs
from service.imports.guards import FileLimits
from service.imports.models import ImportJob
from service.imports.uploads import Upload
from tests.factories import EMPLOYER_A, WORKER_1
from tests.service.portals.conftest import sign_in
from tests.service.portals.test_proofs import csrf_of

LEASE = timedelta(minutes=10)


def payroll_csv(rows: int = 1) -> bytes:
    header = "employer_uscc,worker_id_number,period,amount_due,amount_paid,paid_date,hours_worked"
    lines = [
        f"{EMPLOYER_A},{WORKER_1},{2000 + n // 12:04d}-{n % 12 + 1:02d},5200,5200,,"
        for n in range(rows)
    ]
    return ("\n".join([header, *lines]) + "\n").encode()


def queue(engine, world, upload_dir: Path, data: bytes | None = None) -> ImportJob:
    """A job as the upload page queues it, committed."""
    import io

    from service.auth.actors import Actor
    from service.employers.models import Employer

    with session_scope(engine) as session:
        user_id = session.execute(
            text("SELECT id FROM app_user WHERE username = 'employer.a'")
        ).scalar_one()
        actor = Actor(
            user_id=user_id, username="employer.a", role="employer", employer_id=world.employer_a
        )
        return jobs.submit(
            session=session,
            actor=actor,
            employer=session.get(Employer, world.employer_a),
            uploads=[Upload("payroll.csv", io.BytesIO(data or payroll_csv()))],
            upload_dir=upload_dir,
        )


def job_row(engine, job_id: int) -> ImportJob:
    with Session(engine) as session:
        return session.get(ImportJob, job_id)


def run_next(engine, reference, upload_dir: Path) -> str | None:
    job_id = jobs.claim_next(engine, upload_dir=upload_dir, lease=LEASE, max_attempts=2)
    if job_id is None:
        return None
    return jobs.run_job(
        engine=engine,
        reference=reference,
        job_id=job_id,
        upload_dir=upload_dir,
        limits=FileLimits.from_settings(),
    )


def test_a_queued_job_runs_once_and_keeps_its_report_and_not_its_files(world, reference, tmp_path):
    job = queue(world.engine, world, tmp_path)
    folder = jobs.jobs_folder(tmp_path) / job.folder
    assert (folder / "payroll.csv").exists()
    assert run_next(world.engine, reference, tmp_path) == "done"
    assert run_next(world.engine, reference, tmp_path) is None  # nothing left to claim
    stored = job_row(world.engine, job.id)
    assert stored.status == "done" and stored.attempts == 1 and stored.finished_at
    assert stored.report["summaries"] == [
        {"file": "payroll.csv", "rows_read": 1, "inserted": 1, "updated": 0}
    ]
    assert not folder.exists()


def test_the_stored_folder_has_a_generated_name_under_the_upload_folder(world, tmp_path):
    job = queue(world.engine, world, tmp_path)
    assert len(job.folder) == 32 and all(c in "0123456789abcdef" for c in job.folder)
    assert (jobs.jobs_folder(tmp_path) / job.folder).parent == tmp_path / "imports"
    assert job.key not in job.folder


def test_a_job_left_running_by_a_dead_process_is_run_again_then_failed(world, reference, tmp_path):
    job = queue(world.engine, world, tmp_path)
    claimed = jobs.claim_next(world.engine, upload_dir=tmp_path, lease=LEASE, max_attempts=2)
    assert claimed == job.id
    # the process dies here; its lease runs out
    long_ago = utc_now() - LEASE - timedelta(seconds=1)
    with world.engine.begin() as conn:
        conn.execute(update(jobs.JOBS).values(heartbeat_at=long_ago))
    assert run_next(world.engine, reference, tmp_path) == "done"
    assert job_row(world.engine, job.id).attempts == 2
    # a job whose last attempt died is marked failed, and its files removed
    second = queue(world.engine, world, tmp_path)
    for _ in range(2):
        jobs.claim_next(world.engine, upload_dir=tmp_path, lease=LEASE, max_attempts=2)
        with world.engine.begin() as conn:
            conn.execute(
                update(jobs.JOBS).where(jobs.JOBS.c.id == second.id).values(heartbeat_at=long_ago)
            )
    assert jobs.claim_next(world.engine, upload_dir=tmp_path, lease=LEASE, max_attempts=2) is None
    failed = job_row(world.engine, second.id)
    assert failed.status == "failed" and failed.report["failed"]
    assert not (jobs.jobs_folder(tmp_path) / second.folder).exists()


def test_concurrent_runners_claim_a_job_once(world, tmp_path):
    """Eight runners (threads with their own connections) race for one queued job."""
    from concurrent.futures import ThreadPoolExecutor

    job = queue(world.engine, world, tmp_path)

    def claim(_: int) -> int | None:
        return jobs.claim_next(world.engine, upload_dir=tmp_path, lease=LEASE, max_attempts=2)

    with ThreadPoolExecutor(8) as pool:
        claimed = [found for found in pool.map(claim, range(8)) if found is not None]
    assert claimed == [job.id]
    assert job_row(world.engine, job.id).attempts == 1


def test_a_running_job_with_a_fresh_heartbeat_is_not_taken_over(world, tmp_path):
    job = queue(world.engine, world, tmp_path)
    assert jobs.claim_next(world.engine, upload_dir=tmp_path, lease=LEASE, max_attempts=2)
    assert jobs.claim_next(world.engine, upload_dir=tmp_path, lease=LEASE, max_attempts=2) is None
    assert job_row(world.engine, job.id).status == "running"


def test_progress_reaches_the_job_row_through_the_importers_callbacks(world, reference, tmp_path):
    """The same callbacks as the command line's bar: file, step, rows done of rows."""
    job = queue(world.engine, world, tmp_path)
    seen = []
    progress = jobs.JobProgress(world.engine, job.id)
    progress.start("payroll.csv: checking", 40)
    seen.append(job_row(world.engine, job.id))
    for _ in range(4):
        progress.advance(10)
        time.sleep(jobs.PROGRESS_INTERVAL_SECONDS + 0.05)
    seen.append(job_row(world.engine, job.id))
    assert (seen[0].current_file, seen[0].step, seen[0].rows_total) == (
        "payroll.csv",
        "checking",
        40,
    )
    assert seen[0].rows_done == 0 and seen[1].rows_done == 40


def test_a_failing_import_is_marked_failed_with_a_plain_message(
    world, reference, tmp_path, monkeypatch
):
    """A bug in the importer fails the job (audited), never leaves it running."""
    job = queue(world.engine, world, tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "run_import", broken)
    assert run_next(world.engine, reference, tmp_path) == "failed"
    assert job_row(world.engine, job.id).status == "failed"
    with world.engine.connect() as conn:
        actions = conn.execute(
            text("SELECT action FROM audit_log WHERE entity_key = :k"), {"k": job.key}
        ).scalars()
        assert set(actions) == {"import.queued", "import.failed"}


# --- through the app ------------------------------------------------------------------------


@pytest.fixture
def quiet_app(world, tmp_path) -> Iterator[TestClient]:
    """The app without its runner: what the request itself does."""
    settings = Settings(
        database_url=world.db_url, upload_dir=tmp_path / "uploads", import_jobs_enabled=False
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_upload_request_uses_one_database_connection_and_imports_nothing(quiet_app, world):
    client = quiet_app
    sign_in(client, "employer.a")
    token = csrf_of(client, "/employer/imports")
    engine = client.app.state.engine
    checkouts = []
    listener = lambda *args: checkouts.append(1)  # noqa: E731
    event.listen(engine, "checkout", listener)
    try:
        response = client.post(
            "/employer/imports",
            data={"csrf_token": token},
            files=[("files", ("payroll.csv", payroll_csv(), "text/csv"))],
            follow_redirects=False,
        )
    finally:
        event.remove(engine, "checkout", listener)
    assert response.status_code == 303
    assert len(checkouts) == 1
    with world.engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM import_job")).scalar_one() == "queued"
    page = client.get(response.headers["location"] + "?lang=en")
    assert 'http-equiv="refresh"' in page.text and "Waiting" in page.text
    assert "<progress" in page.text


def test_a_large_import_shows_a_progress_bar_then_its_report(world, tmp_path):
    """A queued job's page refreshes itself and shows the step; the finished one shows the
    summary and stops refreshing."""
    from tests.service.portals.test_employer import finished_job_page

    settings = Settings(database_url=world.db_url, upload_dir=tmp_path / "uploads")
    with TestClient(create_app(settings)) as client:
        sign_in(client, "employer.a")
        token = csrf_of(client, "/employer/imports?lang=zh-CN")
        queued = client.post(
            "/employer/imports",
            data={"csrf_token": token},
            files=[("files", ("payroll.csv", payroll_csv(300), "text/csv"))],
            follow_redirects=False,
        )
        page = finished_job_page(client, queued.headers["location"])
        assert "已导入" in page.text and "导入成功" in page.text
        assert 'http-equiv="refresh"' not in page.text
        assert "payroll.csv" in page.text and ">300<" in page.text
        listing = client.get("/employer/imports")
        assert queued.headers["location"] in listing.text


def test_a_running_jobs_page_shows_the_file_step_and_rows_like_the_command_line(quiet_app, world):
    client = quiet_app
    sign_in(client, "employer.a")
    token = csrf_of(client, "/employer/imports")
    location = client.post(
        "/employer/imports",
        data={"csrf_token": token},
        files=[("files", ("payroll.csv", payroll_csv(), "text/csv"))],
        follow_redirects=False,
    ).headers["location"]
    with world.engine.begin() as conn:
        conn.execute(
            update(jobs.JOBS).values(
                status="running",
                started_at=utc_now() - timedelta(seconds=42),
                current_file="payroll.csv",
                step="checking",
                rows_total=20_000,
                rows_done=5_000,
            )
        )
    page = client.get(location + "?lang=en")
    assert 'http-equiv="refresh"' in page.text
    assert '<progress id="job-progress" max="20000" value="5000"' in page.text
    assert "5,000 of 20,000 rows (25%)" in page.text
    assert re.search(r"payroll.csv · checking the data · 4\d s so far", page.text)
    chinese = client.get(location + "?lang=zh-CN")
    assert "正在导入" in chinese.text and "检查数据" in chinese.text
    key = location.rsplit("/", 1)[1]
    twin = client.get(f"/api/imports/jobs/{key}", headers=_bearer(client, "employer.a")).json()
    assert (twin["status"], twin["step"], twin["rows_done"], twin["percent"]) == (
        "running",
        "checking",
        5_000,
        25,
    )


def _bearer(client: TestClient, username: str) -> dict[str, str]:
    from tests.service.portals.conftest import bearer

    return bearer(client, username)
