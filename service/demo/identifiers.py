"""Identifiers that pass their check characters: unified social credit codes (GB 32100-2015)
for employers and resident identity numbers (GB 11643-1999) for workers."""

import numpy as np
import pandas as pd

from monitors.identifiers import ID_CHECK_CHARS, ID_WEIGHTS, USCC_ALPHABET, USCC_WEIGHTS
from service.demo.days import date_text


def unique_usccs(rng: np.random.Generator, county_codes: np.ndarray) -> pd.Series:
    """`91` (an enterprise registered by market regulation), the county, an organisation code
    (post-2015 `MA…` form or an older all-digit one), and the check character."""
    codes = _usccs(rng, county_codes)
    while True:  # redraw the (rare) duplicates; deterministic for a seed
        duplicated = codes.duplicated(keep="first").to_numpy()
        if not duplicated.any():
            return codes
        codes[duplicated] = _usccs(rng, county_codes[duplicated]).to_numpy()


def _usccs(rng: np.random.Generator, county_codes: np.ndarray) -> pd.Series:
    n = len(county_codes)
    alphabet = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
    region = np.frombuffer("".join(county_codes).encode(), dtype=np.uint8).reshape(n, 6)
    digits = alphabet[rng.integers(0, 10, (n, 9))]
    new_style = alphabet[rng.integers(0, len(alphabet), (n, 9))]
    new_style[:, :2] = np.frombuffer(b"MA", dtype=np.uint8)
    organisation = np.where((rng.random(n) < 0.6)[:, None], new_style, digits)
    head = np.broadcast_to(np.frombuffer(b"91", dtype=np.uint8), (n, 2))
    body = np.hstack([head, region, organisation])
    value = np.searchsorted(alphabet, body)  # the alphabet is in byte order
    total = value @ np.array(USCC_WEIGHTS)
    check = alphabet[(31 - total % 31) % 31]
    return _fixed_width_text(np.hstack([body, check[:, None]]))


def unique_id_numbers(
    rng: np.random.Generator, hukou: np.ndarray, birth: np.ndarray, female: np.ndarray
) -> np.ndarray:
    """Region (hukou county), birth date, a sequence number unique within that pair — odd for
    men, even for women — and the check character."""
    n = len(hukou)
    keys = pd.DataFrame({"hukou": hukou, "birth": birth})
    group = keys.groupby(["hukou", "birth"], sort=False).ngroup().to_numpy()
    rank = keys.groupby(["hukou", "birth"], sort=False).cumcount().to_numpy()
    group_offset = rng.integers(0, 400, group.max() + 1 if n else 0) * 2
    sequence = group_offset[group] + 2 * rank + np.where(female, 0, 1)
    if (sequence > 999).any():
        raise ValueError("too many people share a birth date and county")
    birth_text = date_text(birth).str.replace("-", "").to_numpy()
    body_text = (
        pd.Series(hukou, dtype="str")
        + pd.Series(birth_text, dtype="str")
        + pd.Series(sequence).astype("str").str.zfill(3)
    )
    body = np.frombuffer("".join(body_text).encode(), dtype=np.uint8).reshape(n, 17)
    total = (body - ord("0")).astype(np.int64) @ np.array(ID_WEIGHTS)
    check = np.frombuffer(ID_CHECK_CHARS.encode(), dtype=np.uint8)[(12 - total % 11) % 11]
    return _fixed_width_text(np.hstack([body, check[:, None]])).to_numpy()


def _fixed_width_text(chars: np.ndarray) -> pd.Series:
    width = chars.shape[1]
    joined = np.ascontiguousarray(chars, dtype=np.uint8).tobytes()
    return pd.Series(np.frombuffer(joined, dtype=f"S{width}").astype(f"U{width}"), dtype="str")
