"""The mediator's pages and their API twins: only the committee's cases, accept → session →
close, field errors at 422 in the page's language, a closed case 409."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from service.app import create_app
from service.config import Settings
from tests.service.portals._complaints import (
    csrf_of,
    file,
    include_routers,
    other_committee_mediator,
)
from tests.service.portals.conftest import bearer, sign_in


@pytest.fixture
def client(world) -> Iterator[TestClient]:
    app = include_routers(create_app(Settings(database_url=world.db_url)))
    with TestClient(app) as client:
        yield client


def post(client: TestClient, case_id: int, action: str, lang: str = "zh-CN", **data: str):
    token = csrf_of(client, f"/mediator/cases/{case_id}?lang={lang}")
    return client.post(
        f"/mediator/cases/{case_id}/{action}",
        data={**data, "csrf_token": token},
        follow_redirects=False,
    )


def status_of(world, case_id: int) -> tuple:
    with world.engine.connect() as conn:
        return tuple(
            conn.execute(
                text("SELECT status, outcome FROM complaint WHERE id = :i"), {"i": case_id}
            ).one()
        )


def test_the_committee_sees_its_cases_with_identity(client, world) -> None:
    filed = file(world)
    assert filed.committee_id == world.committee
    sign_in(client, "mediator")

    listing = client.get("/mediator")
    assert listing.status_code == 200
    assert f'href="/mediator/cases/{filed.complaint_id}"' in listing.text
    assert "张三" in listing.text and "13800000001" in listing.text
    page = client.get(f"/mediator/cases/{filed.complaint_id}")
    assert page.status_code == 200
    assert "一直说下个月发" in page.text  # the description
    assert "五马街道人民调解委员会" in page.text
    api = client.get("/api/cases", headers=bearer(client, "mediator")).json()
    assert [c["id"] for c in api] == [filed.complaint_id]


def test_another_committees_mediator_gets_404_and_cannot_act(client, world) -> None:
    filed = file(world)
    other = other_committee_mediator(world)
    sign_in(client, other)

    assert f'href="/mediator/cases/{filed.complaint_id}"' not in client.get("/mediator").text
    assert client.get(f"/mediator/cases/{filed.complaint_id}").status_code == 404
    token = csrf_of(client, "/mediator")
    refused = client.post(
        f"/mediator/cases/{filed.complaint_id}/accept",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert refused.status_code == 404
    headers = bearer(client, other)
    assert client.get("/api/cases", headers=headers).json() == []
    assert client.get(f"/api/cases/{filed.complaint_id}", headers=headers).status_code == 404
    api = client.post(f"/api/cases/{filed.complaint_id}/accept", headers=headers)
    assert (api.status_code, api.json()["error"]) == (404, "NotFound")
    assert status_of(world, filed.complaint_id) == ("received", None)


def test_accept_session_and_close_with_an_agreement(client, world) -> None:
    case_id = file(world).complaint_id
    sign_in(client, "mediator")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    due = (date.today() + timedelta(days=10)).isoformat()

    accepted = post(client, case_id, "accept")
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/mediator/cases/{case_id}?done=accepted"
    assert status_of(world, case_id) == ("accepted", None)
    assert post(client, case_id, "sessions", held_on=yesterday, note="双方到场").status_code == 303
    closed = post(
        client, case_id, "close", outcome="agreement", agreement_amount="10000", payment_due_on=due
    )
    assert closed.status_code == 303
    assert status_of(world, case_id) == ("closed", "agreement")
    page = client.get(f"/mediator/cases/{case_id}").text
    assert "双方到场" in page and "¥10,000.00" in page and due in page
    assert 'action="/mediator/cases/' not in page  # no more forms on a closed case


def test_a_failure_shows_the_arbitration_limit(client, world) -> None:
    case_id = file(world).complaint_id
    sign_in(client, "mediator")
    post(client, case_id, "accept")

    assert post(client, case_id, "close", outcome="failure").status_code == 303
    page = client.get(f"/mediator/cases/{case_id}?lang=en").text
    with world.engine.connect() as conn:
        deadline = conn.execute(
            text("SELECT arbitration_deadline FROM complaint WHERE id = :i"), {"i": case_id}
        ).scalar_one()
    assert str(deadline) in page
    assert "arbitration" in page and "limitation period" in page


def test_a_withdrawal_through_the_api(client, world) -> None:
    case_id = file(world).complaint_id
    headers = bearer(client, "mediator")

    assert client.post(f"/api/cases/{case_id}/accept", headers=headers).status_code == 200
    held = client.post(
        f"/api/cases/{case_id}/sessions",
        headers=headers,
        json={"held_on": date.today().isoformat(), "note": "劳动者表示撤回"},
    )
    assert held.status_code == 201 and len(held.json()["sessions"]) == 1
    closed = client.post(
        f"/api/cases/{case_id}/close", headers=headers, json={"outcome": "withdrawal"}
    )
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "withdrawal")
    again = client.post(f"/api/cases/{case_id}/close", headers=headers, json={"outcome": "failure"})
    assert (again.status_code, again.json()["error"]) == (409, "Conflict")


@pytest.mark.parametrize(
    ("lang", "message"), [("zh-CN", "请填写协议金额"), ("en", "Give the agreed amount")]
)
def test_field_errors_re_render_at_422_in_the_pages_language(client, world, lang, message):
    case_id = file(world).complaint_id
    sign_in(client, "mediator")
    post(client, case_id, "accept")

    refused = post(client, case_id, "close", lang=lang, outcome="agreement", agreement_amount="x")
    assert refused.status_code == 422
    assert message in refused.text
    assert 'value="x"' in refused.text  # what was typed is kept
    bad_day = post(client, case_id, "sessions", lang=lang, held_on="2001-01-01", note="")
    assert bad_day.status_code == 422
    assert status_of(world, case_id) == ("accepted", None)


def test_a_closed_case_is_409(client, world) -> None:
    case_id = file(world).complaint_id
    sign_in(client, "mediator")
    post(client, case_id, "accept")
    post(client, case_id, "close", outcome="withdrawal")

    token = csrf_of(client, f"/mediator/cases/{case_id}?lang=en")
    refused = client.post(
        f"/mediator/cases/{case_id}/accept", data={"csrf_token": token}, follow_redirects=False
    )
    assert refused.status_code == 409
    assert "closed" in refused.text
    assert status_of(world, case_id) == ("closed", "withdrawal")


def test_only_mediators_use_the_mediator_pages(client, world) -> None:
    file(world)
    sign_in(client, "inspector.a")
    assert client.get("/mediator").status_code == 403
    assert client.get("/api/cases", headers=bearer(client, "employer.a")).status_code == 403
