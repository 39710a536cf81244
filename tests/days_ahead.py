"""`pytest --days-ahead N`: every test as if run N days later, to find the tests that would
fail on a later day (a fixed instant the code compares with the real clock, a deadline that
passes). It moves the test process's clocks only (time-machine): the CLI processes and the
browser a test starts, and PostgreSQL's CURRENT_TIMESTAMP, keep the real time.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--days-ahead",
        type=int,
        default=0,
        help="run every test as if this many days later (the test process's clocks only)",
    )


@pytest.fixture(autouse=True)
def days_ahead(request: pytest.FixtureRequest) -> Iterator[None]:
    days = request.config.getoption("--days-ahead")
    if not days:
        yield
        return
    with time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True):
        yield
