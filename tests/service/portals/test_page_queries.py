"""Every inspector list and file page runs the same few SQL statements however many rows it
shows or skips: no statement per row (N+1), and the pages are cut in SQL (issue 14: pages at
scale). The world grows by a few, then by many employers with risk tiers and alerts, and
contracts, payroll rows and alerts of one employer; each page's statements are counted after
each growth, and a statement per row would show as more the second time."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from service.alerts.models import Alert, MonitorRun
from service.app import create_app
from service.config import Settings
from service.contracts.models import Contract
from service.employers.models import Employer
from service.payroll.models import PayrollEntry
from service.risk import service as risk
from service.risk.models import TIERS
from service.workers.models import Worker
from tests.factories import uscc
from tests.service.portals.test_inspector import add_alerts, signed_in

FEW = 5  # a few rows on each page (an empty page skips its later statements)
MORE = 130  # then more than two pages of 50


def pages(employer_id: int) -> list[str]:
    a, e = "/inspector/alerts", "/inspector/employers"
    last = "page=100000"  # past the end: the last page
    return [
        a,
        f"{a}?status=all&{last}",
        f"{a}?status=all&sort=employer&{last}",
        f"{a}?status=all&sort=amount&county=330302&severity=high",
        f"{a}?q=温州&sort=first_seen",
        e,
        f"{e}?{last}",
        f"{e}?sort=tier",
        f"{e}?sort=tier&{last}",
        f"{e}?tier=red&sort=tier",
        f"{e}?q=温州&{last}",
        f"{e}/{employer_id}",
        f"{e}/{employer_id}/audit",
    ]


def statements_per_page(client, paths: list[str]) -> dict[str, list[str]]:
    engine = client.app.state.engine
    ran: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        ran.append(statement)

    found = {}
    for path in paths:
        assert client.get(path).status_code == 200, path  # warm: caches filled
        ran.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(path).status_code == 200, path
        finally:
            event.remove(engine, "before_cursor_execute", record)
        found[path] = list(ran)
    return found


def add_employers(engine, count: int, first: int) -> None:
    """`count` more employers in Lucheng, each with a current risk tier (one an older one
    too) and three alerts."""
    rows = [
        {
            "uscc": uscc(900_000 + first + i),
            "name": f"温州测试{first + i:04d}有限公司",
            "industry_code": "4700",
            "county_code": "330302",
            "town": "五马街道",
        }
        for i in range(count)
    ]
    with engine.begin() as conn:
        conn.execute(Employer.__table__.insert(), rows)
        ids = conn.scalars(
            select(Employer.id).where(Employer.uscc.in_([r["uscc"] for r in rows]))
        ).all()
        run_id = conn.scalar(select(func.max(MonitorRun.id)))
        tiers = [
            {
                "employer_id": employer,
                "run_id": run_id,
                "as_of": date(2026, 11, 30),
                "tier": TIERS[(i + shift) % len(TIERS)],
                "reasons": [],
            }
            for shift in (1, 0)  # the later row is the current tier
            for i, employer in enumerate(ids)
        ]
        risk.store(conn, tiers, run_id=run_id)
    for employer in ids:
        add_alerts(engine, employer, 3)


def add_more_alerts(engine, employer_id: int, count: int, first: int) -> None:
    """`count` more alerts of the employer, one a month from 1800 + `first` months."""
    rows = [
        {
            "rule": "wages.unpaid",
            "employer_id": employer_id,
            "period": f"{1800 + i // 12}-{i % 12 + 1:02d}",
            "status": "open",
            "severity": ("low", "medium", "high", "critical")[i % 4],
            "subject_count": 1,
            "amount_fen": 1000 * (i + 1),
            "evidence": {},
            "legal_basis_zh": "《劳动法》第五十条",
            "legal_basis_en": "Labour Law, Art. 50",
            "first_seen": date(2020, 1, 1) + timedelta(days=i),
            "last_seen": date(2020, 1, 1) + timedelta(days=i),
        }
        for i in range(first, first + count)
    ]
    with engine.begin() as conn:
        conn.execute(Alert.__table__.insert(), rows)


def add_payroll(engine, employer_id: int, workers: int, first: int) -> None:
    """`workers` more workers of the employer, each with a contract and twelve months' pay."""
    people = [
        {"id_number": f"5101221990{i:08d}", "name": f"工人{i}", "hukou_county_code": "510122"}
        for i in range(first, first + workers)
    ]
    with engine.begin() as conn:
        conn.execute(Worker.__table__.insert(), people)
        ids = conn.scalars(
            select(Worker.id).where(Worker.id_number.in_([p["id_number"] for p in people]))
        ).all()
        start = date(2025, 12, 1)
        conn.execute(
            Contract.__table__.insert(),
            [
                {
                    "employer_id": employer_id,
                    "worker_id": worker,
                    "start_date": start,
                    "signed_date": start,
                    "term_type": "open_ended",
                    "employment_type": "full_time",
                    "monthly_wage_fen": 500_000,
                    "pay_day": 15,
                }
                for worker in ids
            ],
        )
        conn.execute(
            PayrollEntry.__table__.insert(),
            [
                {
                    "employer_id": employer_id,
                    "worker_id": worker,
                    "period": f"{day.year}-{day.month:02d}",
                    "amount_due_fen": 500_000,
                    "amount_paid_fen": 500_000,
                    "paid_date": day + timedelta(days=14),
                }
                for worker in ids
                for day in (date(2025, 12, 1) + timedelta(days=31 * m) for m in range(11))
            ],
        )


@pytest.fixture
def quiet_client(world) -> Iterator[TestClient]:
    """The app without its background work (import jobs, mail, schedule), whose statements
    would be counted with the page's."""
    settings = Settings(
        database_url=world.db_url,
        scheduler_enabled=False,
        import_jobs_enabled=False,
        mail_sender_enabled=False,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_each_page_runs_the_same_statements_however_many_rows(quiet_client, world):
    client = signed_in(quiet_client, "admin")
    paths = pages(world.employer_a)

    def grow(first: int, count: int) -> dict[str, list[str]]:
        add_employers(world.engine, count, first)
        add_payroll(world.engine, world.employer_a, count, first)
        add_more_alerts(world.engine, world.employer_a, count, first)
        return statements_per_page(client, paths)

    few, many = grow(0, FEW), grow(FEW, MORE)
    grown = {p: many[p] for p in paths if len(many[p]) != len(few[p])}
    assert not grown, {p: [" ".join(s.split())[:160] for s in ran] for p, ran in grown.items()}
    for path in paths:
        assert len(many[path]) < 30, (path, many[path])
    lists = [p for p in paths if "?" in p or p.endswith(("alerts", "employers"))]
    for path in lists:
        assert any("LIMIT" in s.upper() for s in many[path]), f"{path} is not cut in SQL"
