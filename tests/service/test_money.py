"""One money formatter for pages, e-mails and exports (service/money.py)."""

from decimal import Decimal

import pytest

from service.money import parse_fen, parse_yuan, yuan
from service.notifications.render import ENVIRONMENT
from service.web import templates


def test_fen_read_as_yuan_with_the_sign_and_separators():
    assert yuan(1_260_000) == "¥12,600.00"
    assert yuan(5) == "¥0.05"
    assert yuan(-150) == "-¥1.50"
    assert yuan(None) == "—"


def test_the_exports_and_the_workers_page_use_the_same_formatter_with_options():
    assert yuan(1_260_000, symbol=False, grouped=False) == "12600.00"
    assert yuan(249_000, symbol=False, drop_zero_cents=True) == "2,490"
    assert yuan(249_050, symbol=False, drop_zero_cents=True) == "2,490.50"
    assert yuan(None, missing="") == ""


def test_pages_and_e_mails_share_the_filter():
    assert templates.env.filters["yuan"] is yuan
    assert ENVIRONMENT.filters["yuan"] is yuan


# --- the one parser of every money field ------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("12600", 1_260_000),
        ("12,600", 1_260_000),
        ("120,000.00", 12_000_000),
        ("１２６００", 1_260_000),
        ("１２，６００．５０", 1_260_050),
        ("¥12,600", 1_260_000),
        ("￥12600.5", 1_260_050),
        ("￥ 12 600 元", 1_260_000),
        (" 8500.05 ", 850_005),
        ("0", 0),
        (Decimal("12.34"), 1_234),
        (12600, 1_260_000),
    ],
)
def test_money_is_read_as_people_type_it(typed, fen):
    assert parse_fen(typed) == fen


@pytest.mark.parametrize(
    "typed",
    ["", "abc", "12,60", "1,2345", "12.345", "-5", "1e3", "12.600,00", "¥", "1" * 14, None, 1.5],
)
def test_anything_else_is_not_an_amount(typed):
    assert parse_fen(typed) is None


def test_amounts_are_kept_as_decimal_to_the_fen():
    amount = parse_yuan("120,000.5")
    assert isinstance(amount, Decimal) and amount == Decimal("120000.50")
    assert str(amount) == "120000.50"


def test_every_money_field_reads_with_the_one_parser():
    """The complaint, the deposit proof and the mediator's agreement call service.money."""
    from service.complaints import form
    from service.deposits import service as deposits

    assert form.parse_fen("12,600") == 1_260_000
    assert deposits._parse_fen("120,000.00") == 12_000_000
    assert deposits._parse_fen("0") is None  # a proof of nothing
