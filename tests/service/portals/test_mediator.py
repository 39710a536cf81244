"""The mediator's pages and their API twins: only the committee's cases, accept → session →
close, field errors at 422 in the page's language, a closed case 409."""

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from service.app import create_app
from service.config import Settings
from tests.factories import case_reference, complaint_in_world, other_committee_mediator
from tests.service.portals._complaints import csrf_of
from tests.service.portals.conftest import bearer, sign_in


@pytest.fixture
def client(world) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=world.db_url))
    with TestClient(app) as client:
        yield client


def post(client: TestClient, ref: str, action: str, lang: str = "zh-CN", **data: str):
    token = csrf_of(client, f"/mediator/cases/{ref}?lang={lang}")
    return client.post(
        f"/mediator/cases/{ref}/{action}",
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
    filed = complaint_in_world(world)
    ref = case_reference(world, filed.complaint_id)
    assert filed.committee_id == world.committee
    sign_in(client, "mediator")

    listing = client.get("/mediator")
    assert listing.status_code == 200
    assert f'href="/mediator/cases/{ref}"' in listing.text
    assert "张三" in listing.text and "13800000001" in listing.text
    page = client.get(f"/mediator/cases/{ref}")
    assert page.status_code == 200
    assert "一直说下个月发" in page.text  # the description
    assert "五马街道人民调解委员会" in page.text
    api = client.get("/api/cases", headers=bearer(client, "mediator")).json()
    assert [c["reference"] for c in api] == [ref]
    assert "id" not in api[0]  # the sequential number stays inside


def test_another_committees_mediator_gets_404_and_cannot_act(client, world) -> None:
    filed = complaint_in_world(world)
    ref = case_reference(world, filed.complaint_id)
    other = other_committee_mediator(world)
    sign_in(client, other)

    assert f'href="/mediator/cases/{ref}"' not in client.get("/mediator").text
    assert client.get(f"/mediator/cases/{ref}").status_code == 404
    token = csrf_of(client, "/mediator")
    refused = client.post(
        f"/mediator/cases/{ref}/accept",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert refused.status_code == 404
    headers = bearer(client, other)
    assert client.get("/api/cases", headers=headers).json() == []
    assert client.get(f"/api/cases/{ref}", headers=headers).status_code == 404
    api = client.post(f"/api/cases/{ref}/accept", headers=headers)
    assert (api.status_code, api.json()["error"]) == (404, "NotFound")
    assert status_of(world, filed.complaint_id) == ("received", None)


def test_accept_session_and_close_with_an_agreement(client, world) -> None:
    case_id = complaint_in_world(world).complaint_id
    ref = case_reference(world, case_id)
    sign_in(client, "mediator")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    due = (date.today() + timedelta(days=10)).isoformat()

    accepted = post(client, ref, "accept")
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/mediator/cases/{ref}?done=accepted"
    assert status_of(world, case_id) == ("accepted", None)
    assert post(client, ref, "sessions", held_on=yesterday, note="双方到场").status_code == 303
    closed = post(
        client, ref, "close", outcome="agreement", agreement_amount="10000", payment_due_on=due
    )
    assert closed.status_code == 303
    assert status_of(world, case_id) == ("closed", "agreement")
    page = client.get(f"/mediator/cases/{ref}").text
    assert "双方到场" in page and "¥10,000.00" in page and due in page
    # No more mediation forms on a closed case (messages with the worker go on).
    for action in ("accept", "sessions", "close"):
        assert f'action="/mediator/cases/{case_id}/{action}"' not in page


def test_a_failure_shows_the_arbitration_limit(client, world) -> None:
    case_id = complaint_in_world(world).complaint_id
    ref = case_reference(world, case_id)
    sign_in(client, "mediator")
    post(client, ref, "accept")

    assert post(client, ref, "close", outcome="failure").status_code == 303
    page = client.get(f"/mediator/cases/{ref}?lang=en").text
    with world.engine.connect() as conn:
        deadline = conn.execute(
            text("SELECT arbitration_deadline FROM complaint WHERE id = :i"), {"i": case_id}
        ).scalar_one()
    assert str(deadline) in page
    assert "arbitration" in page and "limitation period" in page


def test_a_withdrawal_through_the_api(client, world) -> None:
    case_id = complaint_in_world(world).complaint_id
    ref = case_reference(world, case_id)
    headers = bearer(client, "mediator")

    assert client.post(f"/api/cases/{ref}/accept", headers=headers).status_code == 200
    held = client.post(
        f"/api/cases/{ref}/sessions",
        headers=headers,
        json={"held_on": date.today().isoformat(), "note": "劳动者表示撤回"},
    )
    assert held.status_code == 201 and len(held.json()["sessions"]) == 1
    closed = client.post(f"/api/cases/{ref}/close", headers=headers, json={"outcome": "withdrawal"})
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "withdrawal")
    again = client.post(f"/api/cases/{ref}/close", headers=headers, json={"outcome": "failure"})
    assert (again.status_code, again.json()["error"]) == (409, "Conflict")


@pytest.mark.parametrize(
    ("lang", "message"), [("zh-CN", "请填写协议金额"), ("en", "Give the agreed amount")]
)
def test_field_errors_re_render_at_422_in_the_pages_language(client, world, lang, message):
    case_id = complaint_in_world(world).complaint_id
    ref = case_reference(world, case_id)
    sign_in(client, "mediator")
    post(client, ref, "accept")

    refused = post(client, ref, "close", lang=lang, outcome="agreement", agreement_amount="x")
    assert refused.status_code == 422
    assert message in refused.text
    assert 'value="x"' in refused.text  # what was typed is kept
    bad_day = post(client, ref, "sessions", lang=lang, held_on="2001-01-01", note="")
    assert bad_day.status_code == 422
    assert status_of(world, case_id) == ("accepted", None)


def test_a_closed_case_is_409(client, world) -> None:
    case_id = complaint_in_world(world).complaint_id
    ref = case_reference(world, case_id)
    sign_in(client, "mediator")
    post(client, ref, "accept")
    post(client, ref, "close", outcome="withdrawal")

    token = csrf_of(client, f"/mediator/cases/{ref}?lang=en")
    refused = client.post(
        f"/mediator/cases/{ref}/accept", data={"csrf_token": token}, follow_redirects=False
    )
    assert refused.status_code == 409
    assert "closed" in refused.text
    assert status_of(world, case_id) == ("closed", "withdrawal")


def test_only_mediators_use_the_mediator_pages(client, world) -> None:
    complaint_in_world(world)
    sign_in(client, "inspector.a")
    assert client.get("/mediator").status_code == 403
    assert client.get("/api/cases", headers=bearer(client, "employer.a")).status_code == 403


def test_case_urls_carry_a_random_reference_and_ids_or_other_references_are_404(client, world):
    first = complaint_in_world(world).complaint_id
    second = complaint_in_world(world).complaint_id
    refs = [case_reference(world, first), case_reference(world, second)]
    assert all(re.fullmatch(r"R[0-9A-Z]{8}", ref) for ref in refs) and refs[0] != refs[1]
    sign_in(client, "mediator")
    listing = client.get("/mediator").text
    assert all(f'href="/mediator/cases/{ref}"' in listing for ref in refs)
    assert f"/mediator/cases/{first}" not in listing
    # the sequential id is no longer a case's name: 422 at the edge, like any malformed id
    assert client.get(f"/mediator/cases/{first}").status_code == 422
    assert client.get(f"/api/cases/{first}", headers=bearer(client, "mediator")).status_code == 422
    assert client.get("/mediator/cases/R" + "2" * 200).status_code == 422

    other = other_committee_mediator(world)
    sign_in(client, other)
    headers = bearer(client, other)
    # Another committee's mediator: 404 for a real reference and for a made-up one alike.
    for ref in (refs[0], "R22222222"):
        assert client.get(f"/mediator/cases/{ref}").status_code == 404
        assert client.get(f"/mediator/cases/{ref}/evidence/1").status_code == 404
        assert client.get(f"/api/cases/{ref}", headers=headers).status_code == 404
