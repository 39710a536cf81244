"""The printable PDF: Chinese text set in a CJK font, A4, page numbers, nothing fetched
from outside static/. Text is read back with pypdf, as a reader would copy it."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from service.reports import pdf
from service.reports.pdf import MissingCJKFont, html_to_pdf

A4_POINTS = (595, 842)
COUNTIES = ("鹿城区", "龙湾区", "瓯海区", "洞头区", "永嘉县", "平阳县", "苍南县", "文成县",
            "泰顺县", "瑞安市", "乐清市", "龙港市")  # fmt: skip


def _assessment_table(rows_per_county: int = 1) -> str:
    rows = "".join(
        f"<tr><td>{name}</td><td class='number'>{90 - index}.5</td><td>保证金覆盖率达标</td></tr>"
        for index, name in enumerate(COUNTIES * rows_per_county)
    )
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>考核</title></head>"
        "<body><h1>温州市各县（市、区）根治欠薪考核报告</h1>"
        "<p>依据《保障农民工工资支付条例》，对各县（市、区）二〇二六年度工作进行考核。</p>"
        "<table><thead><tr><th>县（市、区）</th><th class='number'>得分</th><th>说明</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></body></html>"
    )


def _pages(document: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(document))
    return [page.extract_text() for page in reader.pages]


def _page_size(document: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(document)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def test_a_chinese_table_renders_to_an_a4_pdf_whose_text_reads_back() -> None:
    document = html_to_pdf(_assessment_table())

    assert document.startswith(b"%PDF-")
    assert _page_size(document) == A4_POINTS
    text = "".join(_pages(document))
    assert "温州市各县（市、区）根治欠薪考核报告" in text
    assert "《保障农民工工资支付条例》" in text
    for county in COUNTIES:
        assert county in text
    assert "第 1 页　共 1 页" in text


def test_the_same_html_again_is_served_from_memory_and_other_html_is_rendered() -> None:
    html = _assessment_table(rows_per_county=2)
    rendered = pdf._rendered.cache_info()
    first = html_to_pdf(html)
    again = html_to_pdf(html)
    in_english = html_to_pdf(html, lang="en")
    other = html_to_pdf(html.replace("鹿城区", "鹿城区（新）"))

    after = pdf._rendered.cache_info()
    assert again is first  # not rendered a second time
    assert after.misses - rendered.misses == 3 and after.hits - rendered.hits == 1
    assert "第 1 页" in _pages(first)[0] and "Page 1 of" in _pages(in_english)[0]
    assert "鹿城区（新）" in "".join(_pages(other)) and "鹿城区（新）" not in "".join(_pages(first))


def test_a_long_table_runs_over_pages_each_numbered_and_headed() -> None:
    document = html_to_pdf(_assessment_table(rows_per_county=8), lang="en", landscape=True)

    pages = _pages(document)
    assert len(pages) >= 2
    assert _page_size(document) == A4_POINTS[::-1]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "县（市、区）" in text  # the table's heading row repeats on every page


def test_only_static_files_and_data_uris_are_fetched() -> None:
    fetcher = pdf._static_only_fetcher()

    stylesheet = fetcher.fetch((pdf.STATIC_DIR / "css" / "base.css").as_uri())
    assert stylesheet.status in (None, 200)
    stylesheet.close()
    for refused in (
        "file:///etc/passwd",
        (pdf.STATIC_DIR / ".." / "pyproject.toml").as_uri(),
        "http://127.0.0.1:5432/",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)


def test_a_missing_cjk_font_is_an_error_not_a_pdf_of_empty_boxes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf, "_installed_families", lambda: frozenset({"DejaVu Sans"}))

    with pytest.raises(MissingCJKFont, match="fonts-noto-cjk"):
        html_to_pdf("<p>温州</p>")
