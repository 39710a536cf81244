"""Evidence that travels with a finding: who is affected (masked) and the figures."""

import pandas as pd

from monitors.identifiers import mask_id_numbers

MAX_LISTED_WORKERS = 50


def masked_worker_ids(worker_ids: pd.Series, workers: pd.DataFrame) -> pd.Series:
    """Each worker's masked identity number, aligned with `worker_ids` ("?" if unknown)."""
    # Masking is string work: only the workers asked about, not every worker in the city.
    listed = workers[workers["worker_id"].isin(worker_ids.unique())]
    masked = pd.Series(mask_id_numbers(listed["id_number"]).to_numpy(), index=listed["worker_id"])
    return worker_ids.map(masked).astype(object).where(lambda ids: ids.notna(), "?")


def affected_workers(rows: pd.DataFrame, key: list[str], workers: pd.DataFrame) -> pd.Series:
    """Per key, the sorted masked identity numbers of the workers in `rows` (at most 50).

    `rows` needs the key columns and `worker_id`; the result is indexed by the key.
    """
    ids = rows[[*key, "worker_id"]].drop_duplicates()
    ids = ids.assign(masked=masked_worker_ids(ids["worker_id"], workers))
    grouped = ids.sort_values([*key, "masked"]).groupby(key, sort=False, dropna=False)
    shown = grouped.head(MAX_LISTED_WORKERS)
    return shown.groupby(key, sort=False, dropna=False)["masked"].agg(list)


def listed_records(
    rows: pd.DataFrame, key: list[str], columns: list[str], sort_by: str
) -> pd.Series:
    """Per key, the rows as JSON-ready records, sorted, at most 50 of them."""
    ordered = rows.sort_values([*key, sort_by])
    shown = ordered.groupby(key, dropna=False).head(MAX_LISTED_WORKERS)
    records = evidence_records(shown, columns)
    return records.groupby([shown[k] for k in key], dropna=False).agg(list)


def iso(day: pd.Series) -> pd.Series:
    """Dates as ISO text for evidence; missing → None."""
    return day.dt.strftime("%Y-%m-%d").astype(object).where(day.notna(), None)


def evidence_records(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One dict per row from the named columns, JSON-ready (numpy scalars → Python)."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object)
    plain = frame[columns].astype(object).where(frame[columns].notna(), None)
    return pd.Series(plain.to_dict("records"), index=frame.index)
