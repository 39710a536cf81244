"""An employer's own import (run_import(..., employer_uscc=...)): only its workforce files,
only rows about itself, only workers it employs or registers anew — and still all or nothing."""

from pathlib import Path

import pytest
from sqlalchemy import text

from service.imports.service import run_import
from tests.factories import (
    EMPLOYER_A,
    EMPLOYER_B,
    PROJECT,
    WORKER_1,
    WORKER_2,
    WORKER_3,
    id_number,
    valid_files,
    write_csv,
    write_folder,
)


@pytest.fixture
def imported(engine, tmp_path, reference):
    """The builders' two employers, three workers and one project, already in the database."""
    assert run_import(engine, write_folder(tmp_path / "base"), reference).ok
    return engine


def payroll_row(employer: str, worker: str, period: str = "2026-03") -> dict[str, str]:
    return {
        "employer_uscc": employer,
        "worker_id_number": worker,
        "period": period,
        "amount_due": "5200",
        "amount_paid": "5200",
        "paid_date": "2026-04-10",
        "hours_worked": "",
    }


def count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def reasons(report, code: str) -> list[tuple[str, int, str, str, str]]:
    found = report.problems[report.problems["code"] == code]
    return list(
        zip(
            found["file"],
            found["row"],
            found["column"],
            found["reason_zh"],
            found["reason_en"],
            strict=True,
        )
    )


def test_an_employer_imports_its_own_payroll(imported, tmp_path, reference):
    folder = tmp_path / "own"
    write_csv(folder, "payroll", [payroll_row(EMPLOYER_A, WORKER_1)])
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    assert report.ok, report.problems.to_string()
    assert [(s.file, s.inserted) for s in report.summaries] == [("payroll.csv", 1)]


def test_a_row_naming_another_employer_is_refused_and_nothing_is_written(
    imported, tmp_path, reference
):
    folder = tmp_path / "mixed"
    rows = [payroll_row(EMPLOYER_A, WORKER_1), payroll_row(EMPLOYER_B, WORKER_2)]
    write_csv(folder, "payroll", rows)
    before = count(imported, "payroll_entry")
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    assert not report.ok
    [(file, row, column, zh, en)] = reasons(report, "other_employer")
    assert (file, row, column) == ("payroll.csv", 3, "employer_uscc")
    assert "只能导入本单位" in zh and EMPLOYER_A in zh
    assert "only your own organisation" in en
    assert count(imported, "payroll_entry") == before


def test_another_employer_that_is_not_even_registered_is_reported_once(
    imported, tmp_path, reference
):
    """The row is someone else's; it is not also reported as an unknown reference."""
    folder = tmp_path / "stranger"
    from tests.factories import uscc

    write_csv(folder, "payroll", [payroll_row(uscc(77), WORKER_1)])
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    assert list(report.problems["code"]) == ["other_employer"]


@pytest.mark.parametrize(
    "name", ["employers", "projects", "deposit_events", "mediation_committees"]
)
def test_an_employer_may_not_import_entity_or_ledger_files(imported, tmp_path, reference, name):
    folder = write_folder(tmp_path / "all", {name: valid_files().get(name) or _committee()})
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    [(file, row, _, zh, en)] = reasons(report, "employer_file_not_allowed")
    assert (file, row) == (f"{name}.csv", 0)
    assert "用人单位不能导入此文件" in zh and "payroll.csv" in zh
    assert "employers may not import this file" in en


def _committee() -> list[dict[str, str]]:
    return [
        {
            "code": "MC-1",
            "name": "某企业调委会",
            "kind": "enterprise",
            "employer_uscc": EMPLOYER_A,
            "county_code": "330302",
            "town": "",
            "contact_email": "",
        }
    ]


def worker_record(engine, id_number_: str) -> tuple[str, str | None]:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT name, phone FROM worker WHERE id_number = :n"), {"n": id_number_}
        ).one()


def contract_row(worker: str, **values: str) -> dict[str, str]:
    row = {**valid_files()["contracts"][0], "worker_id_number": worker}
    row |= {"start_date": "2026-06-01", "signed_date": "2026-06-01", "end_date": "2028-05-31"}
    return row | {"probation_end": "", "probation_wage": ""} | values


def test_an_employer_may_not_change_another_employers_worker(imported, tmp_path, reference):
    """WORKER_2 works for employer B only: employer A's upload leaves the record as it is."""
    folder = tmp_path / "workers"
    write_csv(folder, "workers", [{"id_number": WORKER_2, "name": "改名", "phone": "13900000000"}])
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    assert report.ok, report.problems.to_string()
    assert worker_record(imported, WORKER_2) == ("李四", None)


def test_a_one_day_contract_does_not_let_an_employer_rename_another_employers_worker(
    imported, tmp_path, reference
):
    """The attack: list B's worker in A's own workers and contracts files, with a contract
    of one day. The contract is A's to file; the worker's name and phone stay B's."""
    folder = tmp_path / "one-day"
    write_csv(folder, "workers", [{"id_number": WORKER_2, "name": "改名", "phone": "13900000000"}])
    one_day = contract_row(WORKER_2, end_date="2026-06-01", term_type="fixed")
    write_csv(folder, "contracts", [one_day])
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    assert report.ok, report.problems.to_string()
    assert worker_record(imported, WORKER_2) == ("李四", None)
    # employed before the next import, A may now correct the record of its worker
    again = tmp_path / "after"
    write_csv(again, "workers", [{"id_number": WORKER_2, "name": "李四", "phone": "13900000000"}])
    assert run_import(imported, again, reference, employer_uscc=EMPLOYER_A).ok
    assert worker_record(imported, WORKER_2) == ("李四", "13900000000")


def test_an_employer_corrects_its_own_workers_record(imported, tmp_path, reference):
    folder = tmp_path / "own-worker"
    write_csv(folder, "workers", [{"id_number": WORKER_1, "name": "张三", "phone": "13800000009"}])
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    assert report.ok and report.summaries[0].updated == 1
    assert worker_record(imported, WORKER_1) == ("张三", "13800000009")


def test_the_upload_tells_nothing_about_whether_an_identity_number_is_registered(
    imported, tmp_path, reference
):
    """B's worker and a number nobody registered get the same answer, in payroll and in
    workers: the report of an upload is no oracle for the register."""
    stranger = id_number(60)
    answers = []
    for worker in (WORKER_2, stranger):
        folder = tmp_path / f"payroll-{worker}"
        write_csv(folder, "payroll", [payroll_row(EMPLOYER_A, worker)])
        report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
        answers.append(
            report.problems[["row", "column", "code", "reason_zh", "reason_en"]].to_dict("records")
        )
    assert answers[0] == answers[1]
    [only] = answers[0]
    assert only["code"] == "worker_not_yours"
    assert "不是本单位登记的劳动者" in only["reason_zh"]
    assert "not one of your organisation's workers" in only["reason_en"]
    summaries = []
    for worker in (WORKER_3, id_number(61)):
        folder = tmp_path / f"workers-{worker}"
        write_csv(folder, "workers", [{"id_number": worker, "name": "某人", "phone": ""}])
        report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
        summaries.append([(s.rows_read, s.inserted, s.updated) for s in report.summaries])
    assert summaries[0] == summaries[1] == [(1, 1, 0)]
    assert worker_record(imported, WORKER_3) == ("王五", None)


def test_a_contract_names_only_a_worker_of_the_employer_or_of_this_upload(
    imported, tmp_path, reference
):
    folder = tmp_path / "contract-only"
    write_csv(folder, "contracts", [contract_row(WORKER_3)])
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    assert list(report.problems["code"]) == ["worker_not_yours"]


@pytest.mark.parametrize("project", [PROJECT, "330302209901010001"])
def test_an_employer_names_only_projects_it_contracts_and_the_answer_is_the_same(
    imported, tmp_path, reference, project
):
    """PROJECT is B's; the other code does not exist. Both get the same refusal."""
    folder = tmp_path / "project"
    write_csv(folder, "contracts", [contract_row(WORKER_1, project_code=project)])
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    [(file, row, column, zh, en)] = reasons(report, "project_not_yours")
    assert (file, row, column) == ("contracts.csv", 2, "project_code")
    assert "不是本单位作为施工总承包单位的工程项目" in zh
    assert "not a project your organisation is the general contractor of" in en
    assert list(report.problems["code"]) == ["project_not_yours"]


def insurance_row(employer: str, worker: str, project: str) -> dict[str, str]:
    return {
        "employer_uscc": employer,
        "worker_id_number": worker,
        "project_code": project,
        "start_date": "2026-06-01",
        "end_date": "",
    }


def test_project_wide_insurance_only_for_the_employers_own_project(imported, tmp_path, reference):
    """A project-wide work-injury policy covers every worker on the project: only its
    contractor (B) may file one."""
    before = count(imported, "insurance_coverage")
    folder = tmp_path / "a-insures-b"
    write_csv(folder, "insurance", [insurance_row(EMPLOYER_A, "", PROJECT)])
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    assert list(report.problems["code"]) == ["project_not_yours"]
    assert count(imported, "insurance_coverage") == before
    folder = tmp_path / "b-insures-b"
    write_csv(folder, "insurance", [insurance_row(EMPLOYER_B, "", PROJECT)])
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_B)
    assert report.ok, report.problems.to_string()
    assert count(imported, "insurance_coverage") == before + 1


def test_an_employer_registers_new_workers_and_hires_registered_ones_with_a_contract(
    imported, tmp_path, reference
):
    newcomer = id_number(50)
    folder = tmp_path / "hire"
    write_csv(
        folder,
        "workers",
        [
            {"id_number": newcomer, "name": "赵六", "phone": ""},
            {"id_number": WORKER_2, "name": "李四", "phone": "13900000000"},
            {"id_number": WORKER_1, "name": "张三", "phone": "13800000009"},  # already its own
        ],
    )
    write_csv(folder, "contracts", [contract_row(WORKER_2), contract_row(newcomer)])
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    assert report.ok, report.problems.to_string()
    assert worker_record(imported, newcomer) == ("赵六", None)
    assert worker_record(imported, WORKER_1) == ("张三", "13800000009")
    assert worker_record(imported, WORKER_2) == ("李四", None)


def test_without_the_restriction_an_import_may_name_any_employer(imported, tmp_path, reference):
    folder = tmp_path / "authority"
    rows = [payroll_row(EMPLOYER_A, WORKER_1), payroll_row(EMPLOYER_B, WORKER_2)]
    write_csv(folder, "payroll", rows)
    assert run_import(imported, folder, reference).ok


def test_an_empty_folder_is_fine_for_an_employer(imported, tmp_path: Path, reference):
    (tmp_path / "empty").mkdir()
    report = run_import(imported, tmp_path / "empty", reference, employer_uscc=EMPLOYER_A)
    assert report.ok and report.summaries == []
