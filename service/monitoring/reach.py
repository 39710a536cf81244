"""Which employers' findings a change can move: those whose share of the data
(frames.EMPLOYER_SHARE) holds a changed row.

A changed row belongs to an employer and maybe a project. It lies in the share of that
employer, and of every employer on a project with it (their shares read each other's rows),
and, through its project, of every employer on that project. A changed worker is in the share
of every employer with a contract for them, and so of those employers' project partners."""

from sqlalchemy.engine import Connection

from service.data_version import Changed
from service.monitoring.frames import SHARE_EMPLOYERS, SHARE_PROJECTS, ids_of

EMPLOYERS_OF_WORKERS = (
    "SELECT DISTINCT employer_id FROM employment_contract WHERE worker_id IN :own"
)


def employers_reached(conn: Connection, changed: Changed) -> list[int]:
    """The employers to evaluate again after `changed`, read on the run's snapshot."""
    employers = set(changed.every_employer)
    if changed.workers:
        employers |= set(ids_of(conn, EMPLOYERS_OF_WORKERS, {"own": sorted(changed.workers)}))
    projects = set(changed.projects)
    if employers:
        projects |= set(ids_of(conn, SHARE_PROJECTS, {"own": sorted(employers)}))
    if projects:
        employers |= set(ids_of(conn, SHARE_EMPLOYERS, {"projects": sorted(projects)}))
    return sorted(employers)
