"""What an import changed, as the next monitors run needs it (data_version.Changed): the
employers, projects and workers whose monitored rows it inserted or updated, and the payroll
rows it wrote."""

from collections.abc import Iterable

import pandas as pd

from service import data_version
from service.data_version import Changed
from service.imports.spec import FileSpec
from service.imports.writing import Written

# Read by no rule.
UNMONITORED = frozenset({"county_coordinators"})
# Every employer's share reads every committee (an employer's own, and the county centre):
# a changed committee changes what no list of employers tells apart.
READ_BY_EVERY_EMPLOYER = frozenset({"mediation_committee"})
# Tables whose rows are the entity itself.
ENTITY_TABLES = {"employer": "employers", "project": "projects", "worker": "workers"}
# Columns naming an entity, in the tables that refer to one.
ENTITY_COLUMNS = {
    "employer_id": "employers",
    "contractor_id": "employers",
    "project_id": "projects",
}


def changed_by(spec: FileSpec, written: Written, key_map: pd.Series | None) -> Changed | None:
    """The entities one file's written rows belong to; None if they cannot be told apart.
    `key_map`: the file's natural keys to ids, read after the write (new rows' ids)."""
    if spec.table in UNMONITORED or (written.new.empty and written.changed.empty):
        return Changed()
    if spec.table in READ_BY_EVERY_EMPLOYER:
        return None
    if spec.table == "payroll_entry":
        return _payroll_changed(written)
    found: dict[str, list[Iterable[object]]] = {"employers": [], "projects": [], "workers": []}
    entity = ENTITY_TABLES.get(spec.table)
    if entity:
        if "_row_id" in written.changed.columns:
            found[entity].append(written.changed["_row_id"])
        if key_map is not None and spec.natural_key:
            natural = written.new[spec.column(spec.natural_key).db_column]
            found[entity].append(key_map.reindex(pd.Index(natural, dtype=object)))
    for column, named in ENTITY_COLUMNS.items():
        for values in _values(written, column):
            found[named].append(values)
    if not any(found.values()):
        return None  # a monitored table this module does not know how to read
    return Changed.of(*(_chain(found[name]) for name in ("employers", "projects", "workers")))


def _payroll_changed(written: Written) -> Changed:
    """The payroll rows written, each by its key (Changed names too many by their employers)."""
    rows = [frame[data_version.PAYROLL_KEY] for frame in (written.new, written.changed)]
    return Changed.of(payroll=_chain([frame.itertuples(index=False) for frame in rows]))


def _values(written: Written, column: str) -> list[Iterable[object]]:
    """A column's values in the new and updated rows, and in the updated rows before."""
    frames = [(written.new, column), (written.changed, column), (written.changed, f"_was_{column}")]
    return [frame[name].dropna().unique() for frame, name in frames if name in frame.columns]


def _chain(parts: list[Iterable[object]]) -> list[object]:
    return [value for part in parts for value in part]
