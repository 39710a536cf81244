"""The files of the data contract, built from the internal frames (day numbers become dates,
fen become CNY), and how they are written."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from service.demo.days import as_dates, period_text

FILE_COLUMNS: dict[str, tuple[str, ...]] = {
    "employers": (
        "uscc", "name", "industry_code", "county_code", "town", "leased_premises",
        "contact_email", "service_office", "liaison_name",
    ),
    "workers": ("id_number", "name", "phone", "hukou_county_code"),
    "contracts": (
        "employer_uscc", "worker_id_number", "start_date", "signed_date", "term_type",
        "end_date", "employment_type", "probation_end", "monthly_wage", "hourly_wage",
        "probation_wage", "pay_day", "left_date", "project_code",
    ),
    "payroll": (
        "employer_uscc", "worker_id_number", "period", "amount_due", "amount_paid", "paid_date",
        "hours_worked",
    ),
    "projects": (
        "project_code", "name", "contractor_uscc", "county_code", "industry_code",
        "contract_value", "contract_signed_date", "permit_date", "completion_date",
    ),
    "deposit_events": (
        "employer_uscc", "project_code", "event", "date", "amount", "reference", "expiry_date",
    ),
    "insurance": ("employer_uscc", "worker_id_number", "project_code", "start_date", "end_date"),
    # Extension (documented in the README): mediation committees.
    "mediation_committees": (
        "code", "name", "kind", "employer_uscc", "county_code", "town", "contact_email",
    ),
    # Data contract v2: county coordinators and the migrants registered the year before.
    "coordinators": ("county_code", "year", "coordinators", "registered_migrants"),
    # Not an import file: the key of every planted violation.
    "expected_alerts": ("rule", "employer_uscc", "project_code", "period"),
}  # fmt: skip
IMPORT_FILES = tuple(name for name in FILE_COLUMNS if name != "expected_alerts")
EXPECTED_DIR = "expected"


@dataclass(frozen=True)
class DemoManifest:
    out_dir: Path
    row_counts: dict[str, int]
    expected_alerts: pd.DataFrame

    def path(self, name: str) -> Path:
        """Where file `name` was written (the expected alerts sit outside the import)."""
        folder = self.out_dir if name in IMPORT_FILES else self.out_dir / EXPECTED_DIR
        return folder / f"{name}.csv"


def employers_file(employers: pd.DataFrame) -> pd.DataFrame:
    frame = employers[list(FILE_COLUMNS["employers"])].reset_index(drop=True)
    return text_columns(
        frame,
        (
            "uscc",
            "name",
            "industry_code",
            "county_code",
            "town",
            "contact_email",
            "service_office",
            "liaison_name",
        ),
    )


def workers_file(contracts: pd.DataFrame) -> pd.DataFrame:
    # A rehired worker has two contracts and one row here.
    contracts = contracts.drop_duplicates("id_number")
    frame = pd.DataFrame(
        {
            "id_number": contracts["id_number"].to_numpy(),
            "name": contracts["worker_name"].to_numpy(),
            "phone": contracts["phone"].to_numpy(),
            "hukou_county_code": contracts["hukou"].to_numpy(),
        }
    )
    return text_columns(frame, FILE_COLUMNS["workers"])


def contracts_file(
    employers: pd.DataFrame, contracts: pd.DataFrame, projects: pd.DataFrame
) -> pd.DataFrame:
    project = contracts["project"].to_numpy()
    project_code = np.where(
        project >= 0, projects["project_code"].to_numpy()[np.maximum(project, 0)], None
    )
    frame = pd.DataFrame(
        {
            "employer_uscc": employers["uscc"].to_numpy()[contracts["employer"].to_numpy()],
            "worker_id_number": contracts["id_number"].to_numpy(),
            "start_date": as_dates(contracts["start"].to_numpy()),
            "signed_date": as_dates(contracts["signed"].to_numpy()),
            "term_type": contracts["term_type"].to_numpy(),
            "end_date": as_dates(contracts["end"].to_numpy()),
            "employment_type": contracts["employment_type"].to_numpy(),
            "probation_end": as_dates(contracts["probation_end"].to_numpy()),
            "monthly_wage": contracts["monthly_fen"].to_numpy() / 100,
            "hourly_wage": _money_or_empty(contracts["hourly_fen"].to_numpy()),
            "probation_wage": _money_or_empty(contracts["probation_fen"].to_numpy()),
            "pay_day": employers["pay_day"].to_numpy()[contracts["employer"].to_numpy()],
            "left_date": as_dates(contracts["left"].to_numpy()),
            "project_code": project_code,
        }
    )
    return text_columns(
        frame, ("employer_uscc", "worker_id_number", "term_type", "employment_type", "project_code")
    )


def payroll_file(
    employers: pd.DataFrame, contracts: pd.DataFrame, payroll: pd.DataFrame
) -> pd.DataFrame:
    c = payroll["contract"].to_numpy()
    usccs = employers["uscc"].to_numpy()[contracts["employer"].to_numpy()]
    frame = pd.DataFrame(
        {
            "employer_uscc": usccs[c],
            "worker_id_number": contracts["id_number"].to_numpy()[c],
            "period": period_text(payroll["period"].to_numpy()),
            "amount_due": payroll["amount_due_fen"].to_numpy() / 100,
            "amount_paid": payroll["amount_paid_fen"].to_numpy() / 100,
            "paid_date": as_dates(payroll["paid_date"].to_numpy()),
            "hours_worked": payroll["hours"].to_numpy(),
        }
    )
    return text_columns(frame, ("employer_uscc", "worker_id_number", "period"))


def projects_file(employers: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "project_code": projects["project_code"].to_numpy(),
            "name": projects["name"].to_numpy(),
            "contractor_uscc": employers["uscc"].to_numpy()[projects["employer"].to_numpy()],
            "county_code": projects["county_code"].to_numpy(),
            "industry_code": projects["industry_code"].to_numpy(),
            "contract_value": projects["contract_value_fen"].to_numpy() / 100,
            "contract_signed_date": as_dates(projects["contract_signed_date"].to_numpy()),
            "permit_date": as_dates(projects["permit_date"].to_numpy()),
            "completion_date": as_dates(projects["completion_date"].to_numpy()),
        }
    )
    return text_columns(
        frame, ("project_code", "name", "contractor_uscc", "county_code", "industry_code")
    )


def text_columns(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    return frame.astype({column: "str" for column in columns})


def _money_or_empty(fen: np.ndarray) -> np.ndarray:
    return np.where(fen >= 0, fen / 100, np.nan)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with a header; empty cell = no value; dates ISO; booleans true/false.

    No value ever needs quoting (the generator writes no commas, quotes or line breaks), and
    pyarrow refuses to write one that would, so the files stay plain. The header is written
    here because pyarrow would quote it.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
    options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
    with path.open("wb") as handle:
        handle.write((",".join(frame.columns) + "\n").encode())
        pa_csv.write_csv(table, handle, write_options=options)
