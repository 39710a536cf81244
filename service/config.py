"""Settings, read from the environment with the prefix WAGEGUARD_."""

from datetime import time
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from service import clock

PROJECT_ROOT = Path(__file__).resolve().parents[1]
VAR_DIR = PROJECT_ROOT / "var"
DEFAULT_MAIL_SENDER = "WageGuard 薪盾 <noreply@wageguard.local>"


# Shipped so that `make run` works at once; anyone holding them can forge known-device
# cookies and test PINs offline, so the app warns at start-up while they are in use.
PLACEHOLDER_SECRETS = {
    "secret_key": "change-me-in-production",
    "tracking_secret": "change-me-in-production-tracking",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WAGEGUARD_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{VAR_DIR / 'wageguard.db'}"
    data_dir: Path = PROJECT_ROOT / "data"
    var_dir: Path = VAR_DIR
    # Uploaded proofs live outside the web root, under generated names.
    upload_dir: Path = VAR_DIR / "uploads"
    # The monitored frames kept as Parquet between whole-city runs (monitoring/kept_frames.py),
    # a folder per database; safe to delete at any time (the next run reads the database).
    frames_dir: Path = VAR_DIR / "frames"
    secret_key: str = PLACEHOLDER_SECRETS["secret_key"]
    # Argon2's cost (service/auth/passwords.py). Only the test suite sets "cheap-for-tests":
    # thousands of hashes at 0.4 s each would double its time. Never set it in production.
    password_hashing: Literal["strong", "cheap-for-tests"] = "strong"
    # The daily monitors run (local time of `time_zone`); off in tests and one-off commands.
    monitors_daily_at: time = time(2, 0)
    scheduler_enabled: bool = False
    time_zone: str = clock.DEFAULT_TIME_ZONE

    # --- capacity and abuse limits (see README, "Security model") ---------------------------
    # One connection per request thread: the pool holds as many connections as there are
    # threads serving requests (pool_size + max_overflow), so no request waits for one.
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=20, ge=0)
    # Seconds a request may wait for a connection before it fails fast.
    db_pool_timeout: float = Field(default=10, gt=0)
    # Proxies whose X-Forwarded-For is believed (addresses or networks, e.g. ["10.0.0.0/8"]);
    # empty: the peer's own address is the client's.
    trusted_proxies: list[str] = []
    # Keys the tracking PIN's HMAC; kept out of the database (service/complaints/pins.py).
    tracking_secret: str = PLACEHOLDER_SECRETS["tracking_secret"]
    # Sign-in (service/auth/signin.py): failures per username and per address in any
    # window of that many minutes (moving windows), attempts overall in any minute, and
    # the longest of the growing delays once a username's failures pass its limit.
    signin_window_minutes: int = Field(default=15, ge=1)
    signin_failures_per_username: int = Field(default=10, ge=1)
    signin_failures_per_address: int = Field(default=30, ge=1)
    signin_attempts_per_minute: int = Field(default=600, ge=1)
    signin_max_delay_minutes: int = Field(default=60, ge=1)
    # Tracking (service/complaints/tracking.py): wrong PINs per code before delays start,
    # the longest delay, and attempts per address per hour.
    tracking_free_failures: int = Field(default=5, ge=1)
    tracking_max_delay_minutes: int = Field(default=60, ge=1)
    tracking_attempts_per_address: int = Field(default=60, ge=1)
    # Evidence from the worker (service/evidence): files per complaint, and uploads per
    # address per hour (each one is decoded and encoded again: bounded work per sender).
    evidence_max_files_per_complaint: int = Field(default=10, ge=1)
    evidence_uploads_per_address: int = Field(default=30, ge=1)
    # Legal-aid applications sent from one address per hour (service/portals/worker_legal_aid.py).
    legal_aid_applications_per_address: int = Field(default=10, ge=1)
    # Messages on a case (service/casework/messages.py): characters per message, messages per
    # case and direction per hour (a flood of SMS to the worker, or of e-mail to the
    # handlers, stops there), and the worker's messages per address per hour.
    case_message_max_chars: int = Field(default=500, ge=1, le=5000)
    case_messages_per_case_per_hour: int = Field(default=10, ge=1)
    case_messages_per_address_per_hour: int = Field(default=20, ge=1)
    # Texts to workers who agreed (service/sms/senders.py): "sink" writes them as files into
    # sms_sink_dir (demo, tests), "disabled" sends none; a real provider is one more name.
    sms_provider: Literal["sink", "disabled"] = "sink"
    sms_sink_dir: Path = VAR_DIR / "sms"

    # How long a form stays valid to send (service/csrf.py): its token's cookie lasts this long
    # from the last page shown, across a restart of the browser, so a worker who fills the
    # complaint form on a phone over an afternoon loses nothing. A form older than this comes
    # back with what was typed and "页面已过期，请再提交一次", never as a refusal page.
    form_valid_hours: float = Field(default=12, gt=0, le=7 * 24)

    # Anonymous worker pages and complaint API (service/shedding.py): requests served at once
    # per process; beyond it, 503 with Retry-After (seconds) at once. Filing is Python work
    # under one interpreter lock: a few at a time fill a process's core while others wait on
    # the database, more only lengthen every answer and starve the event loop (measured in
    # bench/intake_bench.py: 4 gave the most complaints per second and the shortest p99).
    # For more throughput, more processes (`wageguard serve --workers N`).
    intake_max_in_flight: int = Field(default=4, ge=1)
    intake_retry_after_seconds: int = Field(default=5, ge=1)

    # Contract file imports: limits checked before reading grows (hostile files: zip bombs,
    # a sheet declared as A1:XFD1048576, a 40,000-column CSV header, a 50 MB line). Real
    # files stay far below: a contract file has at most 14 columns and a line of a few
    # hundred bytes; 10,000 workers over a year are 120,000 payroll rows.
    import_max_columns: int = 64
    import_max_line_bytes: int = 64 * 1024
    # An .xlsx is a zip archive: what it may unpack to (in all), how many parts it may
    # have and how much larger than compressed a part may be (sheets compress 5-20 times).
    # Rows and cells bound the streaming read (a city-wide bulk import comes as CSV).
    import_xlsx_max_rows: int = 200_000
    import_xlsx_max_cells: int = 2_000_000
    import_xlsx_max_unpacked_bytes: int = 200 * 1024 * 1024
    import_xlsx_max_members: int = 1000
    import_xlsx_max_ratio: int = 100
    # Rows of one file uploaded by an employer (CSV or XLSX), counted before it is parsed: a
    # 50 MB file of junk rows would otherwise be parsed and checked in full. An employer of
    # 5,000 workers files 60,000 payroll rows a year.
    import_upload_max_rows: int = 100_000
    # Background imports (employer uploads): a runner thread in each served process. A job
    # whose runner stopped renewing it for this long is taken over (its process died);
    # after this many attempts it is marked failed.
    import_jobs_enabled: bool = True
    import_job_lease_seconds: int = 600
    import_job_max_attempts: int = 2

    # --- e-mail: WAGEGUARD_SMTP_* for the server, WAGEGUARD_MAIL_* for the outbox ----------
    smtp_host: str = "localhost"
    # 8025: the local sink `make run` starts (python -m service.notifications.sink).
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)

    mail_sender: str = DEFAULT_MAIL_SENDER
    # Whether the served app runs the sender loop in its own process (off in tests and
    # one-off commands; `python -m service.notifications.sender` runs it standalone).
    mail_sender_enabled: bool = False
    # Retry n waits base × 2^n seconds, at most retry_max_seconds; after max_attempts
    # failures a message is 'failed' and waits for a person.
    mail_retry_base_seconds: float = Field(default=30.0, gt=0)
    mail_retry_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    mail_max_attempts: int = Field(default=8, ge=1)
    mail_batch_size: int = Field(default=50, ge=1)
    # A message 'sending' for longer than the lease belongs to a sender that died; it goes
    # back to 'pending'. One message's delivery is cut off at half the lease, so a live
    # sender never holds a message past it.
    mail_lease_seconds: float = Field(default=300.0, gt=0)
    mail_poll_seconds: float = Field(default=1.0, gt=0)
    # The daily digest of non-critical alerts goes out at this hour, local time.
    mail_digest_hour: int = Field(default=8, ge=0, le=23)
    # Links in the e-mails point here.
    mail_base_url: str = "http://127.0.0.1:8000"
    # The monthly digest of the county assessment (the year to date), sent by the daily
    # scheduler on the first day of each month in Wenzhou to these addresses (the city's
    # leaders); empty sends none. WAGEGUARD_ASSESSMENT_DIGEST_RECIPIENTS='["a@x.cn"]'.
    assessment_digest_recipients: list[str] = []

    @property
    def request_threads(self) -> int:
        """Threads serving synchronous routes: one per pooled connection."""
        return self.db_pool_size + self.db_max_overflow


def placeholder_secrets(settings: Settings) -> list[str]:
    """The environment variables whose secret is still the shipped placeholder."""
    return [
        f"WAGEGUARD_{name.upper()}"
        for name, placeholder in PLACEHOLDER_SECRETS.items()
        if getattr(settings, name) == placeholder
    ]


@cache
def get_settings() -> Settings:
    return Settings()


clock.read_zone_from(lambda: get_settings().time_zone)
