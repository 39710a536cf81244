"""The one money formatter and the one money parser: integer fen as people read yuan, and
yuan as people type them, never through a float.

Every money field (the worker's complaint, the employer's deposit proof, the mediator's
agreement) reads its text with `parse_fen`. Pages (the Jinja filter `yuan`), e-mails and
exports all call `yuan`; they differ only in the options: pages and e-mails show
"¥12,600.00", the contract's export "12600.00", the worker's rights page "2,490" when the
figure is whole yuan.
"""

import re
import unicodedata
from decimal import Decimal

NO_AMOUNT = "—"
FEN = Decimal("0.01")


def yuan(
    fen: int | None,
    *,
    symbol: bool = True,
    grouped: bool = True,
    drop_zero_cents: bool = False,
    missing: str = NO_AMOUNT,
) -> str:
    """Integer fen as ¥1,234.56 (or without the sign, the separators or whole-yuan cents)."""
    if fen is None:
        return missing
    whole, cents = divmod(abs(int(fen)), 100)
    digits = f"{whole:,}" if grouped else str(whole)
    if cents or not drop_zero_cents:
        digits += f".{cents:02d}"
    return ("-" if fen < 0 else "") + ("¥" if symbol else "") + digits


# --- reading what people type ----------------------------------------------------------------

# Yuan as typed into any money field: "12600", "12,600", "120,000.00", "１２６００" (full-width
# digits from a Chinese keyboard), "¥12,600" or "￥ 12 600 元". Thousands separators must group
# by three, so "12,60" (a decimal comma?) is refused rather than guessed.
_PLAIN = re.compile(r"\d+(?:\.\d{1,2})?")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?")
_SIGNS = ("¥", "元", "RMB", "CNY")
MONEY_MAX_DIGITS = 13  # whole yuan: up to 9,999,999,999,999 (well inside BIGINT fen)


def parse_yuan(value: object) -> Decimal | None:
    """Typed yuan as a Decimal to the fen, or None when it is not an amount ≥ 0 with at most
    two decimals. Never through a float."""
    if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        text = str(value)
    elif isinstance(value, str):
        # NFKC: full-width digits, comma, stop and ￥ become their ASCII forms (￥ → ¥).
        text = unicodedata.normalize("NFKC", value)
    else:
        return None
    text = "".join(text.split())  # spaces anywhere, ideographic and no-break ones too
    text = text.upper()
    for sign in _SIGNS:
        text = text.removeprefix(sign).removesuffix(sign)
    if not (_PLAIN.fullmatch(text) or _GROUPED.fullmatch(text)):
        return None
    text = text.replace(",", "")
    if len(text.split(".")[0].lstrip("0")) > MONEY_MAX_DIGITS:
        return None
    return Decimal(text).quantize(FEN)


def parse_fen(value: object) -> int | None:
    """Typed yuan (see parse_yuan) as integer fen, or None."""
    amount = parse_yuan(value)
    return None if amount is None else int(amount * 100)
