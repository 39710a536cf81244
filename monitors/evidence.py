"""Evidence that travels with a finding: who is affected (masked) and the figures."""

import pandas as pd

from monitors.identifiers import mask_id_numbers

MAX_LISTED_WORKERS = 50


def affected_workers(rows: pd.DataFrame, key: list[str], workers: pd.DataFrame) -> pd.Series:
    """Per key, the sorted masked identity numbers of the workers in `rows` (at most 50).

    `rows` needs the key columns and `worker_id`; the result is indexed by the key.
    """
    ids = rows[[*key, "worker_id"]].drop_duplicates()
    masked = ids["worker_id"].map(
        pd.Series(mask_id_numbers(workers["id_number"]).to_numpy(), index=workers["worker_id"])
    )
    ids = ids.assign(masked=masked.fillna("?")).sort_values([*key, "masked"])
    return ids.groupby(key, sort=False, dropna=False)["masked"].agg(
        lambda values: list(values[:MAX_LISTED_WORKERS])
    )


def iso(day: pd.Series) -> pd.Series:
    """Dates as ISO text for evidence; missing → None."""
    return day.dt.strftime("%Y-%m-%d").astype(object).where(day.notna(), None)


def evidence_records(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One dict per row from the named columns, JSON-ready (numpy scalars → Python)."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object)
    plain = frame[columns].astype(object).where(frame[columns].notna(), None)
    return pd.Series(plain.to_dict("records"), index=frame.index)
