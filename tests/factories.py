"""The test data builders, in one place: small, valid, explicit; tests override what they test.

Contract files (`valid_files`, `write_folder`), the portals' world built from them
(`build_world`), complaints filed into that world, and the demo city (`demo_files` and the
seeds built from it).
"""

import atexit
import csv
import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from monitors.identifiers import id_number_check_char, uscc_check_char
from monitors.reference import Reference, load_reference
from service.auth.service import create_user
from service.committees.models import MediationCommittee
from service.complaints.form import ComplaintForm
from service.complaints.service import FiledComplaint
from service.db import session_scope
from service.demo import DemoManifest, generate_demo
from service.demo.complaints import create_demo_complaints
from service.demo.users import create_demo_users
from service.employers.models import Employer
from service.flows.filing import file_complaint
from service.flows.monitor_runs import run_monitors
from service.imports.service import run_import
from service.legal_aid.service import ApplicationForm


def uscc(n: int, region: str = "330302") -> str:
    """A valid unified social credit code; n makes it unique."""
    body = f"91{region}MA{n:07d}"[:17]
    return body + uscc_check_char(body)


def id_number(n: int, region: str = "510122", birth: str = "19900101") -> str:
    """A valid resident identity number; n makes it unique."""
    body = f"{region}{birth}{n:03d}"
    return body + id_number_check_char(body)


EMPLOYER_A, EMPLOYER_B = uscc(1), uscc(2)
WORKER_1, WORKER_2, WORKER_3 = id_number(1), id_number(2), id_number(3)
PROJECT = "330302202401010001"


def valid_files() -> dict[str, list[dict[str, str]]]:
    """One consistent import: two employers, three workers, one project."""
    return {
        "employers": [
            {
                "uscc": EMPLOYER_A,
                "name": "温州鹿城鞋业有限公司",
                "industry_code": "1952",
                "county_code": "330302",
                "town": "双屿街道",
                "leased_premises": "true",
                "contact_email": "hr@shoes.example.cn",
            },
            {
                "uscc": EMPLOYER_B,
                "name": "温州瓯江建设有限公司",
                "industry_code": "4710",
                "county_code": "330304",
                "town": "",
                "leased_premises": "false",
                "contact_email": "",
            },
        ],
        "workers": [
            {
                "id_number": WORKER_1,
                "name": "张三",
                "phone": "13800000001",
                "hukou_county_code": "510122",
            },
            {"id_number": WORKER_2, "name": "李四", "phone": "", "hukou_county_code": ""},
            {"id_number": WORKER_3, "name": "王五", "phone": "", "hukou_county_code": "520102"},
        ],
        "projects": [
            {
                "project_code": PROJECT,
                "name": "瓯海大道改造工程",
                "contractor_uscc": EMPLOYER_B,
                "county_code": "330304",
                "industry_code": "4813",
                "contract_value": "12000000.00",
                "contract_signed_date": "2026-01-10",
                "permit_date": "2026-02-01",
                "completion_date": "",
            },
        ],
        "contracts": [
            {
                "employer_uscc": EMPLOYER_A,
                "worker_id_number": WORKER_1,
                "start_date": "2026-01-05",
                "signed_date": "2026-01-05",
                "term_type": "fixed",
                "end_date": "2028-01-04",
                "employment_type": "full_time",
                "probation_end": "2026-03-04",
                "monthly_wage": "5200",
                "hourly_wage": "",
                "probation_wage": "4200.50",
                "pay_day": "10",
                "left_date": "",
                "project_code": "",
            },
            {
                "employer_uscc": EMPLOYER_B,
                "worker_id_number": WORKER_2,
                "start_date": "2026-02-10",
                "signed_date": "2026-02-10",
                "term_type": "task",
                "end_date": "",
                "employment_type": "",
                "probation_end": "",
                "monthly_wage": "6800",
                "hourly_wage": "",
                "probation_wage": "",
                "pay_day": "31",
                "left_date": "",
                "project_code": PROJECT,
            },
        ],
        "payroll": [
            {
                "employer_uscc": EMPLOYER_A,
                "worker_id_number": WORKER_1,
                "period": "2026-01",
                "amount_due": "5200.00",
                "amount_paid": "5200.00",
                "paid_date": "2026-02-10",
                "hours_worked": "168",
            },
            {
                "employer_uscc": EMPLOYER_B,
                "worker_id_number": WORKER_2,
                "period": "2026-02",
                "amount_due": "6800",
                "amount_paid": "3400",
                "paid_date": "2026-03-31",
                "hours_worked": "",
            },
        ],
        "deposit_events": [
            {
                "employer_uscc": EMPLOYER_B,
                "project_code": PROJECT,
                "event": "deposit",
                "date": "2026-02-20",
                "amount": "240000",
                "reference": "BOC-2026-0001",
                "expiry_date": "",
            },
            {
                "employer_uscc": EMPLOYER_A,
                "project_code": "",
                "event": "guarantee",
                "date": "2026-01-20",
                "amount": "50000",
                "reference": "ICBC-BH-77",
                "expiry_date": "2027-01-19",
            },
        ],
        "insurance": [
            {
                "employer_uscc": EMPLOYER_A,
                "worker_id_number": WORKER_1,
                "project_code": "",
                "start_date": "2026-01-05",
                "end_date": "",
            },
            {
                "employer_uscc": EMPLOYER_B,
                "worker_id_number": "",
                "project_code": PROJECT,
                "start_date": "2026-02-01",
                "end_date": "",
            },
        ],
    }


def monthly_payroll(months: int) -> list[dict[str, str]]:
    """One worker's payroll month after month from 2001: whole and decimal amounts, unpaid
    months, gaps in the paid date and hours — every kind of value a payroll row holds."""
    rows = []
    for n in range(months):
        year, month = 2001 + n // 12, 1 + n % 12
        rows.append(
            {
                "employer_uscc": EMPLOYER_A,
                "worker_id_number": WORKER_1,
                "period": f"{year}-{month:02d}",
                "amount_due": f"{5000 + n}.{n % 100:02d}",
                "amount_paid": "0" if n % 7 == 0 else f"{4000 + n}",
                "paid_date": "" if n % 5 == 0 else f"{year}-{month:02d}-1{n % 10}",
                "hours_worked": "" if n % 3 == 0 else f"{160 + n % 20}.5",
            }
        )
    return rows


def write_csv(
    folder: Path,
    name: str,
    rows: list[dict[str, str]],
    *,
    bom: bool = False,
    header: list[str] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    header = header or list(rows[0])
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
    return path


def write_folder(folder: Path, files: dict[str, list[dict[str, str]]] | None = None) -> Path:
    for name, rows in (files or valid_files()).items():
        write_csv(folder, name, rows)
    return folder


# A password that passes the strength rule (12+ characters, zxcvbn score ≥ 3), for tests that
# create users.
STRONG_PASSWORD = "quiet-harbour-lantern-84"


# --- the portals' world: two counties, their employers, inspectors of each, an employer user
# per employer, a mediator and an administrator ------------------------------------------------
PASSWORD = "correct-horse-battery"
AS_OF = date(2026, 11, 30)
COMMITTEE = "MC-LC-1"
TOWN = "五马街道"  # the world's committee is this town's people's mediation committee
# username, role, scopes: employer users get their employer, the mediator the committee.
WORLD_USERS = [
    ("admin", "admin", []),
    ("inspector.a", "inspector", ["330302"]),
    ("inspector.b", "inspector", ["330304"]),
    ("supervisor", "supervisor", ["330302"]),
    ("employer.a", "employer", []),
    ("employer.b", "employer", []),
    ("mediator", "mediator", []),
    # The legal-aid centres of Lucheng and Ouhai; Longwan's (330303) has no account.
    ("legal_aid.a", "legal_aid", ["330302"]),
    ("legal_aid.b", "legal_aid", ["330304"]),
]


def build_world(engine: Engine, folder: Path, reference: Reference) -> None:
    """The valid import, a monitors run as of AS_OF, a committee in Lucheng and the users."""
    assert run_import(engine, write_folder(folder), reference).ok
    run_monitors(engine, reference, as_of=AS_OF)
    employers = {
        "employer.a": employer_id(engine, EMPLOYER_A),
        "employer.b": employer_id(engine, EMPLOYER_B),
    }
    with session_scope(engine) as session:
        committee = MediationCommittee(
            code=COMMITTEE,
            name="五马街道人民调解委员会",
            kind="people",
            county_code="330302",
            town=TOWN,
        )
        session.add(committee)
        session.flush()
        links = {name: {"employer_id": id_} for name, id_ in employers.items()}
        links["mediator"] = {"committee_id": committee.id}
        for username, role, scopes in WORLD_USERS:
            create_user(
                session=session,
                actor=None,
                username=username,
                password=PASSWORD,
                role=role,
                display_name=username,
                scopes=scopes,
                **links.get(username, {}),
            )


def employer_id(engine: Engine, uscc: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Employer.id).where(Employer.uscc == uscc)).scalar_one()


def committee_id(engine: Engine, code: str = COMMITTEE) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(MediationCommittee.id).where(MediationCommittee.code == code)
        ).scalar_one()


def complaint_in_world(world: Any, *, days_ago: int = 3, **overrides: Any) -> FiledComplaint:
    """A wage complaint about employer A in Lucheng's 五马街道, received `days_ago` days ago."""
    values: dict[str, Any] = {
        "description": "老板拖欠了我两个月的工资，一直说下个月发。",
        "county_code": "330302",
        "town": TOWN,
        "employer_id": world.employer_a,
        "period_from": "2026-08",
        "period_to": "2026-09",
        "amount_owed": "12000",
        "workers_affected": "1",
        "phone": "13800000001",
        "worker_name": "张三",
    }
    received_at = datetime.now(UTC) - timedelta(days=days_ago)
    with session_scope(world.engine) as session:
        return file_complaint(
            session,
            form=ComplaintForm(**(values | overrides)),
            received_at=received_at,
            reference=load_reference(),  # cached: the repository's data/
        )


def case_reference(world: Any, complaint_id: int) -> str:
    """The random reference that names a case in handlers' URLs (never its sequential id);
    `world` is anything with the database's `engine` (the world, or an app's state)."""
    with world.engine.connect() as conn:
        return conn.execute(
            text("SELECT public_reference FROM complaint WHERE id = :i"), {"i": complaint_id}
        ).scalar_one()


def other_committee_mediator(world: Any) -> str:
    """A mediator of a second committee (Ouhai), to check that cases stay within committees."""
    with session_scope(world.engine) as session:
        committee = MediationCommittee(
            code="MC-OH-1", name="瓯海区调解中心", kind="county_centre", county_code="330304"
        )
        session.add(committee)
        session.flush()
        create_user(
            session=session,
            actor=None,
            username="mediator.other",
            password=PASSWORD,
            role="mediator",
            display_name="mediator.other",
            committee_id=committee.id,
        )
    return "mediator.other"


# --- the demo city as of AS_OF ---------------------------------------------------------------


@cache
def demo_files() -> DemoManifest:
    """The demo's files as of AS_OF, generated once per test process: the demo derives from its
    seed alone, so every generation gives the same files. Tests read them, never write them."""
    folder = Path(tempfile.mkdtemp(prefix="wageguard-demo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return generate_demo(folder / "demo", as_of=AS_OF)


def import_demo(engine: Engine, reference: Reference, *, users: bool = False) -> None:
    """The demo's files imported, its complaints filed and, if asked, its users created: all
    three are what `wageguard demo` does (service/cli.py)."""
    assert run_import(engine, demo_files().out_dir, reference).ok
    with session_scope(engine) as session:
        create_demo_complaints(session, reference=reference, as_of=AS_OF, seed=2026, scale=1)
    if users:
        with session_scope(engine) as session:
            create_demo_users(session)


def build_demo_with_complaints(engine: Engine, folder: Path, reference: Reference) -> None:
    """Seed builder: the demo city with its complaints, before any monitors run."""
    import_demo(engine, reference)


def build_demo_city(engine: Engine, folder: Path, reference: Reference) -> None:
    """Seed builder: the demo imported, its complaints filed, and a whole-city run as of the
    demo day."""
    import_demo(engine, reference)
    assert run_monitors(engine, reference, as_of=AS_OF).evaluated is None


def valid_id_number(body17: str = "33030219900101123") -> str:
    """An identity number whose check character is right (GB 11643)."""
    return body17 + id_number_check_char(body17)


def legal_aid_form(**overrides: Any) -> ApplicationForm:
    """A wage-arrears application in Lucheng, exempt from the hardship check (Art. 42)."""
    values: dict[str, Any] = {
        "applicant_name": "李四",
        "phone": "13900000002",
        "id_number": valid_id_number(),
        "county_code": "330302",
        "matter": "unpaid_wages",
        "amount": "8000",
        "employer_text": "某某鞋业有限公司",
        "account": "干了三个月没拿到工资，老板不接电话。",
    }
    return ApplicationForm(**(values | overrides))


def analysed_tables(engine: Engine) -> set[str]:
    """The tables the planner has statistics for (ANALYZE has run on them)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT DISTINCT tbl FROM sqlite_stat1"
        else:
            query = "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
        return set(conn.exec_driver_sql(query).scalars())


def vacuum_counts(engine: Engine) -> dict[str, int]:
    """How many times each table was vacuumed (PostgreSQL)."""
    with engine.connect() as conn:
        query = "SELECT relname, vacuum_count FROM pg_stat_user_tables"
        return {name: count for name, count in conn.exec_driver_sql(query).all()}
