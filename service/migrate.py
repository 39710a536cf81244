"""Schema creation and upgrade through Alembic (`wageguard migrate`)."""

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str | None = None) -> "Config":
    # Alembic is imported only when a schema must change: every command of the CLI checks the
    # schema first, and importing it took a quarter of a second.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is already there."""
    from alembic import command

    with engine.begin() as connection:
        if _at_newest(connection):
            return
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def newest_revision() -> str:
    """The newest migration's revision: revisions are numbered like their files (0001, 0002,
    …), so this needs no Alembic, which takes half a second to read every migration (a test
    checks it names Alembic's head)."""
    migrations = (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
    return max(path.name.split("_", 1)[0] for path in migrations)


def _at_newest(connection: Connection) -> bool:
    """Whether the schema is already at the newest revision: every command of the CLI asks."""
    if not inspect(connection).has_table("alembic_version"):
        return False
    stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return stamped == [newest_revision()]
