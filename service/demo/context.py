"""What every part of the demo draws on: one random generator, the reference data, the
working-day calendar and the demo's day, `as_of`, as a day number."""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from monitors.calendar import WorkCalendar, default_calendar
from monitors.reference import Reference, load_reference
from service.demo.days import day_number, from_datetime_series, to_datetime_series
from service.demo.places import wenzhou_counties, wenzhou_towns


@dataclass
class Context:
    rng: np.random.Generator
    reference: Reference
    calendar: WorkCalendar
    scale: int
    as_of: int  # day number (days since 1970-01-01)
    as_of_date: date
    counties: pd.DataFrame  # code, name_zh, weight
    towns: pd.DataFrame  # county_code, name_zh; sorted by county

    @classmethod
    def build(
        cls, seed: int, scale: int, as_of: date, reference: Reference | None = None
    ) -> "Context":
        # The reference decides where the demo happens: data/'s Wenzhou unless another is given
        # (a benchmark's province, bench/province_bench.py).
        reference = reference or load_reference()
        return cls(
            rng=np.random.default_rng([seed, scale]),
            reference=reference,
            calendar=default_calendar(),
            scale=scale,
            as_of=day_number(as_of),
            as_of_date=as_of,
            counties=wenzhou_counties(reference),
            towns=wenzhou_towns(reference),
        )

    def param(self, name: str) -> int | float:
        return self.reference.value(name, on=self.as_of_date)

    def uniform_days(self, low: np.ndarray | int, high: np.ndarray | int, n: int) -> np.ndarray:
        """Whole days uniformly in [low, high] (high < low is read as low)."""
        low_a = np.broadcast_to(np.asarray(low, dtype=np.int64), (n,))
        high_a = np.maximum(np.broadcast_to(np.asarray(high, dtype=np.int64), (n,)), low_a)
        return low_a + np.floor(self.rng.random(n) * (high_a - low_a + 1)).astype(np.int64)

    def towns_in(self, county_codes: np.ndarray) -> np.ndarray:
        """A town of each given county, drawn uniformly (an offset into the county's block)."""
        towns = self.towns
        first = towns.groupby("county_code").cumcount() == 0
        offsets = pd.Series(towns.index[first], index=towns.loc[first, "county_code"])
        counts = towns.groupby("county_code").size()
        offset = offsets.reindex(county_codes).to_numpy()
        count = counts.reindex(county_codes).to_numpy()
        if np.isnan(count.astype(float)).any():
            raise ValueError("a county of the demo has no towns in the reference data")
        pick = offset + np.floor(self.rng.random(len(county_codes)) * count).astype(np.int64)
        return towns["name_zh"].to_numpy()[pick]

    # working-day arithmetic over day numbers
    def on_or_before_working_day(self, days: np.ndarray) -> np.ndarray:
        return from_datetime_series(
            self.calendar.on_or_before_working_day_many(to_datetime_series(days))
        )

    def add_working_days(self, days: np.ndarray, n: int | np.ndarray) -> np.ndarray:
        n_series = pd.Series(np.broadcast_to(np.asarray(n, dtype=np.int64), days.shape))
        return from_datetime_series(
            self.calendar.add_working_days_many(to_datetime_series(days), n_series)
        )

    def working_days_between(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        counts = self.calendar.working_days_between_many(
            to_datetime_series(starts), to_datetime_series(ends)
        )
        return counts.to_numpy(dtype=np.int64)
