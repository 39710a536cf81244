"""Settings, read from the environment with the prefix WAGEGUARD_."""

from datetime import time
from functools import cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
VAR_DIR = PROJECT_ROOT / "var"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WAGEGUARD_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{VAR_DIR / 'wageguard.db'}"
    data_dir: Path = PROJECT_ROOT / "data"
    var_dir: Path = VAR_DIR
    # Uploaded proofs live outside the web root, under generated names.
    upload_dir: Path = VAR_DIR / "uploads"
    secret_key: str = "change-me-in-production"
    # The daily monitors run (local time of `time_zone`); off in tests and one-off commands.
    monitors_daily_at: time = time(2, 0)
    scheduler_enabled: bool = False
    time_zone: str = "Asia/Shanghai"


@cache
def get_settings() -> Settings:
    return Settings()
