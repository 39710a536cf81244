"""A small world for the portals: two counties, their employers, inspectors of each,
an employer user per employer, a mediator and an administrator — on both databases."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.app import create_app
from service.auth.service import create_user
from service.config import Settings
from service.db import session_scope
from service.imports.service import run_import
from service.mediation.models import MediationCommittee
from service.monitoring.jobs import run_monitors
from tests.builders import valid_files, write_folder

PASSWORD = "correct-horse-battery"
AS_OF = date(2026, 11, 30)


@dataclass
class World:
    engine: Engine
    db_url: str
    employer_a: int  # county 330302 (Lucheng)
    employer_b: int  # county 330304 (Ouhai)
    committee: int


def employer_id(engine: Engine, uscc: str) -> int:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(
            text("SELECT id FROM employer WHERE uscc = :u"), {"u": uscc}
        ).scalar_one()


@pytest.fixture
def world(engine, db_url, tmp_path, reference) -> World:
    from tests.builders import EMPLOYER_A, EMPLOYER_B

    assert run_import(engine, write_folder(tmp_path / "world", valid_files()), reference).ok
    run_monitors(engine, reference, as_of=AS_OF)
    a, b = employer_id(engine, EMPLOYER_A), employer_id(engine, EMPLOYER_B)
    with session_scope(engine) as session:
        committee = MediationCommittee(
            code="MC-LC-1",
            name="五马街道人民调解委员会",
            kind="people",
            county_code="330302",
            town="五马街道",
        )
        session.add(committee)
        session.flush()
        users = [
            ("admin", "admin", {}, []),
            ("inspector.a", "inspector", {}, ["330302"]),
            ("inspector.b", "inspector", {}, ["330304"]),
            ("employer.a", "employer", {"employer_id": a}, []),
            ("employer.b", "employer", {"employer_id": b}, []),
            ("mediator", "mediator", {"committee_id": committee.id}, []),
        ]
        for username, role, extra, scopes in users:
            create_user(
                session=session,
                actor=None,
                username=username,
                password=PASSWORD,
                role=role,
                display_name=username,
                scopes=scopes,
                **extra,
            )
        committee_id = committee.id
    return World(engine, db_url, a, b, committee_id)


@pytest.fixture
def app_client(world) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=world.db_url))) as client:
        yield client


def sign_in(client: TestClient, username: str, password: str = PASSWORD):
    """Sign in through the real form (with its CSRF token); returns the response."""
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def bearer(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# The browser fixtures live in one place so a session starts chromium once.
from tests.service.portals.browser import browser, live_server  # noqa: E402

__all__ = ["browser", "live_server"]
