"""An employer's own import (its portal upload): what it may write, and what its answers
may tell.

An employer may register new workers, but change the master data (name, phone, hukou) only
of workers it already employed before this import: otherwise a one-day contract in its own
contracts file would let it rename another employer's worker. It may name a project only
where it is the general contractor (projects.contractor_uscc); a subcontractor is linked to
a project by the contractor or an inspector. Every refusal reads the same whether an
identity number or project code is unknown or belongs to someone else, so an upload is
no oracle for other employers' data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

from service.imports.problems import combine, problems

# Reference columns checked here instead of against the whole database.
SCOPED_REFERENCES = frozenset({"workers", "projects"})


@dataclass(frozen=True)
class EmployerScope:
    uscc: str
    employed: pd.Index  # identity numbers with a contract with this employer, before import
    projects: pd.Index  # project codes where it is the contractor


def load(conn: Connection, uscc: str) -> EmployerScope:
    employed = conn.execute(
        text(
            "SELECT DISTINCT w.id_number FROM worker w "
            "JOIN employment_contract c ON c.worker_id = w.id "
            "JOIN employer e ON e.id = c.employer_id WHERE e.uscc = :uscc"
        ),
        {"uscc": uscc},
    ).scalars()
    projects = conn.execute(
        text(
            "SELECT p.project_code FROM project p "
            "JOIN employer e ON e.id = p.contractor_id WHERE e.uscc = :uscc"
        ),
        {"uscc": uscc},
    ).scalars()
    return EmployerScope(
        uscc, pd.Index(list(employed), dtype=object), pd.Index(list(projects), dtype=object)
    )


def foreign_references(
    item: Any,
    scope: EmployerScope,
    registered_here: pd.Index,
    flagged: Callable[[Any, str], pd.Series],
) -> pd.DataFrame:
    """Workers and projects named in the upload that are not the employer's: a worker must
    be one it employs or registers in this upload's workers file (`registered_here`); a
    project one it contracts. A cell that already has a problem is not reported twice."""
    yours = {"workers": scope.employed.append(registered_here), "projects": scope.projects}
    code = {"workers": "worker_not_yours", "projects": "project_not_yours"}
    found = []
    for column in item.spec.columns:
        if column.references not in SCOPED_REFERENCES:
            continue
        named = item.values[column.name].astype(object)
        other = named.notna() & ~named.isin(yours[column.references])
        other = (other & ~flagged(item, column.name)).astype(bool)
        rows = pd.Series(item.values.index[other], index=item.values.index[other])
        found.append(
            problems(item.path.name, rows, column.name, named[other], code[column.references])
        )
    return combine(found)


def writable_workers(
    values: pd.DataFrame, scope: EmployerScope, registered: pd.Index
) -> tuple[pd.DataFrame, int]:
    """The workers rows the employer may write: new workers, and its own. A registered
    worker it did not employ keeps the master data on record (and the row still counts as
    registered, so the summary does not tell that the identity number was known)."""
    ids = values["id_number"].astype(object)
    others = ids.isin(registered.astype(object)) & ~ids.isin(scope.employed)
    return values[~others.astype(bool)], int(others.sum())
