"""The overview as the page and its JSON twin show it."""

from datetime import date

from pydantic import BaseModel, computed_field


class Figures(BaseModel):
    """A place's headline figures (money in fen), with the rates worked out from them."""

    employers: int = 0
    active_workers: int = 0
    active_migrant_workers: int = 0
    alerts_critical: int = 0
    alerts_high: int = 0
    alerts_medium: int = 0
    alerts_low: int = 0
    arrears_fen: int = 0
    deposit_shortfall_fen: int = 0
    double_wage_fen: int = 0
    deposit_required_fen: int = 0
    deposit_held_fen: int = 0
    high_risk_workers: int = 0
    high_risk_workers_insured: int = 0
    complaints_received: int = 0
    complaints_mediated_in_time: int = 0
    complaints_overdue: int = 0
    legal_aid_referrals: int = 0
    tier_red: int = 0
    tier_orange: int = 0
    tier_yellow: int = 0
    tier_green: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def open_alerts(self) -> int:
        return self.alerts_critical + self.alerts_high + self.alerts_medium + self.alerts_low

    @computed_field  # type: ignore[prop-decorator]
    @property
    def at_stake_fen(self) -> int:
        return self.arrears_fen + self.deposit_shortfall_fen + self.double_wage_fen

    @computed_field  # type: ignore[prop-decorator]
    @property
    def deposit_gap_fen(self) -> int:
        return max(self.deposit_required_fen - self.deposit_held_fen, 0)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def deposit_coverage_pct(self) -> float | None:
        return _pct(self.deposit_held_fen, self.deposit_required_fen)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def injury_coverage_pct(self) -> float | None:
        return _pct(self.high_risk_workers_insured, self.high_risk_workers)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def injury_uncovered(self) -> int:
        return self.high_risk_workers - self.high_risk_workers_insured

    @computed_field  # type: ignore[prop-decorator]
    @property
    def mediated_in_time_pct(self) -> float | None:
        return _pct(self.complaints_mediated_in_time, self.complaints_received)


def _pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


class Place(BaseModel):
    code: str
    level: str  # city, county, town
    name: str
    county_code: str | None
    figures: Figures


class Month(BaseModel):
    month: str  # YYYY-MM
    alerts_opened: int
    alerts_resolved: int
    arrears_fen: int
    complaints_received: int


class RiskyEmployer(BaseModel):
    rank: int
    employer_id: int
    name: str
    county_code: str
    county_name: str
    town: str | None
    tier: str
    at_stake_fen: int
    open_alerts: int


class Overview(BaseModel):
    run_id: int | None  # None: no monitors run has been summarised yet
    as_of: date | None
    level: str  # the level of the rows: county (a city view) or town (a county view)
    scope: Place  # the whole of what is shown, summed
    county: str | None  # the county chosen (a county view), else None
    places: list[Place]  # the breakdown: counties, or the chosen county's towns
    map_places: list[Place]  # the counties the viewer may see, for the map
    months: list[Month]
    top_employers: list[RiskyEmployer]
    # Runs since that changed some employers' alerts without summarising the places (an
    # incremental run, a check, a shard): their alerts are in the inbox, not in these figures.
    partial_runs_since: int = 0
