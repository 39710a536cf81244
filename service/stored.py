"""The id of a stored row, typed as the database guarantees it."""

from typing import Protocol


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def stored_id(row: _Row) -> int:
    """SQLModel types a table's id `int | None` (None until the first flush); a row read from
    the database or flushed has one."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has not been flushed: it has no id yet")
    return row.id
