"""Settings, read from the environment with the prefix WAGEGUARD_."""

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
    import_batch_rows: int = 50_000


@cache
def get_settings() -> Settings:
    return Settings()
