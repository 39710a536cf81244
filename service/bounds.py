"""Bounds on every value a request carries: ids, counts, money and text.

Declared once here and used in every route signature and request model, so an id of 2^63,
a 5,000-digit count or a 60 KB search text is refused at the edge with a 422 naming the
field, before it reaches the database (SQLite cannot bind an integer above 2^63 - 1; a LIKE
pattern over 50,000 bytes is "too complex"; PostgreSQL's `integer` stops at 2^31 - 1, and
its text refuses the NUL character).
"""

from typing import Annotated

from annotated_types import Ge, Le, MaxLen
from pydantic import AfterValidator, StringConstraints

# Every primary and foreign key is an `integer` column: 32-bit on PostgreSQL.
RECORD_ID_MAX = 2**31 - 1
RECORD_ID_DIGITS = len(str(RECORD_ID_MAX))
# A page number past any real result set, small enough that OFFSET stays in range.
PAGE_MAX = 100_000

# Text lengths, in characters.
SEARCH_MAX_CHARS = 100  # employer and project searches, alert and employer filters
CODE_MAX_CHARS = 64  # codes and enum-like values: county, rule, kind, status, USCC
NAME_MAX_CHARS = 200  # people's and employers' names, usernames, committee names
SECRET_MAX_CHARS = 256  # passwords, tracking codes, PINs: hashing is not free
URL_MAX_CHARS = 2_000  # a local path to return to after sign-in
# What one HTML form field may carry at most. The services check their own, smaller limits
# and answer those beside the field, keeping what was typed; this cap stops the abuse.
FORM_TEXT_MAX_CHARS = 10_000
LIST_MAX_ITEMS = 200  # jurisdictions or subscriptions in one request
# Counts and CNY amounts a form may send as JSON numbers: checked in detail by the service,
# bounded here so that no huge number reaches str() or the database.
COUNT_MAX = 1_000_000
AMOUNT_YUAN_MAX = 9_999_999_999


def _without_nul(text: str) -> str:
    # PostgreSQL refuses NUL in text ("cannot contain NUL (0x00) characters"): a 500 else.
    if "\x00" in text:
        raise ValueError("the text must not contain NUL characters")
    return text


WithoutNul = AfterValidator(_without_nul)
RecordId = Annotated[int, Ge(1), Le(RECORD_ID_MAX)]
PageNumber = Annotated[int, Ge(1), Le(PAGE_MAX)]
SearchText = Annotated[str, MaxLen(SEARCH_MAX_CHARS), WithoutNul]
CodeText = Annotated[str, MaxLen(CODE_MAX_CHARS), WithoutNul]
NameText = Annotated[str, MaxLen(NAME_MAX_CHARS), WithoutNul]
SecretText = Annotated[str, MaxLen(SECRET_MAX_CHARS), WithoutNul]
UrlText = Annotated[str, MaxLen(URL_MAX_CHARS), WithoutNul]
FormText = Annotated[str, MaxLen(FORM_TEXT_MAX_CHARS), WithoutNul]
Count = Annotated[int, Ge(0), Le(COUNT_MAX)]
AmountYuan = Annotated[int, Ge(0), Le(AMOUNT_YUAN_MAX)]
CodeList = Annotated[list[CodeText], MaxLen(LIST_MAX_ITEMS)]
# A case's public reference in handlers' URLs (Complaint.public_reference: "R" and eight
# random characters): random, so a URL tells nobody how many complaints the city receives.
# Checked by shape at the edge like RecordId, so odd input is a 422, never a query.
CASE_REF_PATTERN = r"^R[0-9A-Z]{8}$"
CaseRef = Annotated[str, StringConstraints(min_length=9, max_length=9, pattern=CASE_REF_PATTERN)]


def record_id(text: str) -> int | None:
    """A typed id ("42") as an int; None unless it is ASCII digits within RecordId's range
    (`str.isdigit` also accepts "²", which `int` refuses)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > RECORD_ID_DIGITS:
        return None
    value = int(text)
    return value if 1 <= value <= RECORD_ID_MAX else None
