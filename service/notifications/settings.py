"""E-mail settings, read from the environment: WAGEGUARD_SMTP_* for the server,
WAGEGUARD_MAIL_* for the outbox and its sender.

The field names are those they will keep once merged into service.config.Settings (same
prefix WAGEGUARD_), so the environment variables stay the same.
"""

from functools import cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SENDER = "WageGuard 薪盾 <noreply@wageguard.local>"


class MailSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WAGEGUARD_", env_file=".env", extra="ignore")

    smtp_host: str = "localhost"
    # 8025: the local sink `make run` starts (python -m service.notifications.sink).
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)

    mail_sender: str = DEFAULT_SENDER
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
    # Shared with service.config.Settings (same variable, WAGEGUARD_TIME_ZONE).
    time_zone: str = "Asia/Shanghai"


@cache
def get_mail_settings() -> MailSettings:
    return MailSettings()
