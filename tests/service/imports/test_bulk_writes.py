"""The bulk write paths (many rows per INSERT on SQLite, COPY on PostgreSQL) store every
value as given: whole numbers, decimals, dates and text, gaps as NULL, in any batch size."""

import sqlite3

import pandas as pd
import pytest
from sqlalchemy import event, text

from service.imports import pgcopy, writing
from service.imports.service import run_import
from tests.factories import monthly_payroll, valid_files, write_folder

# More rows than one SQLite statement takes (999 parameters here / 7 columns = 142 rows),
# and not a multiple of it: whole statements and the rows left over.
MONTHS = 300


def test_many_rows_keep_every_value_and_gap(engine, tmp_path, reference, monkeypatch):
    monkeypatch.setattr(writing, "BATCH_ROWS", 200)  # two batches, the last one short
    monkeypatch.setattr(writing, "SQLITE_PARAMETERS", 999)
    files = valid_files()
    files["payroll"] = monthly_payroll(MONTHS)
    report = run_import(engine, write_folder(tmp_path / "in", files), reference)
    assert report.ok, report.problems.to_string()
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT period, amount_due_fen, amount_paid_fen, CAST(paid_date AS TEXT), "
                "hours_worked FROM payroll_entry ORDER BY period"
            )
        ).all()
    expected = [
        (
            row["period"],
            round(float(row["amount_due"]) * 100),
            round(float(row["amount_paid"]) * 100),
            row["paid_date"] or None,
            float(row["hours_worked"]) if row["hours_worked"] else None,
        )
        for row in files["payroll"]
    ]
    assert [tuple(row) for row in stored] == expected


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_older_sqlites_parameter_limit_is_kept(engine, tmp_path, reference, monkeypatch):
    """SQLite before 3.32 takes 999 parameters a statement: the writer asks the connection."""
    monkeypatch.setattr(writing, "SQLITE_PARAMETERS", 7 * MONTHS)  # one statement, unless capped

    def older_limit(dbapi_connection, _record) -> None:
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    event.listen(engine, "connect", older_limit)
    engine.dispose()  # connections made before the listener keep the larger limit
    files = valid_files()
    files["payroll"] = monthly_payroll(MONTHS)
    report = run_import(engine, write_folder(tmp_path / "in", files), reference)
    assert report.ok, report.problems.to_string()
    with engine.connect() as conn:
        limit = conn.connection.driver_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        stored = conn.execute(text("SELECT count(*) FROM payroll_entry")).scalar_one()
    assert (limit, stored) == (999, MONTHS)


def test_row_major_values_are_plain_python_values_row_after_row():
    frame = pd.DataFrame(
        {
            "whole": pd.array([1, None, 3], dtype="Int64"),
            "whole_full": pd.array([4, 5, 6], dtype="Int64"),
            "decimal": pd.array([1.5, 2.0, None], dtype="Float64"),
            "flag": pd.array([True, None, False], dtype="boolean"),
            "text": pd.Series(["a", None, "c"], dtype="str"),
        }
    )
    values = writing._row_major_values(frame)
    assert values == [1, 4, 1.5, True, "a", None, 5, 2.0, None, None, 3, 6, None, False, "c"]
    assert [type(v) for v in values[:5]] == [int, int, float, bool, str]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_receives_every_file_in_binary(engine, tmp_path, reference, monkeypatch):
    """Every import table's columns are of a type the binary COPY format is built for, and
    the values it stores are those the CSV format stored (every other test reads them)."""
    chosen: dict[str, bool] = {}
    fits = pgcopy.fits

    def recording_fits(frame: pd.DataFrame, types: list[str]) -> bool:
        chosen[",".join(frame.columns)] = fits(frame, types)
        return chosen[",".join(frame.columns)]

    monkeypatch.setattr(pgcopy, "fits", recording_fits)
    assert run_import(engine, write_folder(tmp_path / "in"), reference).ok
    written = [rows for rows in valid_files().values() if rows]
    assert len(chosen) == len(written) and all(chosen.values()), chosen


def test_binary_rows_hold_lengths_and_big_endian_values():
    frame = pd.DataFrame(
        {
            "id": pd.array([1, None], dtype="Int64"),
            "flag": pd.array([True, None], dtype="boolean"),
            "day": pd.Series(["2000-01-02", None], dtype="str"),
            "name": pd.Series(["薪", ""], dtype="str"),
        }
    )
    rows = pgcopy.binary_rows(frame, ["integer", "boolean", "date", "character varying"])
    first = b"\x00\x04" + b"\x00\x00\x00\x04\x00\x00\x00\x01" + b"\x00\x00\x00\x01\x01"
    first += b"\x00\x00\x00\x04\x00\x00\x00\x01" + b"\x00\x00\x00\x03" + "薪".encode()
    second = b"\x00\x04" + b"\xff\xff\xff\xff" * 3 + b"\x00\x00\x00\x00"
    assert rows == first + second


def test_binary_rows_read_columns_in_several_chunks():
    """The CSV reader leaves a column in several arrow chunks; a batch may span them."""

    def chunked(*parts: list[str | None]) -> pd.Series:
        return pd.concat([pd.Series(part, dtype="str") for part in parts], ignore_index=True)

    frame = pd.DataFrame(
        {"name": chunked(["a", None], ["bc"]), "day": chunked(["2000-01-02"], [None, "2000-01-01"])}
    )
    rows = pgcopy.binary_rows(frame.iloc[1:], ["text", "date"])
    second = b"\x00\x02" + b"\xff\xff\xff\xff" * 2
    third = b"\x00\x02" + b"\x00\x00\x00\x02bc" + b"\x00\x00\x00\x04\x00\x00\x00\x00"
    assert rows == second + third
