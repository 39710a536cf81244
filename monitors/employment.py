"""Who works where on the as-of day: read off the contracts once per snapshot and shared by
the rules that need it (deposits, insurance, mediation, institutions) and the overview's
figures, each of which would otherwise filter every contract in the city again."""

import numpy as np
import pandas as pd

from monitors.base import Snapshot

# GB/T 2260: a county code has six digits, the first four naming its prefecture-level city.
COUNTY_CODE = r"\d{6}"
CITY_PREFIX = 4
ACTIVE_CONTRACT_COLUMNS = ["employer_id", "project_id", "worker_id", "start_date"]


def active_contracts(snapshot: Snapshot) -> pd.DataFrame:
    """Contracts active on the as-of day: started, and not left before it (contract §1). Who,
    where and since when only: the frame is kept for the whole run."""

    def compute() -> pd.DataFrame:
        day, contracts = snapshot.as_of_ts, snapshot.contracts
        started = contracts["start_date"] <= day
        staying = contracts["left_date"].isna() | (day <= contracts["left_date"])
        return contracts.loc[started & staying, ACTIVE_CONTRACT_COLUMNS]

    return snapshot.derive("employment.active_contracts", compute)


def active_workers(snapshot: Snapshot) -> pd.DataFrame:
    """One row per (employer, project, worker) with a contract active on the as-of day; the
    earliest start counts (for the insurance registration deadline)."""

    def compute() -> pd.DataFrame:
        key = ["employer_id", "project_id", "worker_id"]
        active = active_contracts(snapshot)[[*key, "start_date"]]
        return active.sort_values("start_date").drop_duplicates(key).reset_index(drop=True)

    return snapshot.derive("employment.active_workers", compute)


def active_migrants(snapshot: Snapshot) -> pd.DataFrame:
    """(employer, worker) pairs with a contract active on the as-of day whose worker's
    household registration lies outside the employer's city. A missing or malformed hukou
    code is unknown and not counted: the worker may well be local."""

    def compute() -> pd.DataFrame:
        active = active_contracts(snapshot)[["employer_id", "worker_id"]].drop_duplicates()
        workers, employers = snapshot.workers, snapshot.employers
        home = active["worker_id"].map(
            pd.Series(_city(workers["hukou_county_code"]), index=workers["worker_id"])
        )
        city = active["employer_id"].map(
            pd.Series(_city(employers["county_code"]), index=employers["employer_id"])
        )
        return active[(home != city) & home.notna() & city.notna()]

    return snapshot.derive("employment.active_migrants", compute)


def _city(county_codes: pd.Series) -> np.ndarray:
    """The city part of each county code as a number (NaN where the code is not one). Each
    distinct code is checked once: a city's 760,000 workers come from a few hundred counties."""
    codes, uniques = pd.factorize(county_codes)
    distinct = pd.Series(uniques, dtype="str")
    valid = distinct.str.fullmatch(COUNTY_CODE).fillna(False).astype(bool)
    cities = pd.to_numeric(distinct.str.slice(0, CITY_PREFIX).where(valid), errors="coerce")
    return np.append(cities.to_numpy(dtype=float, na_value=np.nan), np.nan)[codes]


def id_array(ids: pd.Series) -> np.ndarray:
    """A column of ids as an integer array, as held (the payroll's are int32: not copied)."""
    array = ids.to_numpy()
    return array if array.dtype.kind in "iu" else array.astype(np.int64)


def pair_numbers(
    employers: tuple[np.ndarray, np.ndarray], workers: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """One int64 per (employer, worker) of two sets of pairs, the same number for the same pair:
    employer × (largest worker id + 1) + worker. Database ids are small and non-negative; other
    ids are first numbered densely (slower)."""
    # Python ints: the ids may be int32 (the payroll's), which the bounds would overflow.
    every = [ids for ids in (*employers, *workers) if len(ids)]
    width = int(max((ids.max() for ids in workers if len(ids)), default=0)) + 1
    largest = int(max((ids.max() for ids in employers if len(ids)), default=0))
    if (
        int(min((ids.min() for ids in every), default=0)) < 0
        or largest >= np.iinfo(np.int64).max // width
    ):
        employers, workers = _densely(employers), _densely(workers)
        width = int(max((ids.max() for ids in workers if len(ids)), default=0)) + 1
    first, second = (np.multiply(ids, width, dtype=np.int64) for ids in employers)
    first += workers[0]
    second += workers[1]
    return first, second


def _densely(ids: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    codes = pd.factorize(np.concatenate(ids))[0]
    return codes[: len(ids[0])], codes[len(ids[0]) :]
