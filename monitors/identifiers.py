"""Check digits of Chinese identifiers: unified social credit code and resident identity number.

- USCC (统一社会信用代码, GB 32100-2015): 18 characters from a 31-character alphabet; the 18th is a
  weighted mod-31 check character. Positions 3–8 hold the GB/T 2260 region code, so they must be
  digits; the registration-authority and type characters are only checked against the alphabet.
- Resident identity number (公民身份号码, GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check
  character (0–9 or upper-case X); digits 7–14 are the birth date and must be a real date.
  Lower-case `x` is invalid: the data contract allows only `X`.

The `valid_*` and `mask_*` functions work on whole pandas columns with numpy (no loop per row) so
the importer can check a million rows in a fraction of a second.
"""

import numpy as np
import pandas as pd

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# ISO 7064 MOD 11-2: position i (0-based, left to right) weighs 2^(17-i) mod 11.
ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
ID_CHECK_CHARS = "0123456789X"
CODE_LENGTH = 18
_USCC_REGION = slice(2, 8)
_ID_BIRTH = slice(6, 14)
_EARLIEST_BIRTH_YEAR = 1800  # GB 11643 allows any century; rejects obvious garbage like 0000
_ID_VISIBLE_HEAD, _ID_VISIBLE_TAIL, _MALFORMED_VISIBLE_TAIL = 6, 4, 2
_TEXT_KINDS = ("string", "empty")

_USCC_VALUE = {char: value for value, char in enumerate(USCC_ALPHABET)}
# Byte → alphabet value (or digit value), -1 for every other byte: one table lookup per character.
_USCC_TABLE = np.full(256, -1, dtype=np.int32)
_USCC_TABLE[np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)] = np.arange(31)
_DIGIT_TABLE = np.full(256, -1, dtype=np.int32)
_DIGIT_TABLE[ord("0") : ord("9") + 1] = np.arange(10)
_ID_CHECK_BYTES = np.frombuffer(ID_CHECK_CHARS.encode(), dtype=np.uint8)
_USCC_W = np.array(USCC_WEIGHTS, dtype=np.int32)
_ID_W = np.array(ID_WEIGHTS, dtype=np.int32)
_BIRTH_PLACES = 10 ** np.arange(7, -1, -1, dtype=np.int32)
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)


# --- scalar forms -------------------------------------------------------------------------------


def uscc_check_char(body17: str) -> str:
    """Check character for the first 17 characters of a USCC; ValueError outside the alphabet."""
    if len(body17) != CODE_LENGTH - 1:
        raise ValueError(f"a USCC body has 17 characters, got {len(body17)}")
    try:
        total = sum(_USCC_VALUE[c] * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not in the USCC alphabet") from None
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True for 18 alphabet characters with a numeric region code and the right check char."""
    if not isinstance(code, str) or len(code) != CODE_LENGTH:
        return False
    if not code[_USCC_REGION].isascii() or not code[_USCC_REGION].isdigit():
        return False
    try:
        return uscc_check_char(code[:-1]) == code[-1]
    except ValueError:
        return False


def id_number_check_char(body17: str) -> str:
    """Check character (0–9 or X) for the first 17 digits of a resident identity number."""
    if len(body17) != CODE_LENGTH - 1 or not (body17.isascii() and body17.isdigit()):
        raise ValueError("an identity-number body is 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[(12 - total % 11) % 11]


def is_valid_id_number(code: str) -> bool:
    """True when `code` is 17 digits with a real birth date plus the right check char."""
    if not isinstance(code, str) or len(code) != CODE_LENGTH:
        return False
    body = code[:-1]
    if not (body.isascii() and body.isdigit()):
        return False
    if not _is_real_date(body[_ID_BIRTH]):
        return False
    return id_number_check_char(body) == code[-1]


def mask_id_number(code: str) -> str:
    """`330302********123X` for a valid number; anything else keeps only its last 2 characters."""
    if is_valid_id_number(code):
        hidden = CODE_LENGTH - _ID_VISIBLE_HEAD - _ID_VISIBLE_TAIL
        return code[:_ID_VISIBLE_HEAD] + "*" * hidden + code[-_ID_VISIBLE_TAIL:]
    text = code if isinstance(code, str) else ""
    visible = min(_MALFORMED_VISIBLE_TAIL, len(text))
    return "*" * (len(text) - visible) + text[len(text) - visible :]


def _is_real_date(yyyymmdd: str) -> bool:
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])
    ok = _is_real_date_array(np.array([year]), np.array([month]), np.array([day]))
    return bool(ok[0])


# --- vectorised forms ---------------------------------------------------------------------------


def valid_uscc(codes: pd.Series) -> pd.Series:
    """Vectorised `is_valid_uscc`: a boolean Series on the same index; missing → False."""
    right_length, chars = _fixed_width_bytes(codes)
    values = _USCC_TABLE[chars]
    in_alphabet = (values >= 0).all(axis=1)
    region_numeric = (values[:, _USCC_REGION] <= 9).all(axis=1)
    total = np.maximum(values[:, :-1], 0) @ _USCC_W
    check_ok = values[:, -1] == (31 - total % 31) % 31
    return _scatter(right_length, in_alphabet & region_numeric & check_ok, codes.index)


def valid_id_numbers(codes: pd.Series) -> pd.Series:
    """Vectorised `is_valid_id_number`: a boolean Series on the same index; missing → False."""
    right_length, chars = _fixed_width_bytes(codes)
    digits = _DIGIT_TABLE[chars[:, :-1]]
    body_numeric = (digits >= 0).all(axis=1)
    digits = np.maximum(digits, 0)
    check = (12 - (digits @ _ID_W) % 11) % 11
    expected = _ID_CHECK_BYTES[check]
    birth = digits[:, _ID_BIRTH] @ _BIRTH_PLACES
    real_birth = _is_real_date_array(birth // 10_000, birth // 100 % 100, birth % 100)
    ok = body_numeric & real_birth & (chars[:, -1] == expected)
    return _scatter(right_length, ok, codes.index)


def mask_id_numbers(codes: pd.Series) -> pd.Series:
    """Vectorised `mask_id_number`; missing values stay missing."""
    text = _as_text(codes).reset_index(drop=True)
    valid = valid_id_numbers(codes).to_numpy()
    present = text.notna().to_numpy()
    lengths = text.str.len().to_numpy(dtype=float, na_value=np.nan)
    hidden = "*" * (CODE_LENGTH - _ID_VISIBLE_HEAD - _ID_VISIBLE_TAIL)
    masked = text.str.slice_replace(_ID_VISIBLE_HEAD, CODE_LENGTH - _ID_VISIBLE_TAIL, hidden)
    tails = text.str.slice(start=-_MALFORMED_VISIBLE_TAIL)
    result = masked.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]  # stubs: no object dtype with na_value
    # Malformed values: one concatenation per distinct length (a handful), not one per row.
    for length in np.unique(lengths[present & ~valid]):
        rows = present & ~valid & (lengths == length)
        stars = "*" * max(int(length) - _MALFORMED_VISIBLE_TAIL, 0)
        result[rows] = (stars + tails[rows]).to_numpy(dtype=object)
    return pd.Series(result, index=codes.index, dtype="str")


def _fixed_width_bytes(codes: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(has exactly 18 characters, k×18 uint8 matrix of those k codes) for a column of codes.

    The 18-character values are joined into one byte string (in C) and viewed as a k×18 matrix,
    so no Python code runs per row. A valid code is ASCII; any other character is encoded as `?`,
    which both alphabets reject, so the width stays 18.
    """
    text = _as_text(codes)
    right_length = (text.str.len() == CODE_LENGTH).fillna(False).to_numpy(dtype=bool)
    joined = "".join(text[right_length].tolist()).encode("ascii", errors="replace")
    chars = np.frombuffer(joined, dtype=np.uint8).reshape(-1, CODE_LENGTH)
    return right_length, chars


def _as_text(codes: pd.Series) -> pd.Series:
    """The column as a str Series; cells that are not text (spreadsheet numbers) become NA."""
    if codes.dtype == object and pd.api.types.infer_dtype(codes, skipna=True) not in _TEXT_KINDS:
        # Rare mixed column: only str cells can be identifiers.
        codes = codes.map(lambda v: v if isinstance(v, str) else None)
    return codes.astype("str")


def _scatter(selected: np.ndarray, values: np.ndarray, index: pd.Index) -> pd.Series:
    out = np.zeros(len(selected), dtype=bool)
    out[selected] = values
    return pd.Series(out, index=index)


def _is_real_date_array(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_ok = (month >= 1) & (month <= 12)
    last_day = _DAYS_IN_MONTH[np.where(month_ok, month, 0)] + (leap & (month == 2))
    return (year >= _EARLIEST_BIRTH_YEAR) & month_ok & (day >= 1) & (day <= last_day)
