"""Hostile files are refused fast and small, with a reason in Chinese and English: through
the reader, through `wageguard import` (measured in its own process) and through the
employer's upload page (measured in the app's process)."""

import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.imports.guards import FileLimits
from service.imports.reading import read_table
from service.imports.spec import PAYROLL
from tests.factories import EMPLOYER_A, WORKER_1
from tests.service.imports import hostile
from tests.service.portals.conftest import sign_in
from tests.service.portals.test_proofs import csrf_of

MAX_SECONDS = 5.0
MAX_GROWTH_MB = 300

HOSTILE: dict[str, tuple[str, Callable[[Path], Path], str]] = {
    # name: (file name, builder, the reason's code)
    "dimension A1:XFD1048576": ("payroll.xlsx", hostile.dimension_bomb, "too_many_columns"),
    "5,000 rows under A1:XFD1048576": (
        "payroll.xlsx",
        lambda path: hostile.dimension_bomb(
            path, [hostile.payroll_values(EMPLOYER_A, WORKER_1)] * 5000
        ),
        "too_many_columns",
    ),
    "no dimension, a cell at XFD1048576": (
        "payroll.xlsx",
        hostile.undeclared_far_cell,
        "too_many_rows",
    ),
    "shared-strings zip bomb": ("payroll.xlsx", hostile.shared_strings_bomb, "unpacked_too_large"),
    "entity expansion bomb": ("payroll.xlsx", hostile.entity_bomb, "unsafe_xml"),
    "40,000-column CSV header": ("payroll.csv", hostile.wide_csv, "line_too_long"),
    "1,000 columns in a short header": (
        "payroll.csv",
        hostile.narrow_but_many_columns_csv,
        "too_many_columns",
    ),
    "50 MB single line": ("payroll.csv", hostile.long_line_csv, "line_too_long"),
}
REASONS = {
    "too_many_columns": ("列，已拒绝", "columns and was refused"),
    "too_many_rows": ("行，已拒绝", "rows and was refused"),
    "unpacked_too_large": ("疑似压缩炸弹", "a possible zip bomb"),
    "unsafe_xml": ("不安全的 XML", "unsafe XML"),
    "line_too_long": ("文件中有一行超过", "a line of the file is longer than"),
}


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict[str, Path]:
    """Each hostile file once, in a folder of its own (as `wageguard import` takes them)."""
    root = tmp_path_factory.mktemp("hostile")
    built = {}
    for number, (name, (file_name, build, _)) in enumerate(HOSTILE.items()):
        built[name] = build(root / f"case-{number}" / file_name)
    return built


@pytest.mark.serial  # timed: runs alone, after the parallel pass
@pytest.mark.parametrize("name", HOSTILE)
def test_the_reader_refuses_a_hostile_file_with_a_bilingual_reason(hostile_files, name):
    started = time.perf_counter()
    frame, problems = read_table(hostile_files[name], PAYROLL, FileLimits.from_settings())
    assert time.perf_counter() - started < MAX_SECONDS
    assert frame.empty
    [problem] = problems.to_dict("records")
    code = HOSTILE[name][2]
    assert problem["code"] == code
    zh, en = REASONS[code]
    assert zh in problem["reason_zh"] and en in problem["reason_en"]


def test_the_declared_dimension_is_refused_before_the_sheet_is_read(tmp_path):
    """A sheet that declares a modest size beyond the limits is refused by its <dimension>
    alone: its rows are a single header."""
    path = hostile.write_workbook(
        tmp_path / "payroll.xlsx",
        '<row r="1"><c r="A1" t="inlineStr"><is><t>employer_uscc</t></is></c></row>',
        dimension="A1:G300000",
    )
    _, problems = read_table(path, PAYROLL, FileLimits.from_settings())
    assert list(problems["code"]) == ["too_many_rows"]


def test_a_sheet_that_understates_its_size_is_stopped_while_streaming(tmp_path):
    limits = FileLimits.from_settings(Settings(import_xlsx_max_rows=10))
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(1, 30)
    )
    path = hostile.write_workbook(tmp_path / "payroll.xlsx", rows, dimension="A1:A2")
    _, problems = read_table(path, PAYROLL, limits)
    assert list(problems["code"]) == ["too_many_rows"]
    assert "超过 10 行" in problems["reason_zh"][0]


def test_a_workbook_within_the_limits_is_read_as_before(tmp_path):
    values = hostile.payroll_values(EMPLOYER_A, WORKER_1)
    rows = hostile._row(1, list(PAYROLL.column_names)) + hostile._row(2, values)
    path = hostile.write_workbook(tmp_path / "payroll.xlsx", rows, dimension="A1:G2")
    frame, problems = read_table(path, PAYROLL, FileLimits.from_settings())
    assert problems.empty
    assert frame.loc[2, "employer_uscc"] == EMPLOYER_A


# --- through `wageguard import`, in a process of its own -----------------------------------

# Peak memory from the kernel's high-water mark of this process, reset just before the
# import (ru_maxrss would carry the parent's peak across fork and exec).
MEASURE = """
import json, sys, time
from service import cli

def status(field):
    line = next(l for l in open("/proc/self/status") if l.startswith(field))
    return int(line.split()[1]) / 1024

cli._ready_engine()  # warm: schema checked, reference data loaded, modules imported
open("/proc/self/clear_refs", "w").write("5")  # the high-water mark starts again here
before = status("VmRSS")
started = time.perf_counter()
try:
    cli.app(["import", sys.argv[1]])
    code = 0
except SystemExit as exit:
    code = exit.code
seconds = time.perf_counter() - started
print(json.dumps({"code": code, "seconds": seconds, "growth_mb": status("VmHWM") - before}))
"""


def measured_in_child(
    script: str, args: list[str], db_url: str, **env: str
) -> tuple[subprocess.CompletedProcess[str], dict]:
    """Run a measuring script in a fresh Python process on the database; what it printed last
    is its measurement (JSON)."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env={**os.environ, "WAGEGUARD_DATABASE_URL": db_url, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
    )
    return done, json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.serial  # timed: runs alone, after the parallel pass
# A hostile file is refused while it is read, before a row reaches the database: one kind of
# database here (half the serial pass's time); the upload page's cases below run on both.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("name", HOSTILE)
def test_the_cli_importer_refuses_a_hostile_file_within_5_s_and_300_mb(hostile_files, db_url, name):
    folder = hostile_files[name].parent
    done, measured = measured_in_child(MEASURE, [str(folder)], db_url, COLUMNS="200")
    assert measured["code"] == 1, done.stderr
    assert measured["seconds"] < MAX_SECONDS, measured
    assert measured["growth_mb"] < MAX_GROWTH_MB, measured
    zh, en = REASONS[HOSTILE[name][2]]
    assert zh in done.stderr and en in done.stderr


# --- through the employer's upload page -----------------------------------------------------

PAGE_CASES = [
    "5,000 rows under A1:XFD1048576",
    "no dimension, a cell at XFD1048576",
    "shared-strings zip bomb",
    "entity expansion bomb",
    "40,000-column CSV header",
]


@pytest.fixture
def client(world, tmp_path) -> Iterator[TestClient]:
    settings = Settings(database_url=world.db_url, upload_dir=tmp_path / "uploads")
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.serial  # timed: runs alone, after the parallel pass
@pytest.mark.parametrize("name", PAGE_CASES)
def test_the_upload_page_refuses_a_hostile_file_within_5_s_and_300_mb(client, hostile_files, name):
    from tests.service.portals.test_employer import finished_job_page

    path = hostile_files[name]
    body = path.read_bytes()
    sign_in(client, "employer.a")
    token = csrf_of(client, "/employer/imports?lang=en")
    tracemalloc.start()
    try:
        started = time.perf_counter()
        queued = client.post(
            "/employer/imports",
            data={"csrf_token": token},
            files=[("files", (path.name, body, "application/octet-stream"))],
            follow_redirects=False,
        )
        assert queued.status_code == 303, queued.text
        page = finished_job_page(client, queued.headers["location"], timeout=30)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "Not imported (problems found)" in page.text
    assert REASONS[HOSTILE[name][2]][1] in page.text
    assert seconds < MAX_SECONDS
    assert peak < MAX_GROWTH_MB * 2**20


def test_the_upload_page_shows_the_refusal_in_chinese_too(client, hostile_files):
    from tests.service.portals.test_employer import finished_job_page

    path = hostile_files["5,000 rows under A1:XFD1048576"]
    sign_in(client, "employer.a")
    token = csrf_of(client, "/employer/imports?lang=zh-CN")
    queued = client.post(
        "/employer/imports",
        data={"csrf_token": token},
        files=[("files", (path.name, path.read_bytes(), "application/octet-stream"))],
        follow_redirects=False,
    )
    page = finished_job_page(client, queued.headers["location"])
    assert "未导入（发现问题）" in page.text and REASONS["too_many_columns"][0] in page.text


# --- files of junk rows: well shaped, every row wrong ---------------------------------------


def junk_csv(path: Path, rows: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ",".join(PAYROLL.column_names) + "\n"
    path.write_text(header + "x,y,z,w,v,u,t\n" * rows)
    return path


def test_a_reason_is_listed_for_its_first_rows_then_counted(tmp_path, reference):
    """One problem per cell of a junk file would fill memory: each reason of a column lists
    its first rows, then one line counts the rest."""
    from service.imports.checks import check_file
    from service.imports.problems import MAX_ROWS_PER_REASON

    frame, _ = read_table(junk_csv(tmp_path / "payroll.csv", 3000), PAYROLL)
    problems, _ = check_file(PAYROLL, frame, "payroll.csv", reference)
    amount = problems[problems["column"] == "amount_due"]
    assert list(amount["code"]).count("money") == MAX_ROWS_PER_REASON
    [more] = amount[amount["code"] == "more_rows"].to_dict("records")
    assert more["row"] == MAX_ROWS_PER_REASON + 2  # the first row not listed
    assert "还有 2,000 行存在同样的问题" in more["reason_zh"] and "金额应为" in more["reason_zh"]
    assert "2,000 more rows have the same problem" in more["reason_en"]
    # seven columns and the repeated key: each its listed rows and one line more
    assert len(problems) == 8 * (MAX_ROWS_PER_REASON + 1)


@pytest.mark.serial  # timed: runs alone, after the parallel pass
def test_an_uploaded_file_has_at_most_the_upload_row_limit(tmp_path):
    """Counted on the raw bytes before pandas reads: a 50 MB file of short junk lines."""
    path = junk_csv(tmp_path / "payroll.csv", 3_500_000)
    limits = FileLimits.from_settings(upload=True)
    started = time.perf_counter()
    _, problems = read_table(path, PAYROLL, limits)
    assert time.perf_counter() - started < MAX_SECONDS
    assert list(problems["code"]) == ["too_many_rows"]
    assert "超过 100,000 行" in problems["reason_zh"][0]
    assert FileLimits.from_settings().max_rows is None  # `wageguard import` takes bulk files


@pytest.mark.serial  # timed: runs alone, after the parallel pass
def test_an_upload_of_junk_rows_within_the_row_limit_is_refused_within_5_s_and_300_mb(
    db_url, tmp_path
):
    """100,000 junk rows go through the whole employer import (read, check, report) in a
    process of its own."""
    folder = tmp_path / "junk"
    junk_csv(folder / "payroll.csv", 100_000)
    script = """
import json, sys, time
from pathlib import Path
from monitors.reference import load_reference
from service.config import get_settings
from service.db import get_engine
from service.imports.guards import FileLimits
from service.imports.service import run_import

def status(field):
    line = next(l for l in open("/proc/self/status") if l.startswith(field))
    return int(line.split()[1]) / 1024

engine, reference = get_engine(get_settings()), load_reference()
limits = FileLimits.from_settings(upload=True)
open("/proc/self/clear_refs", "w").write("5")
before = status("VmRSS")
started = time.perf_counter()
report = run_import(engine, Path(sys.argv[1]), reference, employer_uscc=sys.argv[2],
                    limits=limits)
print(json.dumps({"ok": report.ok, "problems": len(report.problems),
                  "seconds": time.perf_counter() - started,
                  "growth_mb": status("VmHWM") - before}))
"""
    _, measured = measured_in_child(script, [str(folder), EMPLOYER_A], db_url)
    assert not measured["ok"] and measured["problems"] < 20_000, measured  # not 700,000
    assert measured["seconds"] < MAX_SECONDS, measured
    assert measured["growth_mb"] < MAX_GROWTH_MB, measured
