"""The risk-tier table (data/risk_tiers.csv) applied to alerts: pure pandas, every employer at
once. Each table row is one vectorised measure; every row that holds is a reason and the
strongest tier among them is the employer's (data/README.md, "risk_tiers.csv")."""

from collections.abc import Callable
from datetime import date

import pandas as pd

from monitors.reference import Reference, in_force
from service.risk.models import TIERS

ALERT_COLUMNS = ("employer_id", "rule", "severity", "status", "period", "amount_fen", "first_seen")
UNPAID_RULE = "wages.unpaid"
RANK = {tier: rank for rank, tier in enumerate(TIERS)}


def _words(value: object) -> list[str]:
    return str(value).split() if isinstance(value, str) and value.strip() else []


def _looked_at(alerts: pd.DataFrame, row: pd.Series) -> pd.DataFrame:
    """The alerts a table row looks at: its rules and severities (empty = all)."""
    rules, severities = _words(row["alert_rules"]), _words(row["alert_severities"])
    keep = pd.Series(True, index=alerts.index)
    if rules:
        keep &= alerts["rule"].isin(rules)
    if severities:
        keep &= alerts["severity"].isin(severities)
    return alerts[keep]


def _open(alerts: pd.DataFrame) -> pd.DataFrame:
    return alerts[alerts["status"] == "open"]


def _open_unpaid(alerts: pd.DataFrame) -> pd.DataFrame:
    return _open(alerts)[_open(alerts)["rule"] == UNPAID_RULE]


def open_alerts(alerts: pd.DataFrame, row: pd.Series, as_of: date) -> pd.Series:
    return _looked_at(_open(alerts), row).groupby("employer_id").size()


def arrears_outstanding_fen(alerts: pd.DataFrame, row: pd.Series, as_of: date) -> pd.Series:
    unpaid = _open_unpaid(alerts)
    return unpaid["amount_fen"].fillna(0).astype("int64").groupby(unpaid["employer_id"]).sum()


def arrears_longest_months(alerts: pd.DataFrame, row: pd.Series, as_of: date) -> pd.Series:
    """Whole months from the earliest unpaid period to the as-of month (2026-08 on 2026-11-30
    is 3)."""
    unpaid = _open_unpaid(alerts)
    unpaid = unpaid[unpaid["period"].str.fullmatch(r"\d{4}-\d{2}", na=False)]
    month = unpaid["period"].str[:4].astype(int) * 12 + unpaid["period"].str[5:7].astype(int)
    age = (as_of.year * 12 + as_of.month) - month
    return age.groupby(unpaid["employer_id"]).max()


def arrears_periods(alerts: pd.DataFrame, row: pd.Series, as_of: date) -> pd.Series:
    """Distinct pay periods of the row's alerts first seen in its window, open or resolved."""
    since = pd.Timestamp(as_of) - pd.DateOffset(months=int(row["window_months"]))
    looked = _looked_at(alerts, row)
    looked = looked[(pd.to_datetime(looked["first_seen"]) >= since) & (looked["period"] != "")]
    return looked.groupby("employer_id")["period"].nunique()


MEASURES: dict[str, Callable[[pd.DataFrame, pd.Series, date], pd.Series]] = {
    "open_alerts": open_alerts,
    "arrears_outstanding_fen": arrears_outstanding_fen,
    "arrears_longest_months": arrears_longest_months,
    "arrears_periods": arrears_periods,
}


def _threshold(row: pd.Series, reference: Reference, as_of: date) -> int:
    if pd.notna(row["threshold"]):
        return int(row["threshold"])
    return int(reference.value(str(row["threshold_parameter"]), as_of))


def _holding(
    alerts: pd.DataFrame, row: pd.Series, employers: pd.Index, reference: Reference, as_of: date
) -> pd.DataFrame:
    """The employers for which one table row holds, with the figure that made it hold."""
    if row["measure"] == "always":
        return pd.DataFrame({"employer_id": employers, "figure": None, "threshold": None})
    threshold = _threshold(row, reference, as_of)
    figure = MEASURES[row["measure"]](alerts, row, as_of).reindex(employers, fill_value=0)
    held = figure[figure >= threshold]
    return pd.DataFrame(
        {"employer_id": held.index, "figure": held.astype("int64").values, "threshold": threshold}
    )


def score(
    alerts: pd.DataFrame,
    employer_ids: list[int],
    *,
    table: pd.DataFrame,
    reference: Reference,
    as_of: date,
) -> pd.DataFrame:
    """employer_id, tier, reasons ([{"rule", "figure", "threshold"}] in the table's order) for
    every employer given; the `always` row is a reason only when nothing else holds."""
    employers = pd.Index(employer_ids, name="employer_id")
    alerts = alerts.loc[:, list(ALERT_COLUMNS)]
    parts = []
    for _, row in in_force(table, as_of).sort_values("order").iterrows():
        held = _holding(alerts, row, employers, reference, as_of)
        parts.append(
            held.assign(
                rule=row["rule_id"],
                tier=row["tier"],
                order=int(row["order"]),
                always=row["measure"] == "always",
            )
        )
    found = pd.concat(parts, ignore_index=True)
    others = found.loc[~found["always"], "employer_id"].unique()
    found = found[~(found["always"] & found["employer_id"].isin(others))]
    found = found.assign(rank=found["tier"].map(RANK)).sort_values(["employer_id", "order"])
    tiers = found.groupby("employer_id")["rank"].min().map(dict(enumerate(TIERS)))
    reasons = pd.Series(_reason_lists(found), dtype=object)
    result = pd.DataFrame({"tier": tiers, "reasons": reasons}).reindex(employers)
    return result.reset_index()


def _reason_lists(found: pd.DataFrame) -> dict[int, list[dict[str, object]]]:
    """Each employer's reasons in the table's order (rows sorted already). A plain loop: a
    pandas apply per employer took a minute for 50,000 employers. Employers with the same
    reasons share one list (a city's 50,000 have a handful of distinct ones), so what is done
    with each list — writing it out as stored text — is done once per distinct list. Read-only."""
    rows: dict[int, list[tuple[object, int | None, int | None]]] = {}
    columns = (
        found["employer_id"].tolist(),
        found["rule"].tolist(),
        _whole_or_none(found["figure"]),
        _whole_or_none(found["threshold"]),
    )
    for employer_id, rule, figure, threshold in zip(*columns, strict=True):
        rows.setdefault(int(employer_id), []).append((rule, figure, threshold))
    distinct: dict[tuple[tuple[object, int | None, int | None], ...], list[dict[str, object]]] = {}
    lists = {}
    for employer_id, reasons in rows.items():
        key = tuple(reasons)
        if key not in distinct:
            distinct[key] = [
                {"rule": rule, "figure": figure, "threshold": threshold}
                for rule, figure, threshold in reasons
            ]
        lists[employer_id] = distinct[key]
    return lists


def _whole_or_none(values: pd.Series) -> list[int | None]:
    """A column's values as whole numbers, the missing ones (NaN, None) as None."""
    present = values.astype(object).where(values.notna(), None).tolist()
    return [None if value is None else int(value) for value in present]
