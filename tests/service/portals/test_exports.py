"""Exports of the inspector's lists: CSV and XLSX, the page's filters and scope, headings in the
viewer's language, names rather than codes, no formula, and an audit entry each."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from service.audit.models import AuditEntry
from service.db import session_scope
from service.portals.exports import csv_bytes
from tests.factories import EMPLOYER_A, EMPLOYER_B
from tests.service.portals.conftest import sign_in

LISTS = ("alerts", "employers", "complaints", "proofs")
FORMULAS = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.content.startswith("\ufeff".encode())  # Excel reads the Chinese
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_neutralises_every_formula_start():
    rows = list(csv.reader(io.StringIO(csv_bytes(["名称"], [[v] for v in FORMULAS]).decode())))
    cells = [row[0] for row in rows[1:]]
    assert cells == ["'" + v for v in FORMULAS]
    plain = list(csv.reader(io.StringIO(csv_bytes(["金额"], [["-12.50"]]).decode())))
    assert plain[1] == ["-12.50"]  # a plain number is no formula


@pytest.mark.parametrize("listed", LISTS)
def test_every_list_exports_as_csv_and_xlsx(app_client, world, listed):
    sign_in(app_client, "inspector.a")
    rows = _csv(app_client.get(f"/inspector/exports/{listed}?format=csv"))
    assert rows[0][0] == "编号" or rows[0][0] == "风险等级"
    response = app_client.get(f"/inspector/exports/{listed}?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    read_back = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert read_back[0] == rows[0]
    assert len(read_back) == len(rows)


def test_a_county_inspector_exports_only_its_county(app_client, world):
    sign_in(app_client, "inspector.a")
    employers = _csv(app_client.get("/inspector/exports/employers?format=csv"))
    assert employers[0] == [
        "风险等级", "用人单位", "统一社会信用代码", "县（市、区）", "乡镇（街道）", "行业",
        "未消除预警（条）",
    ]  # fmt: skip
    usccs = {row[2] for row in employers[1:]}
    assert usccs == {EMPLOYER_A}
    assert employers[1][3] == "鹿城区"  # names, not codes
    assert not employers[1][5].isdigit()  # the industry's name
    alerts = _csv(app_client.get("/inspector/exports/alerts?format=csv&status=all"))
    assert alerts[1:] and {row[6] for row in alerts[1:]} == {EMPLOYER_A}
    sign_in(app_client, "inspector.b")
    theirs = _csv(app_client.get("/inspector/exports/alerts?format=csv&status=all"))
    assert {row[6] for row in theirs[1:]} <= {EMPLOYER_B}


def test_the_export_keeps_the_page_filters(app_client, world):
    sign_in(app_client, "admin")
    everyone = _csv(app_client.get("/inspector/exports/employers?format=csv"))
    assert {row[2] for row in everyone[1:]} >= {EMPLOYER_A, EMPLOYER_B}
    searched = _csv(app_client.get(f"/inspector/exports/employers?format=csv&q={EMPLOYER_B}"))
    assert [row[2] for row in searched[1:]] == [EMPLOYER_B]


def test_english_headings_with_lang_en(app_client, world):
    sign_in(app_client, "inspector.a")
    rows = _csv(app_client.get("/inspector/exports/alerts?format=csv&lang=en&status=all"))
    assert rows[0][:3] == ["Number", "Alert", "Severity"]
    assert rows[1][2] in {"Critical", "High", "Medium", "Low"}


def test_a_formula_in_a_name_stays_text(app_client, world):
    with world.engine.begin() as conn:
        conn.execute(
            text("UPDATE employer SET name = :n WHERE uscc = :u"),
            {"n": FORMULAS[0], "u": EMPLOYER_A},
        )
    sign_in(app_client, "inspector.a")
    rows = _csv(app_client.get("/inspector/exports/employers?format=csv"))
    assert rows[1][1] == "'" + FORMULAS[0]
    response = app_client.get("/inspector/exports/employers?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet["B2"]
    assert cell.value == FORMULAS[0] and cell.data_type == "s" and cell.quotePrefix


def test_each_export_is_audited_with_its_filters(app_client, world):
    sign_in(app_client, "inspector.a")
    app_client.get("/inspector/exports/alerts?format=xlsx&severity=high")
    with session_scope(world.engine) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "export.alerts"))
        assert entry is not None and entry.actor_label == "inspector:inspector.a"
        assert entry.after["format"] == "xlsx"
        assert entry.after["filters"] == {"severity": "high"}


def test_the_list_pages_link_their_exports(app_client, world):
    sign_in(app_client, "inspector.a")
    page = app_client.get("/inspector/alerts?severity=high")
    assert "/inspector/exports/alerts?severity=high&amp;format=csv" in page.text
    for listed, path in (("employers", "employers"), ("complaints", "complaints"),
                         ("proofs", "proofs")):  # fmt: skip
        assert f"/inspector/exports/{listed}?" in app_client.get(f"/inspector/{path}").text
