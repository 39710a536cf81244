"""The `wageguard` command line, run as a real process against real databases."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from service.config import PROJECT_ROOT
from service.db import make_engine
from tests.factories import valid_files, write_folder

# The two ways the command is run: as the installed script (the README's and the Makefile's)
# and as a module.
PROGRAMS = {
    "python -m service": [sys.executable, "-m", "service"],
    "wageguard": [str(Path(sys.executable).with_name("wageguard"))],
}


def wageguard(
    *args: str, database_url: str, program: str = "python -m service", **env: str
) -> subprocess.CompletedProcess:
    environment = {**os.environ, "WAGEGUARD_DATABASE_URL": database_url, **env}
    return subprocess.run(
        [*PROGRAMS[program], *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_prints_a_summary_line_per_file(db_url, tmp_path):
    result = wageguard("import", str(write_folder(tmp_path / "in")), database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert "payroll.csv: 2 rows read, 2 inserted, 0 updated, 0 unchanged" in result.stdout
    again = wageguard("import", str(tmp_path / "in"), database_url=db_url)
    assert "payroll.csv: 2 rows read, 0 inserted, 0 updated, 2 unchanged" in again.stdout


@pytest.mark.parametrize("program", PROGRAMS)
def test_a_command_closes_its_sqlite_connections_before_the_process_leaves(tmp_path, program):
    """Run either way, the process skips the interpreter's last garbage collections, and its
    connections must still be closed, or SQLite's write-ahead log is left beside the database
    (a copy of the file alone then misses the latest writes)."""
    database = tmp_path / "city.db"
    folder = str(write_folder(tmp_path / "in"))
    for args in (["import", folder], ["monitors", "run", "--as-of", "2026-11-30"]):
        result = wageguard(*args, database_url=f"sqlite:///{database}", program=program)
        assert result.returncode == 0, result.stderr
        assert database.exists() and not Path(f"{database}-wal").exists(), args


def test_import_with_a_bad_row_exits_non_zero_with_the_report(db_url, tmp_path):
    files = valid_files()
    files["payroll"][1]["period"] = "2026/02"
    result = wageguard("import", str(write_folder(tmp_path / "in", files)), database_url=db_url)
    assert result.returncode == 1
    assert "nothing was written" in result.stderr
    assert "payroll.csv row 3, column period, value '2026/02'" in result.stderr
    assert "应为月份，写作“年-月”" in result.stderr and "YYYY-MM" in result.stderr
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM employer")).scalar_one() == 0
    engine.dispose()


def test_a_malformed_reference_file_stops_start_up_naming_file_and_line(db_url, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    wages = data / "minimum_wages.csv"
    lines = wages.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[3], "abc", 1)
    wages.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = wageguard("migrate", database_url=db_url, WAGEGUARD_DATA_DIR=str(data))
    assert result.returncode == 2
    assert "minimum_wages.csv line 4" in result.stderr


def test_demo_generates_and_imports_the_wenzhou_data_set(db_url, tmp_path):
    result = wageguard("demo", "--out", str(tmp_path / "demo"), database_url=db_url)
    assert result.returncode == 0, result.stderr
    engine = make_engine(db_url)
    with engine.connect() as conn:
        employers = conn.execute(text("SELECT COUNT(*) FROM employer")).scalar_one()
        payroll = conn.execute(text("SELECT COUNT(*) FROM payroll_entry")).scalar_one()
        # The demo users get mail (in the local sink): every one has an address.
        no_mail = conn.execute(text("SELECT COUNT(*) FROM app_user WHERE email IS NULL"))
        assert no_mail.scalar_one() == 0
    engine.dispose()
    assert "inspector.lucheng" in result.stdout and "demo-inspector-2026" in result.stdout
    assert 250 <= employers <= 350
    assert payroll > 25_000


def test_alerts_export_prints_json_lines_with_the_contract_fields(db_url):
    result = wageguard("alerts", "export", "--format", "jsonl", database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == []


def test_monitors_run_rejects_a_malformed_day(db_url):
    result = wageguard("monitors", "run", "--as-of", "2026-13-01", database_url=db_url)
    assert result.returncode != 0
    assert "YYYY-MM-DD" in result.stderr


def test_project_readme_opens_with_the_two_commands():
    head = (Path(PROJECT_ROOT) / "README.md").read_text(encoding="utf-8").splitlines()[:6]
    assert any(line.startswith("make run") for line in head)
    assert any(line.startswith("make test") for line in head)
