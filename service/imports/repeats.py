"""Repeated keys across a file read in chunks: each key is kept as one exact integer, with
the row it first appeared on, so a key repeated a million rows later is still found —
without keeping the file's text in memory."""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from service.imports.problems import MAX_ROWS_PER_REASON, combine, problems
from service.imports.spec import FileSpec

# Codes of one key column stay below this (a file has fewer distinct values than rows),
# so two codes pack into one int64.
CODE_BASE = 2**31


class KeyLedger:
    """The keys of the chunks seen so far, as sorted integer ids and their first rows."""

    def __init__(self, spec: FileSpec, vocabularies: Mapping[str, pd.Index] | None = None) -> None:
        """`vocabularies`: for a key column naming employers or workers, the names already
        known (distinct, object dtype): a name's code is its place there, so the ledger
        keeps no copy of a city's two million identity numbers."""
        self.key = list(spec.key)
        self._vocabularies = [(vocabularies or {}).get(column) for column in self.key]
        # Per key column, its other distinct values so far (a value's code is its place,
        # after the vocabulary's).
        self._values = [pd.Index([], dtype=object) for _ in self.key]
        # Per pair of leading columns folded together, the pairs so far.
        self._pairs = [pd.Index([], dtype="int64") for _ in self.key[2:]]
        self._ids = np.empty(0, dtype="int64")  # sorted
        self._first_rows = np.empty(0, dtype="int32")

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
        local, found = pd.factorize(column.fillna(""))
        distinct = np.asarray(found, dtype=object)
        vocabulary = self._vocabularies[place]
        if vocabulary is None:
            self._values[place], codes = _coded(self._values[place], distinct)
            return codes[local]
        codes = vocabulary.get_indexer(distinct).astype("int64")
        other = codes < 0
        if other.any():
            self._values[place], own = _coded(self._values[place], distinct[other])
            codes[other] = len(vocabulary) + own
        return codes[local]

    def _remember(self, ids: np.ndarray, rows: np.ndarray) -> None:
        order = np.argsort(ids, kind="stable")
        ids, rows = ids[order], rows[order]
        at = np.searchsorted(self._ids, ids)
        self._ids = np.insert(self._ids, at, ids)
        self._first_rows = np.insert(self._first_rows, at, rows.astype("int32"))

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
