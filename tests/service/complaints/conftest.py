"""A small world for complaints, on both databases: employers, a project, the committees a
case can be routed to, and the people who handle cases.

Lucheng (330302): employer A (shoes, town 五马街道) with its own enterprise committee, employer
C (garments) without one, the people's committee of 五马街道 and the county's centre.
Ouhai (330304): employer B (construction) and its project, and the county's centre.
Dongtou (330305) has no mediation body on record.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.auth.actors import Actor
from service.auth.models import User, UserScope
from service.auth.passwords import hash_password
from service.auth.service import actor_for
from service.committees.models import MediationCommittee
from service.complaints.form import ComplaintForm
from service.complaints.service import FiledComplaint
from service.db import session_scope
from service.employers.models import Employer
from service.flows.filing import file_complaint
from service.projects.models import Project
from tests.conftest import shared_reference
from tests.factories import uscc

PASSWORD = "correct-horse-battery"
TOWN = "五马街道"
# 2026-10-08 10:00 in Wenzhou: an ordinary working day.
RECEIVED_AT = datetime(2026, 10, 8, 2, 0, tzinfo=UTC)


@dataclass
class Places:
    engine: Engine
    employer_a: int
    employer_b: int
    employer_c: int
    project_b: int
    enterprise_committee: int
    town_committee: int
    lucheng_centre: int
    ouhai_centre: int
    users: dict[str, int]

    def actor(self, session: Session, username: str) -> Actor:
        return actor_for(session, session.get(User, self.users[username]))


def _employers(session: Session) -> tuple[Employer, Employer, Employer]:
    a = Employer(
        uscc=uscc(101),
        name="温州鹿城鞋业有限公司",
        industry_code="1952",
        county_code="330302",
        town=TOWN,
    )
    b = Employer(
        uscc=uscc(102, "330304"),
        name="温州瓯江建设有限公司",
        industry_code="4710",
        county_code="330304",
    )
    c = Employer(
        uscc=uscc(103), name="温州鹿城服装有限公司", industry_code="1811", county_code="330302"
    )
    session.add_all([a, b, c])
    session.flush()
    return a, b, c


def _committees(session: Session, employer_a: int) -> list[MediationCommittee]:
    committees = [
        MediationCommittee(
            code="MC-ENT-A",
            name="鹿城鞋业劳动争议调解委员会",
            kind="enterprise",
            employer_id=employer_a,
            county_code="330302",
        ),
        MediationCommittee(
            code="MC-PEOPLE-WUMA",
            name="五马街道人民调解委员会",
            kind="people",
            county_code="330302",
            town=TOWN,
        ),
        MediationCommittee(
            code="MC-CENTRE-LC",
            name="鹿城区劳动人事争议调解中心",
            kind="county_centre",
            county_code="330302",
        ),
        MediationCommittee(
            code="MC-CENTRE-OH",
            name="瓯海区劳动人事争议调解中心",
            kind="county_centre",
            county_code="330304",
        ),
    ]
    session.add_all(committees)
    session.flush()
    return committees


@cache
def _unusable_hash() -> str:
    return hash_password(PASSWORD)


def _users(session: Session, places: dict[str, int]) -> dict[str, int]:
    specs: list[tuple[str, str, dict[str, Any], list[str]]] = [
        ("admin", "admin", {}, []),
        ("inspector.lucheng", "inspector", {}, ["330302"]),
        ("inspector.ouhai", "inspector", {}, ["330304"]),
        ("inspector.wuma", "inspector", {}, [f"330302/{TOWN}"]),
        ("mediator.enterprise", "mediator", {"committee_id": places["enterprise"]}, []),
        ("mediator.town", "mediator", {"committee_id": places["town"]}, []),
        ("mediator.lucheng", "mediator", {"committee_id": places["lucheng"]}, []),
        ("mediator.ouhai", "mediator", {"committee_id": places["ouhai"]}, []),
        ("employer.a", "employer", {"employer_id": places["employer_a"]}, []),
        ("employer.c", "employer", {"employer_id": places["employer_c"]}, []),
    ]
    users = {}
    for username, role, extra, scopes in specs:
        # Straight rows: these users never sign in here, and argon2 costs 0.4 s per password.
        user = User(
            username=username,
            password_hash=_unusable_hash(),
            role=role,
            display_name=username,
            email=f"{username}@example.cn",
            **extra,
        )
        session.add(user)
        session.flush()
        session.add_all(UserScope(user_id=user.id, jurisdiction_code=code) for code in scopes)
        users[username] = user.id
    return users


@pytest.fixture
def places(engine: Engine) -> Places:
    with session_scope(engine) as session:
        a, b, c = _employers(session)
        project = Project(
            project_code="330304202601010001",
            name="瓯海大道改造工程",
            contractor_id=b.id,
            county_code="330304",
            industry_code="4813",
            contract_value_fen=1_200_000_000,
            contract_signed_date=date(2026, 1, 10),
        )
        session.add(project)
        enterprise, town, lucheng, ouhai = _committees(session, a.id)
        ids = {
            "enterprise": enterprise.id,
            "town": town.id,
            "lucheng": lucheng.id,
            "ouhai": ouhai.id,
            "employer_a": a.id,
            "employer_c": c.id,
        }
        users = _users(session, ids)
        session.flush()
        return Places(
            engine,
            a.id,
            b.id,
            c.id,
            project.id,
            enterprise.id,
            town.id,
            lucheng.id,
            ouhai.id,
            users,
        )


def form(**overrides: Any) -> ComplaintForm:
    """A single worker's wage complaint about employer C in Lucheng, no town given."""
    values: dict[str, Any] = {
        "description": "老板拖欠了我两个月的工资，一直说下个月发。",
        "county_code": "330302",
        "employer_text": "某某鞋厂",
        "period_from": "2026-08",
        "period_to": "2026-09",
        "amount_owed": "12000",
        "workers_affected": "1",
        "phone": "13800000001",
        "worker_name": "张三",
    }
    return ComplaintForm(**(values | overrides))


def file(engine: Engine, received_at: datetime = RECEIVED_AT, **overrides: Any) -> FiledComplaint:
    """File a complaint and commit it, as the complaint page does before showing the code."""
    with session_scope(engine) as session:
        return file_complaint(
            session, form=form(**overrides), received_at=received_at, reference=shared_reference()
        )


@pytest.fixture
def session(places: Places) -> Iterator[Session]:
    """A session for reading and for services under test; committed at the end."""
    with session_scope(places.engine) as session:
        yield session
