"""The import files of the data contract (shared/contract/data-contract.md §1), as data.

Each file names its columns, how each is checked, where it lands in the database,
and the columns that make its key. The importer is generic over these specs.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    text = "text"
    uscc = "uscc"
    id_number = "id_number"
    date = "date"
    period = "period"
    money = "money"
    positive_money = "positive_money"
    hours = "hours"
    boolean = "boolean"
    enum = "enum"
    day_of_month = "day_of_month"
    county = "county"
    region_code = "region_code"
    industry = "industry"
    email = "email"
    phone = "phone"
    count = "count"  # a whole number, not negative
    year = "year"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    db: str | None = None  # database column; None = same name (or a reference, below)
    choices: tuple[str, ...] = ()
    default: str | None = None
    max_length: int = 200
    # A reference to another entity: its file name; the id lands in `db`.
    references: str | None = None

    @property
    def db_column(self) -> str:
        return self.db or self.name


@dataclass(frozen=True)
class FileSpec:
    name: str  # file stem: employers, workers, ...
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # contract column names
    # Existing rows are read for the import's values of these columns (scales with the
    # import, not with the table): the whole key where a file's rows may be spread over many
    # employers (1 % of a city's payroll re-filed touched 28,000 employers: their 4.3 M rows
    # were read for 77,000 rows filed).
    scope: tuple[str, ...] = ()
    natural_key: str | None = None  # for entity files: the column other files refer to
    order: int = 0
    extension: bool = False  # not in the contract; documented in the README
    checks: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def db_key(self) -> tuple[str, ...]:
        return tuple(self.column(name).db_column for name in self.key)


TERM_TYPES = ("fixed", "open_ended", "task")
EMPLOYMENT_TYPES = ("full_time", "part_time")
DEPOSIT_EVENTS = ("deposit", "guarantee", "drawdown", "replenish", "return")
COMMITTEE_KINDS = ("enterprise", "people", "county_centre")
# The contract's `yes`; `no` is read as the empty cell it stands for (no office known).
SERVICE_OFFICE = ("yes", "no")


def _employer_ref(required: bool = True) -> Column:
    return Column("employer_uscc", Kind.uscc, required, db="employer_id", references="employers")


def _worker_ref(required: bool = True) -> Column:
    return Column(
        "worker_id_number", Kind.id_number, required, db="worker_id", references="workers"
    )


def _project_ref() -> Column:
    return Column("project_code", Kind.text, db="project_id", references="projects", max_length=64)


EMPLOYERS = FileSpec(
    name="employers",
    table="employer",
    columns=(
        Column("uscc", Kind.uscc, True),
        Column("name", Kind.text, True),
        Column("industry_code", Kind.industry, True),
        Column("county_code", Kind.county, True),
        Column("town", Kind.text),
        Column("leased_premises", Kind.boolean, default="false"),
        Column("contact_email", Kind.email),
        # Extensions (README): the record that sets the deposit rate, 65号 Art. 12.
        Column("dishonesty_listed", Kind.boolean, default="false"),
        Column("real_name_management", Kind.boolean, default="false"),
        Column("dedicated_wage_account", Kind.boolean, default="false"),
        # Data contract v2: a migrant-population service office and the named liaison.
        Column("service_office", Kind.enum, choices=SERVICE_OFFICE),
        Column("liaison_name", Kind.text, max_length=100),
    ),
    key=("uscc",),
    scope=("uscc",),
    natural_key="uscc",
    order=1,
)

WORKERS = FileSpec(
    name="workers",
    table="worker",
    columns=(
        Column("id_number", Kind.id_number, True),
        Column("name", Kind.text, True),
        Column("phone", Kind.phone),
        Column("hukou_county_code", Kind.region_code),
    ),
    key=("id_number",),
    scope=("id_number",),
    natural_key="id_number",
    order=2,
)

PROJECTS = FileSpec(
    name="projects",
    table="project",
    columns=(
        Column("project_code", Kind.text, True, max_length=64),
        Column("name", Kind.text, True),
        Column("contractor_uscc", Kind.uscc, True, db="contractor_id", references="employers"),
        Column("county_code", Kind.county, True),
        Column("industry_code", Kind.industry, True),
        Column("contract_value", Kind.money, True, db="contract_value_fen"),
        Column("contract_signed_date", Kind.date, True),
        Column("permit_date", Kind.date),
        Column("completion_date", Kind.date),
    ),
    key=("project_code",),
    scope=("project_code",),
    natural_key="project_code",
    order=3,
    checks=("completion_after_signing",),
)

CONTRACTS = FileSpec(
    name="contracts",
    table="employment_contract",
    columns=(
        _employer_ref(),
        _worker_ref(),
        Column("start_date", Kind.date, True),
        Column("signed_date", Kind.date),
        Column("term_type", Kind.enum, True, choices=TERM_TYPES),
        Column("end_date", Kind.date),
        Column("employment_type", Kind.enum, choices=EMPLOYMENT_TYPES, default="full_time"),
        Column("probation_end", Kind.date),
        Column("monthly_wage", Kind.money, True, db="monthly_wage_fen"),
        Column("hourly_wage", Kind.money, db="hourly_wage_fen"),
        Column("probation_wage", Kind.money, db="probation_wage_fen"),
        Column("pay_day", Kind.day_of_month, True),
        Column("left_date", Kind.date),
        _project_ref(),
    ),
    key=("employer_uscc", "worker_id_number", "start_date"),
    scope=("employer_uscc", "worker_id_number", "start_date"),
    order=4,
    checks=("end_after_start", "left_after_start", "probation_after_start"),
)

PAYROLL = FileSpec(
    name="payroll",
    table="payroll_entry",
    columns=(
        _employer_ref(),
        _worker_ref(),
        Column("period", Kind.period, True),
        Column("amount_due", Kind.money, True, db="amount_due_fen"),
        Column("amount_paid", Kind.money, True, db="amount_paid_fen"),
        Column("paid_date", Kind.date),
        Column("hours_worked", Kind.hours),
    ),
    key=("employer_uscc", "worker_id_number", "period"),
    scope=("employer_uscc", "worker_id_number", "period"),
    order=5,
)

DEPOSIT_EVENTS_FILE = FileSpec(
    name="deposit_events",
    table="deposit_event",
    columns=(
        _employer_ref(),
        _project_ref(),
        Column("event", Kind.enum, True, choices=DEPOSIT_EVENTS),
        Column("date", Kind.date, True, db="event_date"),
        Column("amount", Kind.positive_money, True, db="amount_fen"),
        Column("reference", Kind.text, True),
        Column("expiry_date", Kind.date),
    ),
    key=("employer_uscc", "project_code", "event", "date", "reference"),
    scope=("employer_uscc",),
    order=6,
    checks=("expiry_after_date",),
)

INSURANCE = FileSpec(
    name="insurance",
    table="insurance_coverage",
    columns=(
        _employer_ref(),
        _worker_ref(required=False),
        _project_ref(),
        Column("start_date", Kind.date, True),
        Column("end_date", Kind.date),
    ),
    key=("employer_uscc", "worker_id_number", "project_code", "start_date"),
    scope=("employer_uscc",),
    order=7,
    checks=("end_after_start", "covers_someone"),
)

MEDIATION_COMMITTEES = FileSpec(
    name="mediation_committees",
    table="mediation_committee",
    columns=(
        Column("code", Kind.text, True, max_length=64),
        Column("name", Kind.text, True),
        Column("kind", Kind.enum, True, choices=COMMITTEE_KINDS),
        _employer_ref(required=False),
        Column("county_code", Kind.county, True),
        Column("town", Kind.text),
        Column("contact_email", Kind.email),
    ),
    key=("code",),
    scope=("code",),
    natural_key="code",
    order=8,
    extension=True,
    checks=("enterprise_names_employer",),
)

COORDINATORS = FileSpec(
    name="coordinators",
    table="county_coordinators",
    columns=(
        Column("county_code", Kind.county, True),
        Column("year", Kind.year, True),
        Column("coordinators", Kind.count, True),
        Column("registered_migrants", Kind.count, True),
    ),
    key=("county_code", "year"),
    scope=("county_code",),
    order=9,
)

FILES: tuple[FileSpec, ...] = (
    EMPLOYERS,
    WORKERS,
    PROJECTS,
    CONTRACTS,
    PAYROLL,
    DEPOSIT_EVENTS_FILE,
    INSURANCE,
    MEDIATION_COMMITTEES,
    COORDINATORS,
)
BY_NAME = {spec.name: spec for spec in FILES}

# What an employer may import through its portal: data about its own workforce. Entity
# files that set up employers, projects, the deposit ledger or committees stay with the
# authorities' imports.
EMPLOYER_FILES: tuple[str, ...] = ("workers", "contracts", "payroll", "insurance")
# Columns naming the employer a row is about.
EMPLOYER_COLUMNS: tuple[str, ...] = ("employer_uscc", "contractor_uscc")
