"""Where a complaint goes: the rules in data/routing.csv, evaluated in order.

A row applies when its condition holds for the case and its target names a committee on
record; the first row that applies routes the case, and its reason templates explain why
("routed to … because …"). The file is checked when loaded: a malformed one fails with the
file and line, as the other reference files do (monitors/reference.py).

If no row applies (a county without a mediation centre on record), the case stays unrouted
and the county's labour inspectors handle it (Law Art. 9: wage arrears may be complained to
the labour administration).

The employer's own mediation committee is the employer's staff: it cannot mediate without
learning who complained. So it takes a case only when the worker both asked for it and
agreed to be known (`disclose_identity`); a worker who asked for it but keeps their name
from the employer goes to the town's people's mediation committee (or the county centre),
and the reason says so.
"""

import dataclasses
import functools
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from monitors.reference import (
    DEFAULT_DATA_DIR,
    Column,
    Kind,
    Problem,
    Reference,
    Table,
    TableSpec,
    _read_table,
)
from service.committees.models import MediationCommittee
from service.complaints.messages import texts
from service.jurisdictions.models import Jurisdiction


@dataclass(frozen=True)
class RoutingCase:
    """What routing looks at."""

    employer_id: int | None
    county_code: str
    town: str | None
    agrees_to_enterprise_mediation: bool
    disclose_identity: bool = False
    # Filled in by `route`: whether the employer has its own committee on record.
    employer_has_enterprise_committee: bool = False


@dataclass(frozen=True)
class Condition:
    holds: Callable[[RoutingCase], bool]
    target: str | None  # the one target the condition belongs with; None = any


# The vocabulary of conditions. Whether the committee exists is the target's part: a row
# applies only when its target names a committee on record.
CONDITIONS: dict[str, Condition] = {
    "employer_has_enterprise_committee_and_worker_agrees": Condition(
        lambda case: (
            case.employer_id is not None
            and case.agrees_to_enterprise_mediation
            and case.disclose_identity
        ),
        "enterprise_committee",
    ),
    # The worker asked for the employer's committee, which exists, but keeps their identity
    # from the employer: the committee would have to learn it.
    "worker_agrees_to_enterprise_committee_but_withholds_identity": Condition(
        lambda case: (
            case.employer_has_enterprise_committee
            and case.agrees_to_enterprise_mediation
            and not case.disclose_identity
        ),
        None,
    ),
    "town_has_people_committee": Condition(lambda case: bool(case.town), "town_people_committee"),
    "county_has_centre": Condition(lambda case: True, "county_centre"),
    "always": Condition(lambda case: True, None),
}
# Target → the kind of mediation committee it names (service/committees/models.py).
TARGET_KINDS = {
    "enterprise_committee": "enterprise",
    "town_people_committee": "people",
    "county_centre": "county_centre",
}
PLACEHOLDERS = {"committee", "county"}
TOWN_PLACEHOLDER = "town"  # only where the town is known: rows targeting its committee
LAST_CONDITION = "always"

ROUTING = TableSpec(
    "routing.csv",
    (
        Column("order", Kind.INTEGER, low=1),
        Column("rule_id", pattern=r"[a-z][a-z0-9_]{0,39}"),  # fits complaint.routing_rule
        Column("condition", Kind.CHOICE, choices=tuple(CONDITIONS)),
        Column("target", Kind.CHOICE, choices=tuple(TARGET_KINDS)),
        Column("reason_zh"),
        Column("reason_en"),
        Column("legal_basis_zh"),
        Column("legal_basis_en"),
        Column("source"),
        Column("status", Kind.CHOICE, choices=("confirmed", "unconfirmed", "policy")),
    ),
    key=("rule_id",),
)


@dataclass(frozen=True)
class RoutingRule:
    order: int
    rule_id: str
    condition: str
    target: str
    reason_zh: str
    reason_en: str
    legal_basis_zh: str
    legal_basis_en: str
    source: str
    status: str


@dataclass(frozen=True)
class Routing:
    """The decision: the rule and committee (None when unrouted) and the reason."""

    rule: RoutingRule | None
    committee: MediationCommittee | None
    reason_zh: str
    reason_en: str


# --- loading and checking data/routing.csv ----------------------------------------------------


def _placeholder_problems(table: Table) -> list[Problem]:
    problems: list[Problem] = []
    for row in table.frame.to_dict("records"):
        allowed = PLACEHOLDERS | (
            {TOWN_PLACEHOLDER} if row["target"] == "town_people_committee" else set()
        )
        for column in ("reason_zh", "reason_en"):
            try:
                used = {name for _, name, _, _ in string.Formatter().parse(row[column]) if name}
            except ValueError as error:
                problems.append((int(row["line"]), f"{column} is not a valid template ({error})"))
                continue
            if unknown := sorted(used - allowed):
                names = ", ".join(f"{{{name}}}" for name in sorted(allowed))
                problems.append(
                    (int(row["line"]), f"{column} uses {{{unknown[0]}}}; it may use {names}")
                )
    return problems


def _row_problems(table: Table) -> list[Problem]:
    frame = table.frame
    fits = frame["condition"].map(lambda name: CONDITIONS[name].target)
    wrong_target = fits.notna() & (fits != frame["target"])
    problems = table.problems_where(
        wrong_target, "condition {condition} needs target {fits}", fits=fits
    )
    first = frame.groupby("order")["line"].transform("min")
    problems += table.problems_where(
        frame.duplicated("order"), "order {order} repeats line {first}", first=first
    )
    return problems + _placeholder_problems(table)


def _check(table: Table) -> None:
    frame = table.frame
    if frame.empty:
        table.fail([(None, "has no rules")])
    table.fail(_row_problems(table))
    last = frame.sort_values("order").iloc[-1]
    if last["condition"] != LAST_CONDITION:
        problem = f"the last rule (order {last['order']}) must have condition {LAST_CONDITION}"
        table.fail([(int(last["line"]), problem)])


def _load(data_dir: Path) -> tuple[RoutingRule, ...]:
    table = _read_table(ROUTING, data_dir)
    _check(table)
    rows = table.frame.sort_values("order").drop(columns="line").to_dict("records")
    return tuple(RoutingRule(**{**row, "order": int(row["order"])}) for row in rows)


@functools.cache
def _load_default() -> tuple[RoutingRule, ...]:
    return _load(DEFAULT_DATA_DIR)


def load_routing(data_dir: Path | None = None) -> tuple[RoutingRule, ...]:
    """The routing rules in order; the repository's data/ is read once and cached.
    Raises ReferenceDataError ("data/routing.csv line 3: …") for a malformed file."""
    return _load_default() if data_dir is None else _load(Path(data_dir))


# --- routing one case -------------------------------------------------------------------------


def _committees(session: Session, case: RoutingCase) -> dict[str, MediationCommittee | None]:
    """The committee each target names for this case, if one is on record: every target's
    candidates in one query (routing runs on every complaint filed), the lowest id first."""
    wanted = {"county_centre": MediationCommittee.county_code == case.county_code}
    if case.employer_id is not None:
        wanted["enterprise_committee"] = MediationCommittee.employer_id == case.employer_id
    if case.town:
        wanted["town_people_committee"] = and_(
            MediationCommittee.county_code == case.county_code,
            MediationCommittee.town == case.town,
        )
    candidates = session.scalars(
        select(MediationCommittee)
        .where(
            or_(
                *(
                    and_(MediationCommittee.kind == TARGET_KINDS[target], matches)
                    for target, matches in wanted.items()
                )
            )
        )
        .order_by(MediationCommittee.id)
    ).all()
    # Each target names committees of its own kind, so a candidate's kind says which
    # target's condition it met.
    return {
        target: next((c for c in candidates if c.kind == kind), None)
        for target, kind in TARGET_KINDS.items()
    }


def _place_names(session: Session, case: RoutingCase, reference: Reference) -> dict[str, str]:
    county = session.get(Jurisdiction, case.county_code)
    town_en = case.town or ""
    if case.town:
        towns = reference.towns
        match = towns[(towns["county_code"] == case.county_code) & (towns["name_zh"] == case.town)]
        town_en = str(match["name_en"].iloc[0]) if not match.empty else case.town
    return {
        "county_zh": county.name_zh if county else case.county_code,
        "county_en": county.name_en if county else case.county_code,
        "town_zh": case.town or "",
        "town_en": town_en,
    }


def route(
    session: Session,
    case: RoutingCase,
    *,
    reference: Reference,
    rules: tuple[RoutingRule, ...] | None = None,
) -> Routing:
    """The first rule whose condition holds and whose target names a committee on record."""
    names = _place_names(session, case, reference)
    # Every target's committee in one read: several rules name the same target, and the
    # enterprise committee is needed before any rule is tried.
    committees = _committees(session, case)
    committee_for = committees.__getitem__
    enterprise = committee_for("enterprise_committee") is not None
    case = dataclasses.replace(case, employer_has_enterprise_committee=enterprise)
    for rule in rules if rules is not None else load_routing():
        if not CONDITIONS[rule.condition].holds(case):
            continue
        committee = committee_for(rule.target)
        if committee is None:
            continue
        return Routing(
            rule=rule,
            committee=committee,
            reason_zh=rule.reason_zh.format(
                committee=committee.name, county=names["county_zh"], town=names["town_zh"]
            ),
            reason_en=rule.reason_en.format(
                committee=committee.name, county=names["county_en"], town=names["town_en"]
            ),
        )
    zh = texts("routing.unrouted", county=names["county_zh"])["zh-CN"]
    en = texts("routing.unrouted", county=names["county_en"])["en"]
    return Routing(rule=None, committee=None, reason_zh=zh, reason_en=en)
