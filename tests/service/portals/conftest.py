"""A small world for the portals: two counties, their employers, inspectors of each,
an employer user per employer, a mediator and an administrator — on both databases."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.app import create_app
from service.config import Settings
from tests.conftest import Seed
from tests.factories import (
    AS_OF,
    EMPLOYER_A,
    EMPLOYER_B,
    PASSWORD,
    build_world,
    committee_id,
    employer_id,
)

__all__ = ["AS_OF", "PASSWORD"]  # imported from here by the portal tests


@dataclass
class World:
    engine: Engine
    db_url: str
    employer_a: int  # county 330302 (Lucheng)
    employer_b: int  # county 330304 (Ouhai)
    committee: int


@pytest.fixture(scope="session")
def database_seed() -> Seed:
    """Asked for by `world`: its tests' databases are copies of one world per database."""
    return Seed("portal-world", build_world)


# Every copy of a seed holds the same rows: their ids, per database kind and seed.
_WORLD_IDS: dict[tuple[str, str], tuple[int, int, int]] = {}


@pytest.fixture
def world(engine: Engine, db_url: str, database_seed: Seed) -> World:
    key = (engine.dialect.name, database_seed.name)
    if key not in _WORLD_IDS:
        a, b = employer_id(engine, EMPLOYER_A), employer_id(engine, EMPLOYER_B)
        _WORLD_IDS[key] = (a, b, committee_id(engine))
    return World(engine, db_url, *_WORLD_IDS[key])


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


def signed_in(client: TestClient, username: str) -> TestClient:
    """The client, signed in as the user through the form."""
    assert sign_in(client, username).status_code == 303
    return client


def csrf_cookie(client: TestClient) -> dict[str, str]:
    """The form token of the signed-in client's cookie, as a form field."""
    return {"csrf_token": client.cookies["wg_csrf"]}


def visible_text(html: str) -> str:
    """What a reader sees: no tags, attributes, or the head."""
    body = html.split("<body", 1)[1]
    return re.sub(r"<[^>]+>", " ", body)


def bearer(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
