"""Employer uploads imported in the background, so a large file never holds a server worker
or a request's database connection.

The request only stores the files (under a generated folder name below the upload folder,
outside the web root) and writes the job row: one connection, no import work. A runner
thread in the served app claims queued jobs one at a time in a short transaction of its
own, runs the same importer as `wageguard import` with the same progress callbacks the
command line draws its bar from, and stores the row-level report. Claiming is an UPDATE
that re-checks `status = 'queued'` (PostgreSQL skips rows another runner has locked), so
two processes never run one job. A job whose runner died stays 'running' with an old
heartbeat; once the lease has passed it is queued again, or marked failed after the last
attempt.
"""

import logging
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from monitors.identifiers import mask_id_number
from monitors.reference import Reference
from service import clock
from service.audit import service as audit
from service.auth.actors import Actor
from service.auth.models import User
from service.clock import utc_now
from service.config import Settings
from service.employers.models import Employer
from service.errors import NotFound
from service.imports.columns import column_heading
from service.imports.guards import FileLimits
from service.imports.models import FINISHED_STATUSES, ImportJob
from service.imports.service import ImportProgress, ImportReport, run_import
from service.imports.spec import EMPLOYER_FILES
from service.imports.uploads import ID_NUMBER_LIKE, Upload, save_uploads

log = logging.getLogger(__name__)
JOBS = ImportJob.__table__
JOB_FOLDER = "imports"
# The report keeps this many problem rows (pages show fewer) and says how many there are.
MAX_STORED_PROBLEMS = 10_000
# Progress is written at most this often (each write is a short transaction of its own).
PROGRESS_INTERVAL_SECONDS = 0.5
IDLE_POLL_SECONDS = 2.0


class UploadRefused(Exception):
    """The upload's files could not be stored (no file, wrong name, too large)."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("upload refused")
        self.report = report


def jobs_folder(upload_dir: Path) -> Path:
    return upload_dir / JOB_FOLDER


def submit(
    *, session: Session, actor: Actor, employer: Employer, uploads: list[Upload], upload_dir: Path
) -> ImportJob:
    """Store the uploaded files and queue their import; refuse files that cannot be stored."""
    name = secrets.token_hex(16)
    folder = jobs_folder(upload_dir) / name
    folder.mkdir(parents=True)
    problems = save_uploads(folder, uploads, EMPLOYER_FILES)
    if not problems.empty:
        shutil.rmtree(folder, ignore_errors=True)
        raise UploadRefused(ImportReport(problems))
    files = sorted(path.name for path in folder.iterdir())
    job = ImportJob(
        key=secrets.token_urlsafe(16),
        employer_id=employer.id,
        user_id=actor.user_id,
        folder=name,
        files=files,
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        actor,
        "import.queued",
        "import_job",
        job.key,
        employer_id=employer.id,
        after={"files": files},
    )
    return job


def readable_job(*, session: Session, actor: Actor, key: str) -> ImportJob:
    """A job its employer's users, and inspectors of that employer's place, may see; the
    same answer for a job that does not exist and one that is someone else's."""
    job = session.scalars(select(ImportJob).where(ImportJob.key == key)).first()
    if job is None or not _may_see(session, actor, job):
        raise NotFound("no such import", message="onelang.error.no_import")
    return job


def _may_see(session: Session, actor: Actor, job: ImportJob) -> bool:
    if actor.role == "employer":
        return actor.employer_id == job.employer_id
    if actor.role in ("inspector", "admin"):
        employer = session.get(Employer, job.employer_id)
        return actor.role == "admin" or actor.covers(employer.county_code, employer.town)
    return False


# --- the runner's side ---------------------------------------------------------------------


def recover_abandoned(
    conn: Connection, *, now: datetime, lease: timedelta, max_attempts: int
) -> list[str]:
    """Jobs whose runner stopped renewing them: queue them again, or fail them after the
    last attempt. Returns the folders of the failed ones, to be removed."""
    stale = (JOBS.c.status == "running") & (JOBS.c.heartbeat_at < now - lease)
    given_up = stale & (JOBS.c.attempts >= max_attempts)
    folders = list(conn.execute(select(JOBS.c.folder).where(given_up)).scalars())
    conn.execute(
        update(JOBS)
        .where(given_up)
        .values(status="failed", finished_at=now, report=_failure_report())
    )
    conn.execute(update(JOBS).where(stale).values(status="queued"))
    return folders


def claim_next(
    engine: Engine, *, upload_dir: Path, lease: timedelta, max_attempts: int
) -> int | None:
    """The oldest queued job, now 'running' and ours; None when there is nothing to do."""
    # A read first: an idle poll takes no write lock (SQLite has a single writer).
    with engine.connect() as conn:
        waiting = select(JOBS.c.id).where(JOBS.c.status.in_(("queued", "running"))).limit(1)
        if conn.execute(waiting).first() is None:
            return None
    now = utc_now()
    with engine.begin() as conn:
        abandoned = recover_abandoned(conn, now=now, lease=lease, max_attempts=max_attempts)
        job_id = _claim_oldest(conn, now)
    for folder in abandoned:  # once their failure is committed
        shutil.rmtree(jobs_folder(upload_dir) / folder, ignore_errors=True)
    return job_id


def _claim_oldest(conn: Connection, now: datetime) -> int | None:
    oldest = select(JOBS.c.id).where(JOBS.c.status == "queued").order_by(JOBS.c.id).limit(1)
    if conn.dialect.name == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    job_id = conn.execute(oldest).scalar()
    if job_id is None:
        return None
    claimed = conn.execute(
        update(JOBS)
        .where((JOBS.c.id == job_id) & (JOBS.c.status == "queued"))
        .values(status="running", attempts=JOBS.c.attempts + 1, started_at=now, heartbeat_at=now)
    )
    return job_id if claimed.rowcount == 1 else None


class JobProgress(ImportProgress):
    """The command line's progress callbacks, written to the job row (throttled).

    SQLite has one writer: once the import's own transaction writes, the row cannot be
    updated until it commits, so progress of the writing step stays in memory there and
    the page shows the step with the rows known when it started.
    """

    def __init__(self, engine: Engine, job_id: int) -> None:
        self._engine, self._job_id = engine, job_id
        self._file = self._step = ""
        self._total = self._done = 0
        self._written_at = 0.0
        self._single_writer = engine.dialect.name == "sqlite"
        self._writing_started = False

    def start(self, label: str, total: int) -> None:
        self._file, _, self._step = label.rpartition(": ")
        self._total, self._done = total, 0
        self._save(force=True)
        self._writing_started |= self._step == "writing"

    def advance(self, rows: int) -> None:
        self._done += rows
        self._save()

    def _save(self, force: bool = False) -> None:
        if self._single_writer and self._writing_started:
            return
        if not force and time.monotonic() - self._written_at < PROGRESS_INTERVAL_SECONDS:
            return
        self._written_at = time.monotonic()
        with self._engine.begin() as conn:
            conn.execute(
                update(JOBS)
                .where(JOBS.c.id == self._job_id)
                .values(
                    current_file=self._file[:64],
                    step=self._step[:16],
                    rows_total=self._total,
                    rows_done=min(self._done, self._total or self._done),
                    heartbeat_at=utc_now(),
                )
            )


def run_job(
    *, engine: Engine, reference: Reference, job_id: int, upload_dir: Path, limits: FileLimits
) -> str:
    """Import a claimed job's files and store the outcome; return its final status."""
    with Session(engine) as session:
        job = session.get(ImportJob, job_id)
        employer = session.get(Employer, job.employer_id)
        actor = _uploader(session, job, employer)
        folder, key, employer_id, uscc = job.folder, job.key, employer.id, employer.uscc
    path = jobs_folder(upload_dir) / folder

    def audited(conn: Connection, report: ImportReport) -> None:
        with Session(bind=conn) as session:
            audit.record(
                session,
                actor,
                "import.upload",
                "import",
                uscc,
                employer_id=employer_id,
                after={"job": key, "files": [vars(s) for s in report.summaries]},
            )
            session.flush()

    try:
        report = run_import(
            engine,
            path,
            reference,
            JobProgress(engine, job_id),
            on_written=audited,
            employer_uscc=uscc,
            limits=limits,
        )
        status = "done" if report.ok else "refused"
        stored = report_json(report)
    except Exception:
        log.exception("import job %s failed", key)
        status, stored = "failed", _failure_report()
    _finish(engine, job_id, status, stored, actor, key, employer_id)
    shutil.rmtree(path, ignore_errors=True)
    return status


def _uploader(session: Session, job: ImportJob, employer: Employer) -> Actor:
    user = session.get(User, job.user_id) if job.user_id else None
    if user is None:
        return Actor(user_id=None, username="import-job", role="system", employer_id=employer.id)
    return Actor(user_id=user.id, username=user.username, role=user.role, employer_id=employer.id)


def _finish(
    engine: Engine, job_id: int, status: str, report: dict, actor: Actor, key: str, employer_id: int
) -> None:
    with Session(engine) as session:
        session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(status=status, report=report, finished_at=utc_now(), heartbeat_at=utc_now())
        )
        if status != "done":  # a written import is audited in its own transaction
            audit.record(
                session,
                actor,
                f"import.{status}",
                "import_job",
                key,
                employer_id=employer_id,
                after={"problem_count": report["problem_count"]},
            )
        session.commit()


def report_json(report: ImportReport) -> dict:
    """The report as stored: summaries and the first problems in both languages, identity
    numbers masked."""
    shown = report.problems.head(MAX_STORED_PROBLEMS)
    problems = [
        {
            "file": file,
            "row": int(row),
            "column": column,
            "value": ID_NUMBER_LIKE.sub(lambda found: mask_id_number(found.group()), value),
            "reason_zh": zh,
            "reason_en": en,
        }
        for file, row, column, value, zh, en in zip(
            shown["file"],
            shown["row"],
            shown["column"],
            shown["value"],
            shown["reason_zh"],
            shown["reason_en"],
            strict=True,
        )
    ]
    return {
        "ok": report.ok,
        "summaries": [vars(summary) for summary in report.summaries],
        "problems": problems,
        "problem_count": len(report.problems),
        "failed": False,
    }


def _failure_report() -> dict:
    return {"ok": False, "summaries": [], "problems": [], "problem_count": 0, "failed": True}


@dataclass
class JobRunner:
    """A thread of the served app that runs queued imports one after another."""

    engine: Engine
    reference: Reference
    settings: Settings

    def __post_init__(self) -> None:
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name="import-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        lease = timedelta(seconds=self.settings.import_job_lease_seconds)
        limits = FileLimits.from_settings(self.settings, upload=True)
        while not self._stop.is_set():
            try:
                job_id = claim_next(
                    self.engine,
                    upload_dir=self.settings.upload_dir,
                    lease=lease,
                    max_attempts=self.settings.import_job_max_attempts,
                )
                if job_id is not None:
                    run_job(
                        engine=self.engine,
                        reference=self.reference,
                        job_id=job_id,
                        upload_dir=self.settings.upload_dir,
                        limits=limits,
                    )
                    continue
            except Exception:  # the database may be down: log, wait, try again
                log.exception("import runner")
            self._wake.wait(IDLE_POLL_SECONDS)
            self._wake.clear()


# --- what pages and the API show ------------------------------------------------------------


@dataclass(frozen=True)
class JobView:
    key: str
    status: str
    finished: bool
    files: list[str]
    submitted: str  # Wenzhou time, to the minute
    current_file: str
    step: str
    rows_total: int
    rows_done: int
    percent: int
    elapsed_seconds: int  # since the runner started it, as the command line's bar shows
    report: dict | None


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def job_view(job: ImportJob, *, zone: str) -> JobView:
    created = _aware(job.created_at)
    started, ended = _aware(job.started_at), _aware(job.finished_at) or utc_now()
    elapsed = int((ended - started).total_seconds()) if started else 0
    percent = round(100 * job.rows_done / job.rows_total) if job.rows_total else 0
    if job.status == "done":
        percent = 100
    return JobView(
        key=job.key,
        status=job.status,
        finished=job.status in FINISHED_STATUSES,
        files=list(job.files),
        submitted=clock.shown(created, zone),
        current_file=job.current_file,
        step=job.step,
        rows_total=job.rows_total,
        rows_done=job.rows_done,
        percent=min(percent, 100),
        elapsed_seconds=max(elapsed, 0),
        report=job.report,
    )


def recent_jobs(*, session: Session, actor: Actor, zone: str, limit: int = 10) -> list[JobView]:
    """The signed-in employer's latest uploads, newest first."""
    jobs = session.scalars(
        select(ImportJob)
        .where(ImportJob.employer_id == actor.employer_id)
        .order_by(ImportJob.id.desc())
        .limit(limit)
    )
    return [job_view(job, zone=zone) for job in jobs]


def problems_in(report: dict, language: str, limit: int) -> list[dict[str, object]]:
    """A stored report's first problems with the reason in `language`, and each column by the
    heading a person knows it by (beside its key in row 1)."""
    reason = "reason_en" if language == "en" else "reason_zh"
    return [
        {key: problem[key] for key in ("file", "row", "column", "value")}
        | {"reason": problem[reason], "heading": _heading(problem, language)}
        for problem in report["problems"][:limit]
    ]


def _heading(problem: dict, language: str) -> str | None:
    if not problem.get("column"):
        return None
    return column_heading(str(problem["file"]), str(problem["column"]), language)
