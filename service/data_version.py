"""One counter for all monitored data, bumped in the same transaction as every change, with
what the change touched (data_change): the next monitors run re-evaluates the employers it
reaches rather than the whole city. Each version also gets a random stamp (data_stamp), which
tells this database's version 7 from a copy's version 7 reached by other changes."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

# Beyond this many ids a change is recorded as a change of everything: a run reaching that
# many employers reads most of the city anyway, and the marks would cost more than they save.
MOST_IDS = 20_000


@dataclass(frozen=True)
class Changed:
    """The employers, projects and workers whose monitored rows a change inserted or updated."""

    employers: frozenset[int] = frozenset()
    projects: frozenset[int] = frozenset()
    workers: frozenset[int] = frozenset()

    @classmethod
    def of(
        cls,
        employers: Iterable[object] = (),
        projects: Iterable[object] = (),
        workers: Iterable[object] = (),
    ) -> "Changed":
        return cls(_ids(employers), _ids(projects), _ids(workers))

    def __or__(self, other: "Changed") -> "Changed":
        return Changed(
            self.employers | other.employers,
            self.projects | other.projects,
            self.workers | other.workers,
        )

    def __len__(self) -> int:
        return len(self.employers) + len(self.projects) + len(self.workers)


def _ids(values: Iterable[Any]) -> frozenset[int]:
    return frozenset(int(v) for v in values if v is not None and v == v)  # v == v: not NaN


def bump(conn: Connection, changed: Changed | None = None) -> None:
    """A new data version. `changed`: what the change touched; None when it cannot be told
    (the next run then evaluates every employer)."""
    conn.execute(text("UPDATE data_version SET version = version + 1 WHERE id = 1"))
    version = current(conn)
    conn.execute(
        text("INSERT INTO data_stamp (version, stamp) VALUES (:version, :stamp)"),
        {"version": version, "stamp": uuid.uuid4().hex},
    )
    if changed is None or len(changed) > MOST_IDS:
        rows = [{"version": version, "employer": None, "project": None, "worker": None}]
    else:
        rows = [
            *({"version": version, "employer": i, "project": None, "worker": None}
              for i in changed.employers),
            *({"version": version, "employer": None, "project": i, "worker": None}
              for i in changed.projects),
            *({"version": version, "employer": None, "project": None, "worker": i}
              for i in changed.workers),
        ]  # fmt: skip
    if rows:
        conn.execute(
            text(
                "INSERT INTO data_change (version, employer_id, project_id, worker_id) "
                "VALUES (:version, :employer, :project, :worker)"
            ),
            rows,
        )


def current(conn: Connection) -> int:
    return int(conn.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one())


def stamp_of(conn: Connection, version: int) -> str | None:
    """The stamp of a data version; None once forgotten (or for a database whose versions have
    no stamps)."""
    found = conn.execute(
        text("SELECT stamp FROM data_stamp WHERE version = :version"), {"version": version}
    ).scalar_one_or_none()
    return None if found is None else str(found)


def changed_since(conn: Connection, version: int) -> Changed | None:
    """What every data version after `version` changed, together; None if any of them
    changed what cannot be told apart."""
    rows = conn.execute(
        text(
            "SELECT DISTINCT employer_id, project_id, worker_id FROM data_change "
            "WHERE version > :version"
        ),
        {"version": version},
    ).all()
    if any(tuple(row) == (None, None, None) for row in rows):
        return None
    employers, projects, workers = zip(*rows, strict=True) if rows else ((), (), ())
    return Changed.of(employers, projects, workers)


def forget_until(conn: Connection, version: int) -> None:
    """A whole-city run has seen every change up to `version`: no later run needs them. The
    stamp of `version` itself stays: frames kept as of it can still be brought up to date."""
    conn.execute(text("DELETE FROM data_change WHERE version <= :version"), {"version": version})
    conn.execute(text("DELETE FROM data_stamp WHERE version < :version"), {"version": version})
