"""Repeated keys across a file read in chunks: each key is kept as one exact integer, with
the row it first appeared on, so a key repeated a million rows later is still found —
without keeping the file's text in memory."""

import numpy as np
import pandas as pd

from service.imports.problems import MAX_ROWS_PER_REASON, combine, problems
from service.imports.spec import FileSpec

# Codes of one key column stay below this (a file has fewer distinct values than rows),
# so two codes pack into one int64.
CODE_BASE = 2**31


class KeyLedger:
    """The keys of the chunks seen so far, as sorted integer ids and their first rows."""

    def __init__(self, spec: FileSpec) -> None:
        self.key = list(spec.key)
        # Per key column, its distinct values so far (a value's code is its position).
        self._values = [pd.Index([], dtype=object) for _ in self.key]
        # Per pair of leading columns folded together, the pairs so far.
        self._pairs = [pd.Index([], dtype="int64") for _ in self.key[2:]]
        self._ids = np.empty(0, dtype="int64")  # sorted
        self._first_rows = np.empty(0, dtype="int64")

    def repeated(self, values: pd.DataFrame, file_name: str) -> pd.DataFrame:
        """Problems for this chunk's rows whose key an earlier row had; remembers the rest."""
        ids = self._ids_of(values)
        rows = values.index.to_numpy(dtype="int64")
        place = np.searchsorted(self._ids, ids)
        seen = place < len(self._ids)
        seen[seen] = self._ids[place[seen]] == ids[seen]
        first_row = np.zeros(len(ids), dtype="int64")
        first_row[seen] = self._first_rows[place[seen]]
        # Within the chunk: repeats of a key first seen earlier in it.
        in_chunk = pd.Series(rows).groupby(ids, sort=False).transform("first").to_numpy()
        repeat_here = ~seen & (in_chunk != rows)
        first_row = np.where(repeat_here, in_chunk, first_row)
        self._remember(ids[~seen & ~repeat_here], rows[~seen & ~repeat_here])
        return self._problems(values, seen | repeat_here, first_row, file_name)

    def _ids_of(self, values: pd.DataFrame) -> np.ndarray:
        codes = [self._codes(place, values[column]) for place, column in enumerate(self.key)]
        ids = codes[0]
        for place, code in enumerate(codes[1:]):
            packed = ids * CODE_BASE + code
            if place == len(codes) - 2:
                return packed
            local, distinct = pd.factorize(packed)
            self._pairs[place], ids = _coded(self._pairs[place], distinct)
            ids = ids[local]
        return ids

    def _codes(self, place: int, column: pd.Series) -> np.ndarray:
        # A missing key part matches another missing one, as pandas' duplicated() has it.
        local, distinct = pd.factorize(column.fillna(""))
        self._values[place], codes = _coded(self._values[place], np.asarray(distinct, dtype=object))
        return codes[local]

    def _remember(self, ids: np.ndarray, rows: np.ndarray) -> None:
        order = np.argsort(ids, kind="stable")
        ids, rows = ids[order], rows[order]
        at = np.searchsorted(self._ids, ids)
        self._ids = np.insert(self._ids, at, ids)
        self._first_rows = np.insert(self._first_rows, at, rows)

    def _problems(
        self, values: pd.DataFrame, repeated: np.ndarray, first_row: np.ndarray, file_name: str
    ) -> pd.DataFrame:
        if not repeated.any():
            return combine([])
        index = values.index[repeated]
        rows = pd.Series(index, index=index)
        # Joined (a loop per row) only for the rows the report lists.
        shown = pd.Series("", index=index, dtype=object)
        listed = index[:MAX_ROWS_PER_REASON]
        shown[listed] = values.loc[listed, self.key].fillna("").astype(str).agg("|".join, axis=1)
        firsts = pd.Series(first_row[repeated], index=index).astype(str)
        return problems(file_name, rows, "+".join(self.key), shown, "duplicate_key", firsts)


def _coded(known: pd.Index, distinct: np.ndarray) -> tuple[pd.Index, np.ndarray]:
    """Each distinct value's position in `known`, new values appended first."""
    codes = known.get_indexer(distinct)
    new = codes < 0
    if new.any():
        codes[new] = np.arange(len(known), len(known) + int(new.sum()))
        # Joined as arrays: Index.append would infer pandas' string dtype (slow lookups).
        known = pd.Index(np.concatenate([known.to_numpy(), distinct[new]]), dtype=known.dtype)
    return known, codes.astype("int64")
