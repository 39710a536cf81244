"""One counter for all monitored data, bumped in the same transaction as every change."""

from sqlalchemy import text
from sqlalchemy.engine import Connection


def bump(conn: Connection) -> None:
    conn.execute(text("UPDATE data_version SET version = version + 1 WHERE id = 1"))


def current(conn: Connection) -> int:
    return int(conn.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one())
