"""Scoring the risk tiers of the L data set's size: 50,000 employers, 200,000 alerts.

Prints the time of one `score()` (the pure pandas part of each monitors run's tier step).
Run: .venv/bin/python -m bench.risk_tiers
"""

import time
from datetime import date

import numpy as np
import pandas as pd

from monitors.reference import load_reference
from service.risk.scoring import score
from service.risk.service import tier_table

EMPLOYERS, ALERTS = 50_000, 200_000
AS_OF = date(2026, 11, 30)
RULES = ["wages.unpaid", "wages.unreported", "deposit.missing", "contracts.missing"]


def alerts(rng: np.random.Generator) -> pd.DataFrame:
    months = rng.integers(1, 13, ALERTS)
    return pd.DataFrame(
        {
            "employer_id": rng.integers(1, EMPLOYERS + 1, ALERTS),
            "rule": rng.choice(RULES, ALERTS),
            "severity": rng.choice(["critical", "high", "medium", "low"], ALERTS),
            "status": rng.choice(["open", "resolved"], ALERTS),
            "period": [f"2026-{m:02d}" for m in months],
            "amount_fen": rng.integers(0, 5_000_000, ALERTS),
            "first_seen": pd.Timestamp("2026-01-01") + pd.to_timedelta(months * 28, unit="D"),
        }
    )


def main() -> None:
    frame, reference = alerts(np.random.default_rng(11)), load_reference()
    ids = list(range(1, EMPLOYERS + 1))
    started = time.perf_counter()
    found = score(frame, ids, table=tier_table(), reference=reference, as_of=AS_OF)
    took = time.perf_counter() - started
    print(f"score(): {EMPLOYERS} employers, {ALERTS} alerts in {took:.2f} s")
    print(found["tier"].value_counts().to_string())


if __name__ == "__main__":
    main()
