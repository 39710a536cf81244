"""One test per kind of import error: the problem is reported with its file, row,
column and reason, and nothing is written."""

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from service.imports.service import run_import
from tests.factories import (
    EMPLOYER_A,
    WORKER_1,
    id_number,
    uscc,
    valid_files,
    write_csv,
    write_folder,
)

Files = dict[str, list[dict[str, str]]]


def setting(file: str, index: int, column: str, value: str) -> Callable[[Files], None]:
    def mutate(files: Files) -> None:
        files[file][index][column] = value

    return mutate


def wrong_check_char(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def third_employer(uscc_value: str) -> Callable[[Files], None]:
    """An unreferenced employer row, so a bad code does not also break references."""

    def mutate(files: Files) -> None:
        files["employers"].append({**files["employers"][0], "uscc": uscc_value})

    return mutate


def _duplicate_payroll(files: Files) -> None:
    files["payroll"].append(dict(files["payroll"][0]))


def _unknown_worker(files: Files) -> None:
    files["payroll"][0]["worker_id_number"] = id_number(99)


def _enterprise_committee_without_employer(files: Files) -> None:
    files["mediation_committees"] = [
        {
            "code": "MC-1",
            "name": "某企业调委会",
            "kind": "enterprise",
            "employer_uscc": "",
            "county_code": "330302",
            "town": "",
            "contact_email": "",
        }
    ]


# (case id, mutation, file, spreadsheet row, column, reason code)
CASES = [
    ("required", setting("workers", 0, "name", ""), "workers.csv", 2, "name", "required"),
    (
        "uscc",
        third_employer(wrong_check_char(uscc(3))),
        "employers.csv",
        4,
        "uscc",
        "uscc",
    ),
    (
        "uscc_alphabet",
        third_employer("91330302MA0000001I"),
        "employers.csv",
        4,
        "uscc",
        "uscc",
    ),
    (
        "id_number",
        setting("workers", 2, "id_number", wrong_check_char(id_number(3))),
        "workers.csv",
        4,
        "id_number",
        "id_number",
    ),
    (
        "id_birth_date",
        setting("workers", 2, "id_number", id_number(3, birth="19990230")),
        "workers.csv",
        4,
        "id_number",
        "id_number",
    ),
    (
        "date",
        setting("contracts", 0, "signed_date", "2026/01/05"),
        "contracts.csv",
        2,
        "signed_date",
        "date",
    ),
    (
        "impossible_date",
        setting("projects", 0, "permit_date", "2026-02-30"),
        "projects.csv",
        2,
        "permit_date",
        "date",
    ),
    ("period", setting("payroll", 1, "period", "2026-2"), "payroll.csv", 3, "period", "period"),
    (
        "money_decimals",
        setting("payroll", 0, "amount_due", "5200.001"),
        "payroll.csv",
        2,
        "amount_due",
        "money",
    ),
    (
        "money_negative",
        setting("payroll", 0, "amount_paid", "-1"),
        "payroll.csv",
        2,
        "amount_paid",
        "money",
    ),
    (
        "positive_money",
        setting("deposit_events", 0, "amount", "0"),
        "deposit_events.csv",
        2,
        "amount",
        "positive_money",
    ),
    (
        "hours",
        setting("payroll", 0, "hours_worked", "many"),
        "payroll.csv",
        2,
        "hours_worked",
        "hours",
    ),
    (
        "boolean",
        setting("employers", 0, "leased_premises", "yes"),
        "employers.csv",
        2,
        "leased_premises",
        "boolean",
    ),
    (
        "enum",
        setting("contracts", 1, "term_type", "permanent"),
        "contracts.csv",
        3,
        "term_type",
        "enum",
    ),
    (
        "day_of_month",
        setting("contracts", 0, "pay_day", "32"),
        "contracts.csv",
        2,
        "pay_day",
        "day_of_month",
    ),
    (
        "county",
        setting("employers", 0, "county_code", "330322"),
        "employers.csv",
        2,
        "county_code",
        "county",
    ),
    (
        "region_code",
        setting("workers", 0, "hukou_county_code", "5101"),
        "workers.csv",
        2,
        "hukou_county_code",
        "region_code",
    ),
    (
        "industry",
        setting("employers", 1, "industry_code", "99999"),
        "employers.csv",
        3,
        "industry_code",
        "industry",
    ),
    (
        "email",
        setting("employers", 0, "contact_email", "hr@"),
        "employers.csv",
        2,
        "contact_email",
        "email",
    ),
    ("phone", setting("workers", 0, "phone", "call me"), "workers.csv", 2, "phone", "phone"),
    (
        "too_long",
        setting("employers", 0, "name", "鞋" * 201),
        "employers.csv",
        2,
        "name",
        "too_long",
    ),
    (
        "duplicate_key",
        _duplicate_payroll,
        "payroll.csv",
        4,
        "employer_uscc+worker_id_number+period",
        "duplicate_key",
    ),
    (
        "unknown_reference",
        _unknown_worker,
        "payroll.csv",
        2,
        "worker_id_number",
        "unknown_reference",
    ),
    (
        "end_after_start",
        setting("contracts", 0, "end_date", "2025-12-31"),
        "contracts.csv",
        2,
        "end_date",
        "end_after_start",
    ),
    (
        "left_after_start",
        setting("contracts", 0, "left_date", "2026-01-04"),
        "contracts.csv",
        2,
        "left_date",
        "left_after_start",
    ),
    (
        "probation_after_start",
        setting("contracts", 0, "probation_end", "2026-01-01"),
        "contracts.csv",
        2,
        "probation_end",
        "probation_after_start",
    ),
    (
        "completion_after_signing",
        setting("projects", 0, "completion_date", "2025-12-01"),
        "projects.csv",
        2,
        "completion_date",
        "completion_after_signing",
    ),
    (
        "expiry_after_date",
        setting("deposit_events", 1, "expiry_date", "2025-01-01"),
        "deposit_events.csv",
        3,
        "expiry_date",
        "expiry_after_date",
    ),
    (
        "covers_someone",
        setting("insurance", 1, "project_code", ""),
        "insurance.csv",
        3,
        "worker_id_number",
        "covers_someone",
    ),
    (
        "enterprise_names_employer",
        _enterprise_committee_without_employer,
        "mediation_committees.csv",
        2,
        "employer_uscc",
        "enterprise_names_employer",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "file", "row", "column", "code"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_row_error_is_reported_and_nothing_written(
    engine, tmp_path, reference, mutate, file, row, column, code
):
    files = valid_files()
    mutate(files)
    report = run_import(engine, write_folder(tmp_path / "in", files), reference)
    found = report.problems[["file", "row", "column", "code"]].values.tolist()
    assert found == [[file, row, column, code]]
    assert report.problems.iloc[0].reason_zh and report.problems.iloc[0].reason_en
    assert_nothing_written(engine)


def assert_nothing_written(engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM employer")).scalar_one() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM worker")).scalar_one() == 0


def header_case(folder: Path, header: list[str]) -> None:
    rows = valid_files()["workers"]
    for row in rows:
        row["nmae"] = row["name"]
    write_csv(folder, "workers", rows, header=header)


@pytest.mark.parametrize(
    ("header", "column", "code"),
    [
        (["id_number", "name", "phone", "hukou_county_code", "nmae"], "nmae", "unknown_column"),
        (["id_number", "phone", "hukou_county_code"], "name", "missing_column"),
        (["id_number", "name", "name", "phone"], "name", "duplicate_column"),
    ],
    ids=["unknown_column", "missing_column", "duplicate_column"],
)
def test_header_error_is_reported_on_row_one(engine, tmp_path, reference, header, column, code):
    folder = tmp_path / "in"
    header_case(folder, header)
    report = run_import(engine, folder, reference)
    assert [["workers.csv", 1, column, code]] == report.problems[
        ["file", "row", "column", "code"]
    ].values.tolist()[:1]
    assert_nothing_written(engine)


def test_unknown_file_name_is_refused(engine, tmp_path, reference):
    folder = write_folder(tmp_path / "in")
    write_csv(folder, "payrol", valid_files()["payroll"])
    report = run_import(engine, folder, reference)
    assert report.problems[["file", "code"]].values.tolist() == [["payrol.csv", "unknown_file"]]
    assert_nothing_written(engine)


def test_csv_and_xlsx_of_the_same_name_are_refused(engine, tmp_path, reference):
    folder = write_folder(tmp_path / "in")
    (folder / "payroll.xlsx").write_bytes((folder / "payroll.csv").read_bytes())
    report = run_import(engine, folder, reference)
    assert "ambiguous_file" in report.problems["code"].tolist()
    assert_nothing_written(engine)


def test_a_file_that_is_not_utf8_is_refused(engine, tmp_path, reference):
    folder = write_folder(tmp_path / "in")
    (folder / "workers.csv").write_bytes("id_number,name\n1,张三\n".encode("gb18030"))
    report = run_import(engine, folder, reference)
    assert report.problems[["file", "code"]].values.tolist() == [["workers.csv", "unreadable"]]
    assert_nothing_written(engine)


def test_reference_to_a_worker_in_the_same_import_is_accepted(engine, tmp_path, reference):
    files = valid_files()
    assert files["payroll"][0]["worker_id_number"] == WORKER_1
    assert files["payroll"][0]["employer_uscc"] == EMPLOYER_A
    assert run_import(engine, write_folder(tmp_path / "in", files), reference).ok
