"""Exports of the supervision overview's tables (headline figures, the map's counties, the
places, the twelve months, the highest-risk employers): CSV and XLSX with the page's county
and scope, the same figures as the page, Chinese headings (English with lang=en), no formula,
and an audit entry each."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from service.audit.models import AuditEntry
from service.db import session_scope
from tests.factories import EMPLOYER_A
from tests.service.portals.conftest import bearer, sign_in

LUCHENG, OUHAI, CITY = "330302", "330304", "330300"
TABLES = ("figures", "map", "places", "months", "top")
FORMULA = '=HYPERLINK("http://evil.example")'


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[list[object]]:
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


@pytest.mark.parametrize("table", TABLES)
def test_every_overview_table_exports_as_csv_and_xlsx(app_client, world, table):
    sign_in(app_client, "admin")
    rows = _csv(app_client.get(f"/inspector/exports/overview?table={table}&format=csv"))
    read_back = _xlsx(app_client.get(f"/inspector/exports/overview?table={table}&format=xlsx"))
    assert read_back[0] == rows[0]
    assert len(read_back) == len(rows) > 1


def test_the_places_read_back_from_the_xlsx_are_the_pages_figures(app_client, world):
    view = app_client.get(
        f"/api/overview?county={LUCHENG}", headers=bearer(app_client, "admin")
    ).json()
    sign_in(app_client, "admin")
    sheet = _xlsx(
        app_client.get(f"/inspector/exports/overview?table=places&county={LUCHENG}&format=xlsx")
    )
    headings = sheet[0]
    assert headings[:3] == ["地区", "监测用人单位（家）", "红色风险单位（家）"]
    assert "拖欠工资（元）" in headings and "保证金存储率（%）" in headings
    by_name = {row[0]: dict(zip(headings, row, strict=True)) for row in sheet[1:]}
    assert by_name and set(by_name) == {p["name"] for p in view["places"]}  # the towns, by name
    for place in view["places"]:
        row, figures = by_name[place["name"]], place["figures"]
        assert row["监测用人单位（家）"] == figures["employers"]
        assert row["未消除预警（条）"] == figures["open_alerts"]
        assert Decimal(str(row["涉及金额（元）"])) == _yuan(figures["at_stake_fen"])
        assert row["保证金存储率（%）"] == figures["deposit_coverage_pct"]
    # The headline row is the scope's, summed as the page shows it.
    figures = _xlsx(
        app_client.get(f"/inspector/exports/overview?table=figures&county={LUCHENG}&format=xlsx")
    )
    assert len(figures) == 2 and figures[1][0] == "鹿城区"
    assert figures[1][1] == view["scope"]["figures"]["employers"]
    # Money cells are numbers with the yuan format, not text.
    workbook = load_workbook(
        io.BytesIO(app_client.get("/inspector/exports/overview?table=figures&format=xlsx").content)
    )
    money = workbook.active.cell(row=2, column=headings.index("涉及金额（元）") + 1)
    assert money.data_type == "n" and money.number_format == "#,##0.00"


def test_the_months_and_the_top_employers_read_back(app_client, world):
    view = app_client.get("/api/overview", headers=bearer(app_client, "admin")).json()
    sign_in(app_client, "admin")
    months = _xlsx(app_client.get("/inspector/exports/overview?table=months&format=xlsx"))
    assert months[0][0] == "月份" and len(months) == 13
    assert [row[0] for row in months[1:]] == [m["month"] for m in view["months"]]
    assert [row[1] for row in months[1:]] == [m["alerts_opened"] for m in view["months"]]
    top = _xlsx(app_client.get("/inspector/exports/overview?table=top&format=xlsx"))
    assert top[0] == ["排名", "风险等级", "用人单位", "县（市、区）", "乡镇（街道）",
                      "涉及金额（元）", "未消除预警（条）"]  # fmt: skip
    assert [row[2] for row in top[1:]] == [e["name"] for e in view["top_employers"]]
    assert {row[1] for row in top[1:]} <= {"红色", "橙色", "黄色", "绿色"}  # words, not codes


def test_english_headings_with_lang_en(app_client, world):
    sign_in(app_client, "admin")
    rows = _csv(app_client.get("/inspector/exports/overview?table=places&format=csv&lang=en"))
    assert rows[0][:3] == ["Place", "Employers monitored", "Red-tier employers"]
    assert "Lucheng District" in {row[0] for row in rows[1:]}
    top = _csv(app_client.get("/inspector/exports/overview?table=top&format=csv&lang=en"))
    assert top[0][:3] == ["Rank", "Risk tier", "Employer"]
    assert {row[1] for row in top[1:]} <= {"Red", "Orange", "Yellow", "Green"}


def test_a_formula_in_an_employer_name_stays_text(app_client, world):
    with world.engine.begin() as conn:
        conn.execute(
            text("UPDATE employer SET name = :n WHERE uscc = :u"), {"n": FORMULA, "u": EMPLOYER_A}
        )
    sign_in(app_client, "inspector.a")
    rows = _csv(app_client.get("/inspector/exports/overview?table=top&format=csv"))
    assert "'" + FORMULA in [row[2] for row in rows[1:]]
    assert not any(cell.startswith("=") for row in rows for cell in row)
    workbook = load_workbook(
        io.BytesIO(app_client.get("/inspector/exports/overview?table=top&format=xlsx").content)
    )
    cells = [row[2] for row in workbook.active.iter_rows(min_row=2)]
    cell = next(c for c in cells if c.value == FORMULA)
    assert cell.data_type == "s" and cell.quotePrefix


def test_a_county_inspector_exports_its_county_and_no_other(app_client, world):
    sign_in(app_client, "inspector.a")
    for table in TABLES:
        refused = app_client.get(f"/inspector/exports/overview?table={table}&county={OUHAI}")
        assert refused.status_code == 403
    towns = _csv(app_client.get("/inspector/exports/overview?table=places&format=csv"))
    mine = app_client.get("/api/overview", headers=bearer(app_client, "inspector.a")).json()
    assert [row[0] for row in towns[1:]] == [p["name"] for p in mine["places"]]
    counties = _csv(app_client.get("/inspector/exports/overview?table=map&format=csv"))
    assert [row[0] for row in counties[1:]] == ["鹿城区"]
    figures = _csv(app_client.get("/inspector/exports/overview?table=figures&format=csv"))
    assert figures[1][0] == "鹿城区"
    assert figures[1][1] == str(mine["scope"]["figures"]["employers"])
    sign_in(app_client, "supervisor")  # the supervisor's scope is inspector A's county
    assert app_client.get(f"/inspector/exports/overview?county={OUHAI}").status_code == 403
    theirs = _csv(app_client.get("/inspector/exports/overview?table=map&format=csv"))
    assert [row[0] for row in theirs[1:]] == ["鹿城区"]


def test_each_overview_export_is_audited_with_its_table_and_county(app_client, world):
    sign_in(app_client, "admin")
    app_client.get(f"/inspector/exports/overview?table=places&county={LUCHENG}&format=xlsx")
    with session_scope(world.engine) as session:
        entry = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "export.overview_places")
        )
        assert entry is not None and entry.actor_label == "admin:admin"
        assert entry.after["format"] == "xlsx"
        assert entry.after["filters"] == {"table": "places", "county": LUCHENG}
        assert entry.after["rows"] >= 1


def test_the_overview_links_each_table_to_its_export(app_client, world):
    sign_in(app_client, "admin")
    page = app_client.get(f"/inspector/overview?county={LUCHENG}").text
    for table in TABLES:
        assert (
            f"/inspector/exports/overview?county={LUCHENG}&amp;table={table}&amp;format=xlsx"
            in page
        )
    city = app_client.get("/inspector/overview").text
    assert "/inspector/exports/overview?table=places&amp;format=csv" in city
    sign_in(app_client, "supervisor")
    assert "/inspector/exports/overview?county=" in app_client.get("/inspector/overview").text
