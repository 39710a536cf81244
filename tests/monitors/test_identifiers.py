"""Check digits of the USCC (GB 32100-2015) and the resident identity number (GB 11643-1999)."""

import numpy as np
import pandas as pd
import pytest

from monitors.identifiers import (
    ID_WEIGHTS,
    USCC_ALPHABET,
    id_number_check_char,
    is_valid_id_number,
    is_valid_uscc,
    mask_id_number,
    mask_id_numbers,
    uscc_check_char,
    valid_id_numbers,
    valid_uscc,
)

# Widely published codes (the last two are large Shenzhen companies'), each checked by this
# implementation; 91110000100000589B, also quoted as an example, fails the check and is left out.
VALID_USCC = ["91350100M000100Y43", "914403001922038216", "9144030071526726XG"]
# The example from GB 11643-1999 itself.
VALID_ID = "11010519491231002X"
# 1999-02-30 does not exist; the check char is right, so only the date makes it invalid.
IMPOSSIBLE_BIRTH_ID = "11010519990230002" + id_number_check_char("11010519990230002")

INVALID_USCC = [
    "91350100M000100Y44",  # wrong check char
    "91350100M000100Y4",  # 17 characters
    "91350100M000100Y430",  # 19 characters
    "9135010OM000100Y43",  # letter O is not in the alphabet
    "91350100m000100y43",  # lower case
    "913501A0M000100Y43"[:-1] + uscc_check_char("913501A0M000100Y4"),  # letter in region code
    "",
]
INVALID_ID = [
    "110105194912310021",  # wrong check char
    "11010519491231002x",  # lower-case x: the contract allows only X
    "11010519491231002",  # 17 characters
    "1101051949123100200",  # 19 characters
    "1101051949123100AX",  # letter in the body
    IMPOSSIBLE_BIRTH_ID,
    "",
]


def test_weights_follow_the_mod_11_2_formula_of_the_standard() -> None:
    assert ID_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def test_uscc_alphabet_has_31_characters_without_i_o_z_s_v() -> None:
    assert len(USCC_ALPHABET) == 31
    assert not set("IOZSV") & set(USCC_ALPHABET)


@pytest.mark.parametrize("code", VALID_USCC)
def test_published_uscc_is_valid(code: str) -> None:
    assert is_valid_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", INVALID_USCC)
def test_malformed_uscc_is_invalid(code: str) -> None:
    assert not is_valid_uscc(code)


def test_uscc_check_char_rejects_characters_outside_the_alphabet() -> None:
    with pytest.raises(ValueError):
        uscc_check_char("9135010OM000100Y4")


def test_standard_example_id_number_is_valid() -> None:
    assert is_valid_id_number(VALID_ID)
    assert id_number_check_char(VALID_ID[:17]) == "X"


@pytest.mark.parametrize("code", INVALID_ID)
def test_malformed_id_number_is_invalid(code: str) -> None:
    assert not is_valid_id_number(code)


def test_february_29_is_a_real_birth_date_only_in_leap_years() -> None:
    leap, common = "11010520000229001", "11010519000229001"
    assert is_valid_id_number(leap + id_number_check_char(leap))
    assert not is_valid_id_number(common + id_number_check_char(common))


def test_vectorised_uscc_check_matches_the_scalar_one() -> None:
    codes = pd.Series([*VALID_USCC, *INVALID_USCC, None], index=range(100, 100 + 11))
    expected = [is_valid_uscc(c) for c in codes.fillna("")]
    result = valid_uscc(codes)
    assert result.tolist() == expected
    assert result.index.equals(codes.index)


def test_vectorised_id_check_matches_the_scalar_one() -> None:
    codes = pd.Series([VALID_ID, *INVALID_ID, None])
    assert valid_id_numbers(codes).tolist() == [is_valid_id_number(c) for c in codes.fillna("")]


def test_cells_that_are_not_text_are_invalid() -> None:
    codes = pd.Series([VALID_ID, 110105194912310020, 1.5, None], dtype=object)
    assert valid_id_numbers(codes).tolist() == [True, False, False, False]


def test_non_ascii_characters_are_invalid_without_shifting_other_rows() -> None:
    codes = pd.Series(["9135010０M000100Y43", VALID_USCC[0], "91350100M000100Y4３"])
    assert valid_uscc(codes).tolist() == [False, True, False]


def test_vectorised_checks_agree_with_scalar_ones_on_random_codes() -> None:
    rng = np.random.default_rng(7)
    noisy = np.array(list(USCC_ALPHABET + "IOZ"))
    usccs = ["".join(row) for row in rng.choice(noisy, size=(2_000, 18))]
    region = rng.integers(0, 10, size=(2_000, 6)).astype(str)
    rest = rng.choice(np.array(list(USCC_ALPHABET)), size=(2_000, 11))
    bodies17 = ["".join(r) for r in np.hstack([rest[:, :2], region, rest[:, 2:]])]
    usccs += [body + uscc_check_char(body) for body in bodies17]
    digits = rng.integers(0, 10, size=(2_000, 17)).astype(str)
    bodies = ["".join(row) for row in digits]
    ids = [b + id_number_check_char(b) for b in bodies] + [b + "X" for b in bodies]
    assert valid_uscc(pd.Series(usccs)).tolist() == [is_valid_uscc(c) for c in usccs]
    assert valid_id_numbers(pd.Series(ids)).tolist() == [is_valid_id_number(c) for c in ids]


def test_mask_keeps_region_and_last_four_of_a_valid_number() -> None:
    assert mask_id_number(VALID_ID) == "110105********002X"


@pytest.mark.parametrize(("code", "masked"), [("12345", "***45"), ("ab", "ab"), ("", "")])
def test_mask_hides_all_but_last_two_of_a_malformed_number(code: str, masked: str) -> None:
    assert mask_id_number(code) == masked


def test_vectorised_mask_matches_the_scalar_one_and_keeps_missing() -> None:
    codes = pd.Series([VALID_ID, *INVALID_ID, None], index=[5] * 9)
    result = mask_id_numbers(codes)
    assert result.iloc[:-1].tolist() == [mask_id_number(c) for c in codes.iloc[:-1]]
    assert pd.isna(result.iloc[-1])
    assert result.index.equals(codes.index)


@pytest.mark.serial
@pytest.mark.timeout(30)
def test_a_million_identifiers_are_checked_in_well_under_a_second_each() -> None:
    import time

    codes = pd.Series([VALID_ID, VALID_USCC[0]] * 500_000, dtype="str")
    started = time.perf_counter()
    valid_id_numbers(codes)
    valid_uscc(codes)
    # Generous bound for a shared CI machine; typically ~0.3 s each.
    assert time.perf_counter() - started < 4.0
