"""The inspectors' complaint views and the employer's notices, with their API twins: who sees
which complaint, and the worker's identity only where allowed."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from tests.factories import case_reference, complaint_in_world
from tests.service.portals.conftest import bearer, sign_in

NAME, PHONE, STORY = "张三", "13800000001", "一直说下个月发"


@pytest.fixture
def client(world) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=world.db_url))
    with TestClient(app) as client:
        yield client


def test_the_countys_inspector_sees_the_complaint_with_identity(client, world) -> None:
    case_id = complaint_in_world(world, workers_affected="30").complaint_id
    ref = case_reference(world, case_id)
    sign_in(client, "inspector.a")

    listing = client.get("/inspector/complaints")
    assert listing.status_code == 200
    assert f'href="/inspector/complaints/{ref}"' in listing.text
    assert 'href="/inspector/alerts"' in listing.text
    assert "群体投诉" in listing.text  # 30 workers: a group complaint
    page = client.get(f"/inspector/complaints/{ref}")
    assert page.status_code == 200
    assert NAME in page.text and PHONE in page.text and STORY in page.text
    # The mediation is the committee's: an inspector's only forms write to the worker (and,
    # after a failed or overdue mediation, take the case over; this one is in time).
    main = page.text.split("<main>")[1].split("</main>")[0]
    assert re.findall(r'<form method="post" action="([^"]+)"', main) == [
        f"/inspector/complaints/{ref}/messages"
    ]
    headers = bearer(client, "inspector.a")
    listed = client.get("/api/inspector/complaints", headers=headers).json()
    assert [c["reference"] for c in listed] == [ref] and "id" not in listed[0]
    detail = client.get(f"/api/inspector/complaints/{ref}", headers=headers).json()
    assert (detail["worker_name"], detail["phone"]) == (NAME, PHONE)


def test_an_inspector_of_another_county_gets_404(client, world) -> None:
    case_id = complaint_in_world(world).complaint_id
    ref = case_reference(world, case_id)
    sign_in(client, "inspector.b")

    assert f'href="/inspector/complaints/{ref}"' not in client.get("/inspector/complaints").text
    assert client.get(f"/inspector/complaints/{ref}").status_code == 404
    headers = bearer(client, "inspector.b")
    assert client.get("/api/inspector/complaints", headers=headers).json() == []
    missing = client.get(f"/api/inspector/complaints/{ref}", headers=headers)
    assert (missing.status_code, missing.json()["error"]) == (404, "NotFound")


def test_an_administrator_sees_every_complaint(client, world) -> None:
    case_id = complaint_in_world(world).complaint_id
    ref = case_reference(world, case_id)
    headers = bearer(client, "admin")
    assert client.get(f"/api/inspector/complaints/{ref}", headers=headers).status_code == 200


def test_the_employer_notice_hides_the_identity_unless_disclosed(client, world) -> None:
    # Received in a week that has ended: an anonymous complaint is told only then.
    hidden = complaint_in_world(world, days_ago=14).complaint_id
    sign_in(client, "employer.a")

    page = client.get("/employer/complaints")
    assert page.status_code == 200
    notice = client.get("/api/employer/complaints", headers=bearer(client, "employer.a")).json()
    [reference] = [n["reference"] for n in notice]
    assert f"投诉 {reference}" in page.text and "五马街道人民调解委员会" in page.text
    assert f"投诉 {hidden}" not in page.text and "id" not in notice[0]  # not the sequence
    assert NAME not in page.text and PHONE not in page.text and STORY not in page.text
    assert (notice[0]["worker_name"], notice[0]["phone"], notice[0]["description"]) == (
        None,
        None,
        None,
    )


def test_the_employer_notice_shows_the_identity_when_disclosed(client, world) -> None:
    complaint_in_world(world, disclose_identity="on")
    sign_in(client, "employer.a")

    page = client.get("/employer/complaints?lang=en").text
    assert NAME in page and PHONE in page and STORY in page
    notice = client.get("/api/employer/complaints", headers=bearer(client, "employer.a")).json()
    assert (notice[0]["worker_name"], notice[0]["phone"]) == (NAME, PHONE)


def test_employer_b_sees_nothing_of_employer_as_complaints(client, world) -> None:
    complaint_in_world(world, disclose_identity="on")
    sign_in(client, "employer.b")

    page = client.get("/employer/complaints").text
    assert "投诉 R" not in page and NAME not in page
    assert client.get("/api/employer/complaints", headers=bearer(client, "employer.b")).json() == []
    assert (
        client.get("/api/inspector/complaints", headers=bearer(client, "employer.b")).status_code
        == 403
    )
