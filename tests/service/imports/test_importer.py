"""The importer against real SQLite and PostgreSQL databases."""

from pathlib import Path

import openpyxl
from sqlalchemy import text
from sqlalchemy.engine import Engine

from monitors.reference import Reference
from service.imports import writing
from service.imports.service import ImportReport, run_import
from tests.factories import (
    EMPLOYER_A,
    PROJECT,
    WORKER_1,
    analysed_tables,
    id_number,
    uscc,
    valid_files,
    write_csv,
    write_folder,
)

TABLES = (
    "employer",
    "worker",
    "project",
    "employment_contract",
    "payroll_entry",
    "deposit_event",
    "insurance_coverage",
    "mediation_committee",
)


def table_snapshot(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table: sorted(
                tuple(str(v) for v in row)
                for row in conn.execute(text(f"SELECT * FROM {table}")).all()
            )
            for table in TABLES
        }


def do_import(engine: Engine, folder: Path, reference: Reference) -> ImportReport:
    return run_import(engine, folder, reference)


def test_valid_folder_is_imported_with_counts(engine, tmp_path, reference):
    report = do_import(engine, write_folder(tmp_path / "in"), reference)
    assert report.ok, report.problems.to_string()
    counts = {s.file: (s.rows_read, s.inserted, s.updated) for s in report.summaries}
    assert counts["payroll.csv"] == (2, 2, 0)
    assert counts["employers.csv"] == (2, 2, 0)
    with engine.connect() as conn:
        fen = conn.execute(
            text(
                "SELECT probation_wage_fen, monthly_wage_fen, employment_type "
                "FROM employment_contract ORDER BY start_date"
            )
        ).all()
        guarantee = conn.execute(
            text("SELECT project_id, amount_fen FROM deposit_event WHERE event = 'guarantee'")
        ).one()
        leased = conn.execute(
            text("SELECT leased_premises FROM employer WHERE uscc = :u"), {"u": EMPLOYER_A}
        ).scalar_one()
    assert fen[0] == (420050, 520000, "full_time")
    assert fen[1][2] == "full_time"  # empty cell takes the contract's default
    assert guarantee == (None, 5_000_000)
    assert bool(leased) is True


def test_reimporting_the_same_folder_changes_nothing(engine, tmp_path, reference):
    folder = write_folder(tmp_path / "in")
    assert do_import(engine, folder, reference).ok
    before = table_snapshot(engine)
    again = do_import(engine, folder, reference)
    assert again.ok
    assert all((s.inserted, s.updated) == (0, 0) for s in again.summaries)
    assert table_snapshot(engine) == before


def test_a_changed_row_updates_its_record(engine, tmp_path, reference):
    files = valid_files()
    assert do_import(engine, write_folder(tmp_path / "first", files), reference).ok
    files["payroll"][1]["amount_paid"] = "6800"
    files["employers"][1]["contact_email"] = "pay@ojjs.example.cn"
    report = do_import(engine, write_folder(tmp_path / "second", files), reference)
    assert report.ok
    by_file = {s.file: s for s in report.summaries}
    assert (by_file["payroll.csv"].inserted, by_file["payroll.csv"].updated) == (0, 1)
    assert by_file["employers.csv"].updated == 1
    with engine.connect() as conn:
        paid = conn.execute(text("SELECT SUM(amount_paid_fen) FROM payroll_entry")).scalar_one()
    assert paid == 520000 + 680000


def test_a_later_import_may_refer_to_rows_already_in_the_database(engine, tmp_path, reference):
    assert do_import(engine, write_folder(tmp_path / "first"), reference).ok
    payroll = [
        {
            "employer_uscc": EMPLOYER_A,
            "worker_id_number": WORKER_1,
            "period": "2026-02",
            "amount_due": "5200",
            "amount_paid": "5200",
            "paid_date": "2026-03-10",
            "hours_worked": "",
        }
    ]
    report = do_import(engine, write_folder(tmp_path / "second", {"payroll": payroll}), reference)
    assert report.ok, report.problems.to_string()


def test_a_bad_row_in_the_last_file_leaves_the_database_untouched(engine, tmp_path, reference):
    files = valid_files()
    files["insurance"][1]["start_date"] = "2026-02-30"
    before = table_snapshot(engine)
    report = do_import(engine, write_folder(tmp_path / "in", files), reference)
    assert not report.ok
    assert report.problems[["file", "row", "column"]].values.tolist() == [
        ["insurance.csv", 3, "start_date"]
    ]
    assert table_snapshot(engine) == before


def test_every_bad_row_is_reported_not_only_the_first(engine, tmp_path, reference):
    files = valid_files()
    files["payroll"][0]["period"] = "2026-13"
    files["payroll"][1]["amount_paid"] = "-5"
    files["workers"][2]["id_number"] = "510122199001010031"
    report = do_import(engine, write_folder(tmp_path / "in", files), reference)
    reported = set(map(tuple, report.problems[["file", "row", "column"]].values.tolist()))
    assert {
        ("payroll.csv", 2, "period"),
        ("payroll.csv", 3, "amount_paid"),
        ("workers.csv", 4, "id_number"),
    } <= reported


def test_csv_with_a_byte_order_mark_is_read(engine, tmp_path, reference):
    folder = write_folder(tmp_path / "in")
    write_csv(folder, "employers", valid_files()["employers"], bom=True)
    report = do_import(engine, folder, reference)
    assert report.ok, report.problems.to_string()


def test_xlsx_workbook_is_read_like_csv(engine, tmp_path, reference):
    files = valid_files()
    folder = write_folder(tmp_path / "in", {k: v for k, v in files.items() if k != "payroll"})
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    header = list(files["payroll"][0])
    sheet.append(header)
    for row in files["payroll"]:
        sheet.append([row[c] for c in header])
    # Spreadsheet programs store numbers and dates as typed cells.
    sheet["D2"] = 5200
    workbook.save(folder / "payroll.xlsx")
    report = do_import(engine, folder, reference)
    assert report.ok, report.problems.to_string()
    assert {s.file: s.inserted for s in report.summaries}["payroll.xlsx"] == 2


def test_xlsx_problem_rows_are_numbered_as_the_spreadsheet_shows(engine, tmp_path, reference):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id_number", "name", "phone", "hukou_county_code"])
    sheet.append([id_number(7), "赵六", "", ""])
    sheet.append([id_number(8), "", "", ""])
    folder = tmp_path / "in"
    folder.mkdir()
    workbook.save(folder / "workers.xlsx")
    report = do_import(engine, folder, reference)
    assert report.problems[["file", "row", "column"]].values.tolist() == [
        ["workers.xlsx", 3, "name"]
    ]


def test_problem_reasons_are_given_in_chinese_and_english(engine, tmp_path, reference):
    files = {"employers": valid_files()["employers"]}
    files["employers"][0]["uscc"] = uscc(1)[:-1] + ("0" if uscc(1)[-1] != "0" else "1")
    report = do_import(engine, write_folder(tmp_path / "in", files), reference)
    problem = report.problems.iloc[0]
    assert "统一社会信用代码" in problem.reason_zh
    assert "unified social credit code" in problem.reason_en
    assert problem.value == files["employers"][0]["uscc"]


def test_project_wide_insurance_and_employer_level_deposit_keep_unique_keys(
    engine, tmp_path, reference
):
    folder = write_folder(tmp_path / "in")
    assert do_import(engine, folder, reference).ok
    assert do_import(engine, folder, reference).ok
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM insurance_coverage")).scalar_one() == 2
        assert conn.execute(text("SELECT COUNT(*) FROM deposit_event")).scalar_one() == 2
        assert (
            conn.execute(
                text(
                    "SELECT COUNT(*) FROM deposit_event d JOIN project p ON p.id = d.project_id "
                    "WHERE p.project_code = :p"
                ),
                {"p": PROJECT},
            ).scalar_one()
            == 1
        )


def test_the_tables_an_import_wrote_are_analysed_for_the_planner(engine, tmp_path, reference):
    """Autovacuum is off on some hosts: unanalysed, PostgreSQL planned the employer list's
    last page for an empty table (24 s instead of 0.1 s)."""
    assert run_import(engine, write_folder(tmp_path, valid_files()), reference).ok
    assert {"employer", "worker", "payroll_entry"} <= analysed_tables(engine)


def test_sqlite_checks_foreign_keys_again_after_an_import(engine, tmp_path, reference):
    """The import leaves SQLite's per-row foreign-key checks off (it has checked every
    reference itself); the pooled connection must go back to checking them."""
    assert do_import(engine, write_folder(tmp_path / "in"), reference).ok
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_bulk_load_into_empty_tables_keeps_every_index(engine, tmp_path, reference, monkeypatch):
    """SQLite builds the indexes of an empty table after a bulk load: they are all there
    afterwards, and the rows are found through them."""
    monkeypatch.setattr(writing, "REBUILD_INDEXES_FROM_ROWS", 1)
    before = _index_names(engine)
    assert do_import(engine, write_folder(tmp_path / "in"), reference).ok
    assert _index_names(engine) == before
    with engine.connect() as conn:
        period = "SELECT count(*) FROM payroll_entry WHERE period = '2026-01'"
        assert conn.exec_driver_sql(period).scalar() == 1


def _index_names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'index'"
        else:
            query = "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
        return set(conn.exec_driver_sql(query).scalars())


def test_rows_already_stored_are_read_for_the_rows_filed_not_for_their_employers(
    engine, tmp_path, reference, monkeypatch
):
    """A payroll or contract row filed again reads back only the stored row with its key: a
    file of rows spread over many employers must not read those employers' whole history (1 %
    of a city's payroll re-filed once read 4.3 M rows for 77,000)."""
    files = valid_files()
    first = files["payroll"][0]
    files["payroll"] += [{**first, "period": f"2025-{month:02d}"} for month in range(1, 13)]
    assert do_import(engine, write_folder(tmp_path / "first", files), reference).ok
    read: dict[str, int] = {}
    query_frame = writing.query_frame

    def counted(conn, sql, columns):
        existing = query_frame(conn, sql, columns)
        read[sql.split(" FROM ")[1].split()[0]] = len(existing)
        return existing

    monkeypatch.setattr(writing, "query_frame", counted)
    again = {
        "payroll": [{**first, "amount_paid": "2600"}],
        "contracts": [files["contracts"][0]],
    }
    report = do_import(engine, write_folder(tmp_path / "again", again), reference)
    assert report.ok
    filed_again = {table: read[table] for table in ("payroll_entry", "employment_contract")}
    assert filed_again == {"payroll_entry": 1, "employment_contract": 1}
    by_file = {s.file: s for s in report.summaries}
    assert (by_file["payroll.csv"].updated, by_file["contracts.csv"].updated) == (1, 0)
