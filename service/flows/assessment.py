"""The county assessment (考核): for a year or a quarter, each indicator of data/assessment.csv
per county, with its points, the county's score and rank, and the counts behind each figure.

Plain counts and durations (arrears, mediation, alert handling, coordinators, work-injury
cover) are read with one set-based query each and grouped per county. Where the law's
arithmetic already lives in the monitors (which projects must hold a deposit and how much; the
employers that must keep a service office), the monitors' own functions run on one snapshot
of the data as of the period's cut-off day, so the report and the alerts never disagree.

The cut-off day is the period's last day, or today while the period is still running: a
figure is never taken from a day that has not come.

The figures are computed once per period, cut-off day and input versions and kept in the
database (service/reports/service.py says what the key holds and why the database): a
repeated view, its XLSX, PDF and JSON read one row.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from monitors.base import Snapshot
from monitors.reference import (
    Reference,
    county_score,
    in_force,
    indicator_points,
    load_assessment,
)
from monitors.rules.deposits import deposit_positions
from monitors.rules.institutions import institution_duties
from service import clock, data_version
from service.audit import service as audit
from service.auth.actors import Actor
from service.db import rows_frame, session_scope
from service.monitoring import fingerprint
from service.monitoring.frames import CONTRACTORS_ONLY, read_snapshot
from service.notifications.audience import Audience
from service.notifications.contexts import AssessmentLine, AssessmentReport
from service.notifications.outbox import enqueue, is_deliverable
from service.reports import service as cached

# The snapshot-based figures of the last few (data version, cut-off day) pairs.
SNAPSHOT_CACHE_SIZE = 8
_SNAPSHOT_FIGURES: OrderedDict[tuple[str, int, date, int], dict[str, dict[str, Measured]]] = (
    OrderedDict()
)
_SNAPSHOT_LOCK = threading.Lock()
SNAPSHOT_FRAMES = ("employers", "workers", "contracts", "payroll", "projects", "deposit_events")
HANDLING_ACTIONS = ("alert.acknowledge", "alert.assign", "alert.resolve")
ARREARS_RULE = "wages.unpaid"
BP = 10_000
Unit = Literal["bp", "days"]


@dataclass(frozen=True)
class Period:
    """A calendar year, or one of its quarters."""

    year: int
    quarter: int | None = None

    @property
    def start(self) -> date:
        month = 1 if self.quarter is None else 3 * self.quarter - 2
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        if self.quarter is None or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    @property
    def key(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-Q{self.quarter}"

    def label(self, language: str) -> str:
        if language == "en":
            return str(self.year) if self.quarter is None else f"Q{self.quarter} {self.year}"
        return f"{self.year}年" if self.quarter is None else f"{self.year}年第{self.quarter}季度"

    def cut_off(self, today: date) -> date:
        return min(self.end, today)


@dataclass(frozen=True)
class Indicator:
    """One row of data/assessment.csv in force on the period's last day."""

    id: str
    name_zh: str
    name_en: str
    measure: str
    weight: int
    unit: Unit
    target: int
    floor: int
    status: str
    definition_zh: str
    definition_en: str
    legal_basis_zh: str
    legal_basis_en: str

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_zh

    def definition(self, language: str) -> str:
        return self.definition_en if language == "en" else self.definition_zh

    def legal_basis(self, language: str) -> str:
        return self.legal_basis_en if language == "en" else self.legal_basis_zh


@dataclass(frozen=True)
class Measured:
    """A county's figure for one indicator: the value (basis points or days; None when there
    was no case to measure), and the counts it rests on. For a share, `numerator` of
    `denominator`; for a median, `denominator` cases. `extra` holds further evidence (amounts
    in fen, the coordinators required)."""

    value: float | None
    numerator: int = 0
    denominator: int = 0
    extra: dict[str, int] = field(default_factory=dict)
    points: float | None = None


@dataclass(frozen=True)
class CountyResult:
    code: str
    name_zh: str
    name_en: str
    measured: dict[str, Measured]
    score: float | None
    rank: int | None

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_zh


@dataclass(frozen=True)
class Assessment:
    period: Period
    cut_off: date
    indicators: list[Indicator]
    counties: list[CountyResult]  # by rank, unranked last

    def within(self, actor: Actor) -> Assessment:
        """The counties the actor may see (ranks stay the city-wide ones)."""
        if actor.role == "admin":
            return self
        seen = [c for c in self.counties if c.code in actor.counties]
        return Assessment(self.period, self.cut_off, self.indicators, seen)


# --- who may read and send ----------------------------------------------------------------------


def can_read_reports(actor: Actor) -> bool:
    """Who may read the supervision reports: administrators, and inspectors or (read-only)
    supervisors responsible for at least one whole county (or the city)."""
    return actor.role == "admin" or (
        actor.role in ("inspector", "supervisor") and bool(actor.counties)
    )


def is_city_wide(actor: Actor, city_codes: frozenset[str]) -> bool:
    """An inspector whose scope is the whole city (a city-level jurisdiction)."""
    return actor.role == "inspector" and bool(actor.counties & city_codes)


def can_send_reports(actor: Actor, city_codes: frozenset[str]) -> bool:
    """Only the city's inspectors circulate the assessment by e-mail."""
    return is_city_wide(actor, city_codes)


def city_codes(conn: Connection) -> frozenset[str]:
    rows = conn.execute(text("SELECT code FROM jurisdiction WHERE level = 'city'")).scalars()
    return frozenset(rows)


# --- the indicators in force --------------------------------------------------------------------


@functools.cache
def _assessment_table() -> pd.DataFrame:
    return load_assessment()


def indicators_on(day: date) -> list[Indicator]:
    rows = in_force(_assessment_table(), day).sort_values("order")
    return [
        Indicator(
            id=str(row["indicator_id"]),
            name_zh=str(row["name_zh"]),
            name_en=str(row["name_en"]),
            measure=str(row["measure"]),
            weight=int(row["weight"]),
            unit="days" if row["unit"] == "days" else "bp",
            target=int(row["target"]),
            floor=int(row["floor"]),
            status=str(row["status"]),
            definition_zh=str(row["definition_zh"]),
            definition_en=str(row["definition_en"]),
            legal_basis_zh=str(row["legal_basis_zh"]),
            legal_basis_en=str(row["legal_basis_en"]),
        )
        for _, row in rows.iterrows()
    ]


# --- the assessment -----------------------------------------------------------------------------


def assess(*, conn: Connection, reference: Reference, period: Period, today: date) -> Assessment:
    """Every county's indicators, points, score and rank for `period`, read on `conn` (the
    request's). The figures are read from the cache (service/reports/service.py) when nothing
    they depend on has changed since they were computed, else computed and stored in `conn`'s
    transaction; points, scores and ranks are a few sums on them, done each time."""
    cut_off = period.cut_off(today)
    indicators = indicators_on(period.end)
    measures = sorted({i.measure for i in indicators})
    counties = conn.execute(
        text("SELECT code, name_zh, name_en FROM jurisdiction WHERE level = 'county' "
             "ORDER BY code")
    ).all()  # fmt: skip
    found = cached.inputs(conn, year=period.year, reference_digest=reference_digest(reference))
    key = cached.key_of(period.key, cut_off, measures, found)
    stored = cached.load(conn, key)
    if stored is None:
        with cached.computing(key):
            stored = cached.load(conn, key)
            if stored is None:
                figures = compute_figures(
                    conn=conn, reference=reference, period=period, cut_off=cut_off,
                    measures=measures,
                )  # fmt: skip
                stored = _encoded(figures)
                cached.store(
                    conn, key=key, period_key=period.key, cut_off=cut_off, found=found,
                    figures=stored,
                )  # fmt: skip
    by_measure = _decoded(stored)
    results = []
    weights = {i.id: i.weight for i in indicators}
    for code, name_zh, name_en in counties:
        measured: dict[str, Measured] = {}
        for indicator in indicators:
            value = by_measure[indicator.measure].get(code, Measured(None))
            points = indicator_points(
                value.value, weight=indicator.weight, target=indicator.target, floor=indicator.floor
            )
            measured[indicator.id] = Measured(
                value.value, value.numerator, value.denominator, value.extra, points
            )
        score = county_score({k: m.points for k, m in measured.items()}, weights)
        results.append((code, name_zh, name_en, measured, score))
    return Assessment(period, cut_off, indicators, _ranked(results))


def compute_figures(
    *, conn: Connection, reference: Reference, period: Period, cut_off: date, measures: list[str]
) -> dict[str, dict[str, Measured]]:
    """Each measure's figure per county, computed from the data (measure → county → figure)."""
    context = _Context(conn, reference, period, cut_off)
    by_measure = {
        "deposit_coverage": context.deposit_coverage,
        "arrears_settled_share": context.arrears_settled,
        "arrears_settlement_days": context.arrears_settlement_days,
        "mediation_within_period": context.mediation_within_period,
        "work_injury_coverage_high_risk": context.work_injury_coverage,
        "coordinator_staffing": context.coordinator_staffing,
        "service_office_compliance": context.service_office_compliance,
        "alert_handling_days": context.alert_handling_days,
    }
    return {measure: by_measure[measure]() for measure in measures}


def _encoded(figures: dict[str, dict[str, Measured]]) -> dict[str, Any]:
    return {
        measure: {
            county: [m.value, m.numerator, m.denominator, m.extra] for county, m in found.items()
        }
        for measure, found in figures.items()
    }


def _decoded(stored: dict[str, Any]) -> dict[str, dict[str, Measured]]:
    return {
        measure: {
            county: Measured(
                None if value is None else float(value),
                int(numerator),
                int(denominator),
                {k: int(v) for k, v in extra.items()},
            )
            for county, (value, numerator, denominator, extra) in found.items()
        }
        for measure, found in stored.items()
    }


_DIGESTS: dict[int, tuple[Reference, str]] = {}


def reference_digest(reference: Reference) -> str:
    """The reference data's digest and the monitors' code's (the deposit and service-office
    figures are the monitors' own functions), once per Reference object (kept alive beside
    it, so its id is never another's)."""
    known = _DIGESTS.get(id(reference))
    if known is None or known[0] is not reference:
        digest = fingerprint.reference_digest(reference) + fingerprint.monitors_code_digest()
        known = (reference, digest)
        _DIGESTS[id(reference)] = known
    return known[1]


def _ranked(
    results: list[tuple[str, str, str, dict[str, Measured], float | None]],
) -> list[CountyResult]:
    """Highest score first; equal scores (to 0.01) share a rank; no score, no rank."""
    scored = sorted(
        (r for r in results if r[4] is not None), key=lambda r: (-round(r[4] or 0.0, 2), r[0])
    )
    ranked: list[CountyResult] = []
    previous: float | None = None
    rank = 0
    for position, (code, zh, en, measured, score) in enumerate(scored, start=1):
        rounded = round(score or 0.0, 2)
        if rounded != previous:
            rank, previous = position, rounded
        ranked.append(CountyResult(code, zh, en, measured, score, rank))
    unscored = [CountyResult(c, zh, en, m, None, None) for c, zh, en, m, s in results if s is None]
    return ranked + unscored


def _share(numerator: int, denominator: int, **extra: int) -> Measured:
    if denominator == 0:
        return Measured(None, numerator, denominator, extra)
    return Measured(BP * numerator / denominator, numerator, denominator, extra)


def _median(days: pd.Series) -> Measured:
    if days.empty:
        return Measured(None)
    return Measured(float(days.median()), len(days), len(days))


class _Context:
    """What the indicators read, in one connection."""

    def __init__(self, conn: Connection, reference: Reference, period: Period, cut_off: date):
        self.conn = conn
        self.reference = reference
        self.period = period
        self.cut_off = cut_off
        self.window = {"start": period.start, "cut_off": cut_off}

    def _frame(self, query: str, **values: object) -> pd.DataFrame:
        result = self.conn.execute(text(query), self.window | values)
        return rows_frame(result, list(result.keys()))

    @functools.cached_property
    def snapshot(self) -> Snapshot:
        # The deposit figures count projects only: the payroll they read is the contractors'.
        return read_snapshot(
            self.conn, self.reference, self.cut_off, SNAPSHOT_FRAMES,
            narrowed={"payroll": CONTRACTORS_ONLY},
        )  # fmt: skip

    def _employer_county(self) -> pd.Series:
        employers = self.snapshot.employers
        return pd.Series(
            employers["county_code"].astype(str).to_numpy(),
            index=employers["employer_id"].astype("int64").to_numpy(),
        )

    # -- deposits: the monitors' own positions ---------------------------------------------------
    def _from_snapshot(self, measure: str) -> dict[str, Measured]:
        """The figures that need the snapshot, computed once per data version, cut-off day
        and reference data: the page, its workbook and its PDF read the same."""
        key = (
            self.conn.engine.url.render_as_string(hide_password=True),
            data_version.current(self.conn),
            self.cut_off,
            id(self.reference),
        )
        with _SNAPSHOT_LOCK:
            found = _SNAPSHOT_FIGURES.get(key)
            if found is not None:
                _SNAPSHOT_FIGURES.move_to_end(key)
                return found[measure]
        computed = {
            "deposit_coverage": self._deposit_coverage(),
            "service_office_compliance": self._service_office_compliance(),
        }
        with _SNAPSHOT_LOCK:
            _SNAPSHOT_FIGURES[key] = computed
            while len(_SNAPSHOT_FIGURES) > SNAPSHOT_CACHE_SIZE:
                _SNAPSHOT_FIGURES.popitem(last=False)
        return computed[measure]

    def deposit_coverage(self) -> dict[str, Measured]:
        return self._from_snapshot("deposit_coverage")

    def service_office_compliance(self) -> dict[str, Measured]:
        return self._from_snapshot("service_office_compliance")

    def _deposit_coverage(self) -> dict[str, Measured]:
        """Projects that must hold a deposit on the cut-off day (in force, not waived or
        exempt, something required, its deadline passed) and those holding all of it."""
        positions = deposit_positions(self.snapshot)
        projects = self.snapshot.projects
        county = pd.Series(
            projects["county_code"].astype(str).to_numpy(),
            index=projects["project_id"].astype("int64").to_numpy(),
        )
        due = positions["due_date"]
        obliged = positions[
            (positions["obligation"] == "project")
            & positions["in_force"].astype(bool)
            & ~positions["exempt"].astype(bool)
            & (positions["required_fen"].fillna(0) > 0)
            & due.notna()
            & (due <= pd.Timestamp(self.cut_off))
        ]
        if obliged.empty:
            return {}
        frame = pd.DataFrame(
            {
                "county": obliged["project_id"].astype("int64").map(county),
                "held": obliged["balance_fen"].fillna(0) >= obliged["required_fen"],
                "required": obliged["required_fen"].astype("int64"),
                "shortfall": (obliged["required_fen"] - obliged["balance_fen"].fillna(0))
                .clip(lower=0)
                .astype("int64"),
            }
        )
        grouped = frame.groupby("county").agg(
            held=("held", "sum"),
            obliged=("held", "size"),
            required=("required", "sum"),
            shortfall=("shortfall", "sum"),
        )
        return {
            str(code): _share(
                int(row.held),
                int(row.obliged),
                required_fen=int(row.required),
                shortfall_fen=int(row.shortfall),
            )
            for code, row in grouped.iterrows()
        }

    # -- arrears: wages.unpaid alerts and their resolution ----------------------------------------
    def _arrears(self) -> pd.DataFrame:
        return self._frame(
            """
            SELECT e.county_code AS county, a.id, COALESCE(a.amount_fen, 0) AS amount_fen,
                   a.first_seen,
                   (SELECT MIN(ev.as_of) FROM alert_event ev
                    WHERE ev.alert_id = a.id AND ev.kind = 'resolved'
                      AND ev.as_of >= a.first_seen AND ev.as_of <= :cut_off) AS settled_on
            FROM alert a JOIN employer e ON e.id = a.employer_id
            WHERE a.rule = :rule AND a.first_seen <= :cut_off
              AND (a.first_seen >= :start
                   OR EXISTS (SELECT 1 FROM alert_event ev2
                              WHERE ev2.alert_id = a.id AND ev2.kind = 'resolved'
                                AND ev2.as_of >= :start AND ev2.as_of <= :cut_off))
            """,
            rule=ARREARS_RULE,
        )

    @functools.cached_property
    def arrears(self) -> pd.DataFrame:
        frame = self._arrears()
        for column in ("first_seen", "settled_on"):
            frame[column] = pd.to_datetime(frame[column])
        return frame

    def arrears_settled(self) -> dict[str, Measured]:
        """Arrears found in the period (by amount) and the part settled by the cut-off."""
        found = self.arrears[self.arrears["first_seen"] >= pd.Timestamp(self.period.start)]
        out: dict[str, Measured] = {}
        for county, rows in found.groupby("county"):
            settled = rows[rows["settled_on"].notna()]
            total, paid = int(rows["amount_fen"].sum()), int(settled["amount_fen"].sum())
            if total == 0:  # no amounts on record: count the alerts instead
                out[str(county)] = _share(len(settled), len(rows), alerts=len(rows))
                continue
            measured = _share(paid, total)
            out[str(county)] = Measured(
                measured.value,
                len(settled),
                len(rows),
                {"found_fen": total, "settled_fen": paid},
            )
        return out

    def arrears_settlement_days(self) -> dict[str, Measured]:
        """Median days from finding to settling, over the arrears settled in the period."""
        settled = self.arrears[self.arrears["settled_on"] >= pd.Timestamp(self.period.start)]
        days = (settled["settled_on"] - settled["first_seen"]).dt.days
        return {str(county): _median(group) for county, group in days.groupby(settled["county"])}

    # -- mediation: concluded within the legal period --------------------------------------------
    def mediation_within_period(self) -> dict[str, Measured]:
        """Applications received in the period whose 15 days have run out by the cut-off (or
        that were concluded before): the share concluded within them."""
        limit = int(self.reference.value("mediation_period_days", on=self.period.end))
        frame = self._frame(
            """
            SELECT county_code AS county, received_on, closed_on FROM complaint
            WHERE received_on >= :start AND received_on <= :cut_off
            """
        )
        if frame.empty:
            return {}
        received = pd.to_datetime(frame["received_on"])
        closed = pd.to_datetime(frame["closed_on"])
        closed = closed.where(closed <= pd.Timestamp(self.cut_off))
        deadline = received + pd.Timedelta(days=limit)
        decided = closed.notna() | (deadline < pd.Timestamp(self.cut_off))
        within = closed.notna() & (closed <= deadline)
        table = pd.DataFrame({"county": frame["county"], "decided": decided, "within": within})
        table = table[table["decided"]]
        grouped = table.groupby("county")["within"].agg(["sum", "size"])
        return {str(c): _share(int(r["sum"]), int(r["size"])) for c, r in grouped.iterrows()}

    # -- work-injury cover in high-risk industries ------------------------------------------------
    def work_injury_coverage(self) -> dict[str, Measured]:
        """Workers active on the cut-off day at employers of high-risk industries, and those
        with personal cover of that employer or a project-wide policy of their project."""
        codes = self.conn.execute(text("SELECT DISTINCT industry_code FROM employer")).scalars()
        code_list = pd.Series(list(codes), dtype="str")
        if code_list.empty:
            return {}
        flags = self.reference.industry_flags(code_list)["high_risk"].astype(bool)
        risky = sorted(set(code_list[flags.to_numpy()]))
        if not risky:
            return {}
        marks = ", ".join(f":code{n}" for n in range(len(risky)))
        frame = self._frame(
            f"""
            SELECT e.county_code AS county, c.employer_id, c.worker_id,
                   MAX(CASE WHEN EXISTS (
                         SELECT 1 FROM insurance_coverage i
                         WHERE i.start_date <= :cut_off
                           AND (i.end_date IS NULL OR i.end_date >= :cut_off)
                           AND ((i.worker_id = c.worker_id AND i.employer_id = c.employer_id)
                                OR (i.worker_id IS NULL AND c.project_id IS NOT NULL
                                    AND i.project_id = c.project_id)))
                       THEN 1 ELSE 0 END) AS covered
            FROM employment_contract c JOIN employer e ON e.id = c.employer_id
            WHERE e.industry_code IN ({marks}) AND c.start_date <= :cut_off
              AND (c.left_date IS NULL OR c.left_date >= :cut_off)
            GROUP BY e.county_code, c.employer_id, c.worker_id
            """,
            **{f"code{n}": code for n, code in enumerate(risky)},
        )
        if frame.empty:
            return {}
        grouped = frame.groupby("county")["covered"].agg(["sum", "size"])
        return {str(c): _share(int(r["sum"]), int(r["size"])) for c, r in grouped.iterrows()}

    # -- coordinators: 1 per 500 registered migrants ---------------------------------------------
    def coordinator_staffing(self) -> dict[str, Measured]:
        """Coordinators in post in the period's year against the migrants registered the
        year before ÷ the parameter, capped at 100 %."""
        per = int(self.reference.value("coordinator_migrants_per_coordinator", on=self.period.end))
        rows = self.conn.execute(
            text(
                "SELECT county_code, coordinators, registered_migrants "
                "FROM county_coordinators WHERE year = :year"
            ),
            {"year": self.period.year},
        ).all()
        out: dict[str, Measured] = {}
        for county, coordinators, registered in rows:
            required = math.ceil(registered / per)
            extra = {
                "registered_migrants": registered,
                "required": required,
                "shortfall": max(required - coordinators, 0),
                "per_coordinator": per,
            }
            if registered == 0:
                out[str(county)] = Measured(None, coordinators, 0, extra)
                continue
            value = min(BP * coordinators * per / registered, float(BP))
            out[str(county)] = Measured(value, coordinators, required, extra)
        return out

    # -- service offices at employers with over 100 migrants --------------------------------------
    def _service_office_compliance(self) -> dict[str, Measured]:
        duties = institution_duties(self.snapshot)
        duties = duties[duties["applies"]]
        if duties.empty:
            return {}
        kept = duties["service_office"] & duties["liaison_named"]
        county = duties["employer_id"].map(self._employer_county())
        grouped = pd.DataFrame({"county": county, "kept": kept}).groupby("county")["kept"]
        counts = grouped.agg(["sum", "size"])
        return {str(c): _share(int(r["sum"]), int(r["size"])) for c, r in counts.iterrows()}

    # -- alerts: days from opening to the first handling -----------------------------------------
    def alert_handling_days(self) -> dict[str, Measured]:
        opened = self._frame(
            """
            SELECT e.county_code AS county, a.id, a.first_seen
            FROM alert a JOIN employer e ON e.id = a.employer_id
            WHERE a.first_seen >= :start AND a.first_seen <= :cut_off
            """
        )
        if opened.empty:
            return {}
        handled = self._frame(
            """
            SELECT entity_key, MIN(at) AS first_at FROM audit_log
            WHERE entity = 'alert' AND action IN ('alert.acknowledge', 'alert.assign',
                                                  'alert.resolve')
            GROUP BY entity_key
            """
        )
        # Stored in UTC: the day it was handled is Wenzhou's.
        local = pd.to_datetime(handled["first_at"], utc=True).dt.tz_convert(clock.local_zone())
        first = pd.Series(
            local.dt.tz_localize(None).dt.normalize().to_numpy(),
            index=handled["entity_key"].astype(str).to_numpy(),
        )
        cut_off = pd.Timestamp(self.cut_off)
        first = first[~first.index.duplicated()]
        handled_on = pd.Series(
            pd.to_datetime(first.reindex(opened["id"].astype(str)).to_numpy()),
            index=opened.index,
        )
        handled_on = handled_on.where(handled_on <= cut_off, cut_off).fillna(cut_off)
        days = (handled_on - pd.to_datetime(opened["first_seen"])).dt.days.clip(lower=0)
        out: dict[str, Measured] = {}
        for county, group in days.groupby(opened["county"]):
            median = _median(group)
            was_handled = int(opened.loc[group.index, "id"].astype(str).isin(first.index).sum())
            out[str(county)] = Measured(median.value, was_handled, len(group))
        return out


# --- circulating it -----------------------------------------------------------------------------

MAX_RECIPIENTS = 50


class RecipientsInvalid(ValueError):
    """The recipients list is refused: `message` is a catalogue key, `values` its fields."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


def parse_recipients(typed: str) -> list[str]:
    """One address per line (commas and semicolons also separate); duplicates dropped."""
    addresses: list[str] = []
    for part in typed.replace(",", "\n").replace(";", "\n").splitlines():
        address = part.strip()
        if not address:
            continue
        if not is_deliverable(address):
            raise RecipientsInvalid("assessment.email.invalid", address=address[:100])
        if address.lower() not in (a.lower() for a in addresses):
            addresses.append(address)
    if not addresses:
        raise RecipientsInvalid("assessment.email.none")
    if len(addresses) > MAX_RECIPIENTS:
        raise RecipientsInvalid("assessment.email.too_many", max=MAX_RECIPIENTS)
    return addresses


def report_url(base_url: str, period: Period) -> str:
    query = f"year={period.year}" + (f"&quarter={period.quarter}" if period.quarter else "")
    return f"{base_url.rstrip('/')}/inspector/reports/assessment?{query}"


def _email_context(
    assessment: Assessment, *, language: str, sent_by: str, is_digest: bool, base_url: str
) -> AssessmentReport:
    lines = []
    for county in assessment.counties:
        lines.append(
            AssessmentLine(
                rank=county.rank,
                county=county.name(language),
                score="—" if county.score is None else f"{county.score:.1f}",
                coordinator_shortfall=_staffing(assessment, county),
            )
        )
    return AssessmentReport(
        period=assessment.period.label(language),
        cut_off=assessment.cut_off,
        lines=lines,
        sent_by=sent_by,
        is_digest=is_digest,
        url=report_url(base_url, assessment.period),
    )


def _staffing(assessment: Assessment, county: CountyResult) -> int:
    """The county's coordinator shortfall (people), 0 when staffed or not measured."""
    for indicator in assessment.indicators:
        if indicator.measure == "coordinator_staffing":
            return int(county.measured[indicator.id].extra.get("shortfall", 0))
    return 0


def send_assessment(
    session: Session,
    *,
    reference: Reference,
    actor: Actor,
    period: Period,
    recipients: list[str],
    city_code: str,
    base_url: str,
    today: date,
) -> int:
    """Queue the assessment (every county: the city inspector's scope) to each recipient, and
    record who sent it to whom. Returns the number of messages queued."""
    assessment = assess(conn=session.connection(), reference=reference, period=period, today=today)
    context = _email_context(
        assessment, language="zh-CN", sent_by=actor.display_name or actor.username,
        is_digest=False, base_url=base_url,
    )  # fmt: skip
    sent_at = clock.utc_now().isoformat(timespec="seconds")
    queued = 0
    for address in recipients:
        message = enqueue(
            session,
            kind="assessment_report",
            dedupe_key=f"assessment:{period.key}:{actor.user_id}:{sent_at}:{address.lower()}",
            to_address=address,
            language="zh-CN",
            context=context,
            audience=Audience(place=city_code),
        )
        queued += message is not None
    audit.record(
        session,
        actor,
        "report.assessment.email",
        "report",
        f"assessment:{period.key}",
        after={"recipients": recipients, "period": period.key, "cut_off": str(assessment.cut_off)},
    )
    return queued


def digest_period(today: date) -> Period:
    """The monthly digest reports the year the month just ended belongs to, to date."""
    return Period((today - timedelta(days=1)).year)


def send_monthly_digest(
    engine: Engine,
    reference: Reference,
    *,
    today: date,
    recipients: list[str],
    base_url: str,
) -> int:
    """On the first day of a month (Wenzhou), queue the assessment digest to the city's
    leaders. Once per day and address (the dedupe key), so a second run queues nothing."""
    if today.day != 1 or not recipients:
        return 0
    period = digest_period(today)
    with session_scope(engine) as session:
        assessment = assess(
            conn=session.connection(), reference=reference, period=period, today=today
        )
        context = _email_context(
            assessment, language="zh-CN", sent_by="薪盾系统", is_digest=True, base_url=base_url
        )
        city = city_codes(session.connection())
        queued = 0
        for address in recipients:
            message = enqueue(
                session,
                kind="assessment_report",
                dedupe_key=f"assessment-digest:{today.isoformat()}:{address.lower()}",
                to_address=address,
                language="zh-CN",
                context=context,
                audience=Audience(place=min(city) if city else None),
            )
            queued += message is not None
        audit.record(
            session,
            None,
            "report.assessment.digest",
            "report",
            f"assessment:{period.key}",
            after={"recipients": recipients, "period": period.key, "day": today.isoformat()},
        )
    return queued
