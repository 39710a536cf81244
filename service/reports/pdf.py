"""Printable PDF from our own HTML: A4, a CJK font, page numbers (WeasyPrint, Pango's layout).

Generic on purpose: the county assessment report and the posters both pass a rendered
template to ``html_to_pdf``. Pango breaks Chinese lines by UAX #14, so closing punctuation
never starts a line and opening punctuation never ends one (避头尾).

System needs (the Makefile's PDF_PACKAGES): Pango, HarfBuzz's subsetter and the Noto CJK
fonts. Without ``libharfbuzz-subset0`` WeasyPrint subsets the 65,000-glyph CJK font with
fontTools, which takes a minute per PDF instead of about a second. Without a CJK font every
Chinese character would print as an empty box, so a missing font is an error, not a PDF.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC")
Language = Literal["zh-CN", "en"]
PAGE_NUMBERS = {
    "zh-CN": '"第 " counter(page) " 页　共 " counter(pages) " 页"',
    "en": '"Page " counter(page) " of " counter(pages)',
}
# 宋体-like serif for running text and 黑体-like sans for headings and tables, as Chinese
# official documents set them; Latin letters and digits come from the same fonts.
PRINT_CSS = """
@page {{
  size: A4 {orientation};
  margin: 20mm 18mm 22mm 18mm;
  @bottom-center {{ content: {page_numbers}; font: 9pt "Noto Sans CJK SC", sans-serif; }}
}}
html {{ font: 10.5pt/1.6 "Noto Serif CJK SC", "Noto Sans CJK SC", serif; }}
h1, h2, h3, th, caption, table {{ font-family: "Noto Sans CJK SC", sans-serif; }}
h1 {{ font-size: 16pt; text-align: center; margin: 0 0 8mm; }}
h2 {{ font-size: 13pt; margin: 6mm 0 3mm; break-after: avoid; }}
p {{ text-align: justify; }}
table {{ width: 100%; border-collapse: collapse; font-size: 9pt; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
th, td {{ border: 0.5pt solid #555; padding: 1.2mm 1.6mm; vertical-align: top; }}
th {{ background: #eee; }}
td.number, th.number {{ text-align: right; font-variant-numeric: tabular-nums; }}
"""


class MissingCJKFont(RuntimeError):
    """No CJK font is installed: the PDF would print every Chinese character as a box."""


def html_to_pdf(html: str, *, lang: Language = "zh-CN", landscape: bool = False) -> bytes:
    """The HTML as an A4 PDF with page numbers ("第 1 页　共 3 页" or "Page 1 of 3").

    The page's own stylesheets (``<link>`` to /static, or ``<style>``: a PDF has no CSP)
    come after ours, so a report may restyle anything. Only /static files and data: URIs are
    fetched; anything else (the network, other files) is refused, so a name in a report can
    never make the renderer read a file or call a server."""
    _require_cjk_font()
    return _rendered(html, lang, landscape)


# The same HTML to the byte gives the same PDF: a poster or report asked for again unchanged is
# served from memory (WeasyPrint takes about a second a PDF; a few MB at most are kept).
@functools.lru_cache(maxsize=16)
def _rendered(html: str, lang: Language, landscape: bool) -> bytes:
    from weasyprint import CSS, HTML  # imported here: loading Pango costs half a second

    css = PRINT_CSS.format(
        orientation="landscape" if landscape else "portrait", page_numbers=PAGE_NUMBERS[lang]
    )
    document = HTML(
        string=html, base_url=f"{STATIC_DIR.as_uri()}/", url_fetcher=_static_only_fetcher()
    )
    return document.write_pdf(stylesheets=[CSS(string=css)])


@functools.cache
def _static_only_fetcher() -> object:
    """A WeasyPrint fetcher limited to data: URIs and files under static/ ("/static/x.css"
    and "x.css" both resolve there)."""
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict | None = None) -> object:
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)
            if parsed.scheme == "file":
                relative = unquote(parsed.path).removeprefix(STATIC_DIR.as_posix()).lstrip("/")
                path = (STATIC_DIR / relative.removeprefix("static/")).resolve()
                if path.is_relative_to(STATIC_DIR) and path.is_file():
                    return super().fetch(path.as_uri(), headers)
            raise ValueError(f"the PDF renderer fetches only /static files and data: URIs: {url}")

    return StaticOnlyFetcher(allowed_protocols=("data", "file"))


def _require_cjk_font() -> None:
    missing = [family for family in CJK_FAMILIES if family not in _installed_families()]
    if missing:
        raise MissingCJKFont(
            f"font(s) {', '.join(missing)} not installed: install the Debian package "
            "fonts-noto-cjk (make pdf-packages)"
        )


@functools.cache
def _installed_families() -> frozenset[str]:
    """Font families fontconfig knows for Chinese (asked once per process)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset()
    listed = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    return frozenset(name.strip() for line in listed.splitlines() for name in line.split(","))
