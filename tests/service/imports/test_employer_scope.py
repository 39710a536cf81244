"""An employer's own import (run_import(..., employer_uscc=...)): only its workforce files,
only rows about itself, only workers it employs or registers anew — and still all or nothing."""

from pathlib import Path

import pytest
from sqlalchemy import text

from service.imports.service import run_import
from tests.builders import (
    EMPLOYER_A,
    EMPLOYER_B,
    WORKER_1,
    WORKER_2,
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
    from tests.builders import uscc

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


def test_an_employer_may_not_change_another_employers_worker(imported, tmp_path, reference):
    """WORKER_2 works for employer B only: employer A may not rewrite the record."""
    folder = tmp_path / "workers"
    write_csv(folder, "workers", [{"id_number": WORKER_2, "name": "改名", "phone": "13900000000"}])
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    [(file, row, column, zh, en)] = reasons(report, "worker_not_employed")
    assert (file, row, column) == ("workers.csv", 2, "id_number")
    assert "没有劳动合同记录" in zh and "no contract with your organisation" in en
    with imported.connect() as conn:
        name = conn.execute(text("SELECT name FROM worker WHERE id_number = :n"), {"n": WORKER_2})
        assert name.scalar_one() == "李四"


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
    contract = {**valid_files()["contracts"][0], "worker_id_number": WORKER_2}
    contract |= {"start_date": "2026-06-01", "signed_date": "2026-06-01", "end_date": "2028-05-31"}
    contract |= {"probation_end": "", "probation_wage": ""}
    write_csv(folder, "contracts", [contract])
    report = run_import(imported, folder, reference, employer_uscc=EMPLOYER_A)
    assert report.ok, report.problems.to_string()


def test_without_the_restriction_an_import_may_name_any_employer(imported, tmp_path, reference):
    folder = tmp_path / "authority"
    rows = [payroll_row(EMPLOYER_A, WORKER_1), payroll_row(EMPLOYER_B, WORKER_2)]
    write_csv(folder, "payroll", rows)
    assert run_import(imported, folder, reference).ok


def test_an_empty_folder_is_fine_for_an_employer(imported, tmp_path: Path, reference):
    (tmp_path / "empty").mkdir()
    report = run_import(imported, tmp_path / "empty", reference, employer_uscc=EMPLOYER_A)
    assert report.ok and report.summaries == []
