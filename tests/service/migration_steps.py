"""Alembic steps on a test database, for the tests of one migration's data changes."""

from alembic import command
from sqlalchemy.engine import Engine

from service.migrate import alembic_config


def upgrade(engine: Engine, revision: str) -> None:
    _step(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    _step(engine, command.downgrade, revision)


def _step(engine: Engine, step, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        step(config, revision)
