"""The inspectors' complaint views and the employer's notices, with their API twins: who sees
which complaint, and the worker's identity only where allowed."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from tests.service.portals._complaints import file, include_routers
from tests.service.portals.conftest import bearer, sign_in

NAME, PHONE, STORY = "张三", "13800000001", "一直说下个月发"


@pytest.fixture
def client(world) -> Iterator[TestClient]:
    app = include_routers(create_app(Settings(database_url=world.db_url)))
    with TestClient(app) as client:
        yield client


def test_the_countys_inspector_sees_the_complaint_with_identity(client, world) -> None:
    case_id = file(world, workers_affected="30").complaint_id
    sign_in(client, "inspector.a")

    listing = client.get("/inspector/complaints")
    assert listing.status_code == 200
    assert f'href="/inspector/complaints/{case_id}"' in listing.text
    assert 'href="/inspector/alerts"' in listing.text
    assert "群体投诉" in listing.text  # 30 workers: a group complaint
    page = client.get(f"/inspector/complaints/{case_id}")
    assert page.status_code == 200
    assert NAME in page.text and PHONE in page.text and STORY in page.text
    assert 'method="post"' not in page.text.split("<main>")[1].split("</main>")[0]
    headers = bearer(client, "inspector.a")
    assert [c["id"] for c in client.get("/api/inspector/complaints", headers=headers).json()] == [
        case_id
    ]
    detail = client.get(f"/api/inspector/complaints/{case_id}", headers=headers).json()
    assert (detail["worker_name"], detail["phone"]) == (NAME, PHONE)


def test_an_inspector_of_another_county_gets_404(client, world) -> None:
    case_id = file(world).complaint_id
    sign_in(client, "inspector.b")

    assert f'href="/inspector/complaints/{case_id}"' not in client.get("/inspector/complaints").text
    assert client.get(f"/inspector/complaints/{case_id}").status_code == 404
    headers = bearer(client, "inspector.b")
    assert client.get("/api/inspector/complaints", headers=headers).json() == []
    missing = client.get(f"/api/inspector/complaints/{case_id}", headers=headers)
    assert (missing.status_code, missing.json()["error"]) == (404, "NotFound")


def test_an_administrator_sees_every_complaint(client, world) -> None:
    case_id = file(world).complaint_id
    headers = bearer(client, "admin")
    assert client.get(f"/api/inspector/complaints/{case_id}", headers=headers).status_code == 200


def test_the_employer_notice_hides_the_identity_unless_disclosed(client, world) -> None:
    hidden = file(world).complaint_id
    sign_in(client, "employer.a")

    page = client.get("/employer/complaints")
    assert page.status_code == 200
    assert f"投诉 {hidden}" in page.text and "五马街道人民调解委员会" in page.text
    assert NAME not in page.text and PHONE not in page.text and STORY not in page.text
    notice = client.get("/api/employer/complaints", headers=bearer(client, "employer.a")).json()
    assert [n["id"] for n in notice] == [hidden]
    assert (notice[0]["worker_name"], notice[0]["phone"], notice[0]["description"]) == (
        None,
        None,
        None,
    )


def test_the_employer_notice_shows_the_identity_when_disclosed(client, world) -> None:
    file(world, disclose_identity="on")
    sign_in(client, "employer.a")

    page = client.get("/employer/complaints?lang=en").text
    assert NAME in page and PHONE in page and STORY in page
    notice = client.get("/api/employer/complaints", headers=bearer(client, "employer.a")).json()
    assert (notice[0]["worker_name"], notice[0]["phone"]) == (NAME, PHONE)


def test_employer_b_sees_nothing_of_employer_as_complaints(client, world) -> None:
    case_id = file(world, disclose_identity="on").complaint_id
    sign_in(client, "employer.b")

    page = client.get("/employer/complaints").text
    assert f"投诉 {case_id}" not in page and NAME not in page
    assert client.get("/api/employer/complaints", headers=bearer(client, "employer.b")).json() == []
    assert (
        client.get("/api/inspector/complaints", headers=bearer(client, "employer.b")).status_code
        == 403
    )
