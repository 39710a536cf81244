"""Cells that a spreadsheet shows as text, never runs as a formula (CSV injection).

A CSV cell starting with =, +, -, @, a tab or a carriage return is read by Excel, WPS and
LibreOffice as a formula: an employer named `=HYPERLINK("http://…"&A1)` would send an
inspector's export to another site. Per OWASP's advice such a cell gets a leading
apostrophe, which the spreadsheet shows as text. A plain number (-12.50) is no formula and
stays as it is, so numeric columns keep their values.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def safe_cell(value: object) -> object:
    """The value, with a leading apostrophe when a spreadsheet would run it as a formula."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value
