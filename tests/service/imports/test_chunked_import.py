"""A file read in chunks (a city's payroll does not fit in memory whole) imports as if it
were read whole: every row, a key repeated chunks apart, each reason's listed rows and
count, a read error part-way — and nothing of what was written before a problem stays."""

import threading
from dataclasses import replace

import pandas as pd
import pytest
from sqlalchemy import text

from service.imports import reading, writing
from service.imports.guards import FileLimits
from service.imports.problems import MAX_ROWS_PER_REASON
from service.imports.repeats import KeyLedger
from service.imports.service import run_import
from service.imports.spec import PAYROLL
from tests.factories import monthly_payroll, valid_files, write_folder

MONTHS = 300  # thirty chunks of ten rows


@pytest.fixture
def small_chunks(monkeypatch) -> FileLimits:
    monkeypatch.setattr(reading, "CHUNK_ROWS", 10)
    monkeypatch.setattr(reading, "READ_BLOCK_BYTES", 256)
    return replace(FileLimits.from_settings(), max_line_bytes=256)


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_the_payroll_file_is_read_in_many_chunks(tmp_path, small_chunks):
    files = valid_files()
    files["payroll"] = monthly_payroll(MONTHS)
    folder = write_folder(tmp_path / "in", files)
    chunks = list(reading.open_table(folder / "payroll.csv", PAYROLL, small_chunks).chunks)
    assert len(chunks) > 10
    rows = [row for chunk in chunks for row in chunk.index]
    assert rows == list(range(2, MONTHS + 2))  # each row numbered as a spreadsheet shows it


def test_every_cell_is_read_without_the_spaces_around_it(tmp_path):
    path = tmp_path / "payroll.csv"
    path.write_text(
        "employer_uscc , worker_id_number,period,amount_due,amount_paid,paid_date,hours_worked\n"
        " 91330302MA0000001N\t,\u3000330302199001011234 ,2026-03 , 5200,5200,,\n",
        encoding="utf-8",
    )
    frame, header_problems = reading.read_table(path, PAYROLL)
    assert header_problems.empty
    assert frame.iloc[0].tolist() == [
        "91330302MA0000001N", "330302199001011234", "2026-03", "5200", "5200", "", "",
    ]  # fmt: skip


def test_every_row_of_every_chunk_is_written_and_again_changes_nothing(
    engine, tmp_path, reference, small_chunks
):
    files = valid_files()
    files["payroll"] = monthly_payroll(MONTHS)
    folder = write_folder(tmp_path / "in", files)
    report = run_import(engine, folder, reference, limits=small_chunks)
    assert report.ok, report.problems.to_string()
    payroll = next(s for s in report.summaries if s.file == "payroll.csv")
    assert (payroll.rows_read, payroll.inserted, payroll.updated) == (MONTHS, MONTHS, 0)
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT period, amount_due_fen FROM payroll_entry ORDER BY period")
        ).all()
    assert [tuple(row) for row in stored] == [
        (row["period"], round(float(row["amount_due"]) * 100)) for row in files["payroll"]
    ]

    files["payroll"][-1]["amount_paid"] = "1"  # in the last chunk
    again = run_import(
        engine, write_folder(tmp_path / "again", files), reference, limits=small_chunks
    )
    payroll = next(s for s in again.summaries if s.file == "payroll.csv")
    assert (payroll.inserted, payroll.updated) == (0, 1)


def test_a_key_repeated_chunks_apart_is_reported_and_nothing_is_kept(
    engine, tmp_path, reference, small_chunks
):
    files = valid_files()
    files["payroll"] = monthly_payroll(MONTHS)
    files["payroll"].append(dict(files["payroll"][3]))  # row 5 again, as the last row
    report = run_import(
        engine, write_folder(tmp_path / "in", files), reference, limits=small_chunks
    )
    [repeated] = report.problems.to_dict("records")
    assert (repeated["file"], repeated["row"], repeated["code"]) == (
        "payroll.csv",
        MONTHS + 2,
        "duplicate_key",
    )
    assert "第 5 行" in repeated["reason_zh"] and "row 5" in repeated["reason_en"]
    # The employers, workers and the payroll's first chunks were written, then rolled back.
    assert _count(engine, "employer") == _count(engine, "payroll_entry") == 0


def test_each_reason_is_listed_for_its_first_rows_then_counted_across_chunks(
    engine, tmp_path, reference, monkeypatch
):
    monkeypatch.setattr(reading, "CHUNK_ROWS", 1200)
    monkeypatch.setattr(reading, "READ_BLOCK_BYTES", 1024)
    limits = replace(FileLimits.from_settings(), max_line_bytes=512)
    folder = write_folder(tmp_path / "in")
    junk = "x,y,z,w,v,u,t\n" * 3000
    (folder / "payroll.csv").write_text(",".join(PAYROLL.column_names) + "\n" + junk)
    assert len(list(reading.open_table(folder / "payroll.csv", PAYROLL, limits).chunks)) > 2

    report = run_import(engine, folder, reference, limits=limits)
    amount = report.problems[report.problems["column"] == "amount_due"]
    assert list(amount["code"]).count("money") == MAX_ROWS_PER_REASON
    [more] = amount[amount["code"] == "more_rows"].to_dict("records")
    assert more["row"] == MAX_ROWS_PER_REASON + 2  # the first row not listed
    assert "还有 2,000 行存在同样的问题" in more["reason_zh"]
    assert "2,000 more rows have the same problem" in more["reason_en"]
    # seven columns and the repeated key: each its listed rows and one line more
    assert len(report.problems) == 8 * (MAX_ROWS_PER_REASON + 1)
    assert list(report.problems.columns) == [
        "file",
        "row",
        "column",
        "value",
        "code",
        "reason_zh",
        "reason_en",
    ]


def test_a_read_error_part_way_is_reported_and_nothing_is_kept(
    engine, tmp_path, reference, small_chunks
):
    files = valid_files()
    files["payroll"] = monthly_payroll(MONTHS)
    folder = write_folder(tmp_path / "in", files)
    path = folder / "payroll.csv"
    path.write_bytes(path.read_bytes() + b"\xff\xfe not text\n")
    report = run_import(engine, folder, reference, limits=small_chunks)
    assert report.problems[["file", "code"]].values.tolist() == [["payroll.csv", "unreadable"]]
    assert _count(engine, "employer") == _count(engine, "payroll_entry") == 0


def test_a_write_that_fails_in_the_writer_thread_is_raised_and_nothing_is_kept(
    engine, tmp_path, reference, small_chunks, monkeypatch
):
    files = valid_files()
    files["payroll"] = monthly_payroll(MONTHS)
    folder = write_folder(tmp_path / "in", files)
    written = []
    real_write = writing.FileWriter.write

    def failing_write(self, frame, progress=None):
        if self.spec is PAYROLL and written:
            raise RuntimeError("the disk is full")
        if self.spec is PAYROLL:
            written.append(threading.current_thread().name)
        return real_write(self, frame, progress)

    monkeypatch.setattr(writing.FileWriter, "write", failing_write)
    with pytest.raises(RuntimeError, match="the disk is full"):
        run_import(engine, folder, reference, limits=small_chunks)
    # the first payroll chunk was written, by the writer thread
    assert written == ["import-writer_0"]
    assert _count(engine, "employer") == _count(engine, "payroll_entry") == 0


def test_the_key_ledger_tells_known_and_other_names_apart_across_chunks():
    """Names the database knows are coded by their place among them, others by the ledger's
    own table: a repeat is found either way, and never between a known and an unknown name."""
    ledger = KeyLedger(PAYROLL, {"worker_id_number": pd.Index(["W1", "W2"], dtype=object)})

    def chunk(first_row: int, workers: list[str]) -> pd.DataFrame:
        rows = range(first_row, first_row + len(workers))
        return pd.DataFrame(
            {"employer_uscc": "E", "worker_id_number": workers, "period": "2026-01"},
            index=pd.Index(rows),
        )

    assert ledger.repeated(chunk(2, ["W1", "X1"]), "payroll.csv").empty
    repeats = ledger.repeated(chunk(4, ["W2", "X2", "W1", "X1", "X2"]), "payroll.csv")
    assert repeats[["row", "code"]].values.tolist() == [
        [6, "duplicate_key"],
        [7, "duplicate_key"],
        [8, "duplicate_key"],
    ]
    assert [reason[-5:] for reason in repeats["reason_en"]] == ["row 2", "row 3", "row 5"]
