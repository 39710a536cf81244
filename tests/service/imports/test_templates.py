"""Import templates and the import format page: a template per contract file (the column
keys in row 1, Chinese headings in row 2), which imports as it is once filled in, and a
readable page of every file's columns, linked from every import error report."""

import io
import time

import openpyxl
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.imports.columns import describe
from service.imports.service import run_import
from service.imports.spec import FILES
from service.imports.templates import template_xlsx
from tests.factories import valid_files
from tests.service.portals.conftest import sign_in

# The data contract's files and their column keys, v1 and v2 (shared/contract/data-contract.md).
CONTRACT_V2_COLUMNS = {"employers": ("service_office", "liaison_name")}


@pytest.fixture
def client(world, tmp_path) -> TestClient:
    settings = Settings(database_url=world.db_url, upload_dir=tmp_path / "uploads")
    with TestClient(create_app(settings)) as client:
        yield client


def workbook_of(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("spec", FILES, ids=lambda spec: spec.name)
def test_every_import_file_has_a_template_with_keys_and_chinese_headings(spec):
    book = workbook_of(template_xlsx(spec.name))
    data, help_sheet = book.worksheets[0], book.worksheets[1]
    keys = [cell.value for cell in data[1]]
    headings = [cell.value for cell in data[2]]
    assert keys == list(spec.column_names)
    assert headings == [column.heading.zh for column in describe(spec.name).columns]
    # every heading is Chinese, and says something of its own
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in headings)
    assert len(set(headings)) == len(headings)
    for extra in CONTRACT_V2_COLUMNS.get(spec.name, ()):
        assert extra in keys
    described = [row[0].value for row in help_sheet.iter_rows(min_row=2, max_row=len(keys) + 1)]
    assert described == keys


def test_a_filled_in_template_imports_and_its_errors_name_the_rows_a_spreadsheet_shows(
    engine, tmp_path, reference
):
    files = valid_files()
    folder = tmp_path / "filled"
    folder.mkdir()
    for name in ("employers", "workers"):
        book = workbook_of(template_xlsx(name))
        sheet = book.worksheets[0]
        keys = [cell.value for cell in sheet[1]]
        for row in files[name]:
            sheet.append([row.get(key, "") for key in keys])
        book.save(folder / f"{name}.xlsx")
    report = run_import(engine, folder, reference)
    assert report.ok, report.problems.to_dict("records")
    assert {s.file: s.inserted for s in report.summaries} == {
        "employers.xlsx": len(files["employers"]),
        "workers.xlsx": len(files["workers"]),
    }

    # a wrong value on the first data row is reported as row 3, where the spreadsheet shows it
    book = workbook_of(template_xlsx("workers"))
    book.worksheets[0].append(["not-an-id-number", "王五", "", ""])
    bad = tmp_path / "bad"
    bad.mkdir()
    book.save(bad / "workers.xlsx")
    refused = run_import(engine, bad, reference)
    assert not refused.ok
    assert refused.problems[["file", "row", "column"]].values.tolist()[0] == [
        "workers.xlsx",
        3,
        "id_number",
    ]


def test_templates_download_for_everyone_as_xlsx(client):
    response = client.get("/imports/templates/payroll.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="payroll.xlsx"' in response.headers["content-disposition"]
    assert [c.value for c in workbook_of(response.content).worksheets[0][1]][:3] == [
        "employer_uscc",
        "worker_id_number",
        "period",
    ]
    assert client.get("/imports/templates/secrets.xlsx").status_code == 422


def test_the_format_page_describes_every_file_and_column_in_chinese_and_english(client):
    zh = client.get("/imports/format?lang=zh-CN")
    assert zh.status_code == 200
    assert "数据导入格式说明" in zh.text and "应发工资（元）" in zh.text
    en = client.get("/imports/format?lang=en")
    assert "Import file format" in en.text and "Amount due (CNY)" in en.text
    for spec in FILES:
        assert f'href="/imports/templates/{spec.name}.xlsx"' in zh.text
        for column in spec.columns:
            assert f'id="{spec.name}-{column.name}"' in zh.text
    assert zh.text.count("<h1") == 1


def test_every_import_error_report_links_to_the_format_page(client, world):
    sign_in(client, "employer.a")
    page = client.get("/employer/imports")
    assert 'href="/imports/format"' in page.text
    assert 'href="/imports/templates/payroll.xlsx"' in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    bad = b"employer_uscc,worker_id_number,period,amount_due,amount_paid\nX,Y,2026-13,a,b\n"
    sent = client.post(
        "/employer/imports",
        data={"csrf_token": token},
        files={"files": ("payroll.csv", bad, "text/csv")},
        follow_redirects=True,
    )
    assert sent.status_code == 200
    # the background runner finishes the job; the job page then shows the report
    for _ in range(100):
        report = client.get(str(sent.url))
        if "未导入" in report.text:
            break
        time.sleep(0.1)
    assert "未导入" in report.text
    assert 'href="/imports/format"' in report.text
    assert 'href="/imports/format#payroll-period"' in report.text


def test_the_reader_keeps_a_second_row_that_is_not_the_headings(engine, tmp_path, reference):
    """Only the templates' exact heading row is skipped: data in row 2 is read."""
    files = valid_files()
    folder = tmp_path / "plain"
    folder.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    keys = list(files["workers"][0])
    sheet.append(keys)
    for row in files["workers"]:
        sheet.append([row[k] for k in keys])
    book.save(folder / "workers.xlsx")
    report = run_import(engine, folder, reference)
    assert report.ok
    assert report.summaries[0].rows_read == len(files["workers"])
