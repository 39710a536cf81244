"""`--days-ahead` moves the clocks a test reads, and only when asked."""

from datetime import timedelta

import pytest

from service import clock

pytest_plugins = ["pytester"]

CHECK = """
from datetime import date
from service import clock

def test_wenzhou_day():
    assert clock.today() == date.fromisoformat("{day}")
"""


@pytest.mark.parametrize("days", [0, 10])
def test_the_suite_can_run_as_if_days_later(pytester: pytest.Pytester, days: int) -> None:
    pytester.makepyfile(CHECK.format(day=clock.today() + timedelta(days=days)))
    args = ["-p", "tests.days_ahead", "-p", "no:cacheprovider", "-p", "no:asyncio"]
    result = pytester.runpytest_inprocess(*args, *([f"--days-ahead={days}"] if days else []))
    result.assert_outcomes(passed=1)
