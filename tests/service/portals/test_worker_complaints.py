"""The worker's complaint and tracking pages and their API twins, through real HTTP."""

import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select

from service.complaints import intake
from service.complaints import service as complaints_service
from service.complaints.models import Complaint
from service.db import session_scope
from service.portals import worker_complaints

TOWN = "五马街道"


@pytest.fixture
def client(app_client):
    """The app with the complaint routers, even before the lead registers them."""
    paths = {getattr(route, "path", "") for route in app_client.app.routes}
    if "/worker/complaint" not in paths:
        app_client.app.include_router(worker_complaints.router)
        app_client.app.include_router(worker_complaints.api_router)
    return app_client


def csrf(page) -> str:
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def complaint(world, **changes) -> dict[str, str]:
    values = {
        "county_code": "330302",
        "employer_id": str(world.employer_a),
        "town": TOWN,
        "period_from": "2026-08",
        "period_to": "2026-09",
        "amount_owed": "8500",
        "workers_affected": "3",
        "description": "老板拖欠两个月工资。",
        "phone": "13812345678",
        "kind": "unpaid_wages",
    }
    return {**values, **changes}


def file(client, world, lang: str = "zh-CN", **changes):
    page = client.get(f"/worker/complaint?lang={lang}")
    assert page.status_code == 200
    return client.post(
        "/worker/complaint", data={**complaint(world, **changes), "csrf_token": csrf(page)}
    )


def secrets_of(page) -> tuple[str, str]:
    code = re.search(r'id="tracking-code">(\w+)<', page.text).group(1)
    pin = re.search(r'id="pin">(\d+)<', page.text).group(1)
    return code, pin


def stored(world, code: str) -> Complaint | None:
    with session_scope(world.engine) as session:
        return session.scalar(select(Complaint).where(Complaint.tracking_code == code))


def track(client, code: str, pin: str, lang: str = "zh-CN"):
    page = client.get(f"/worker/track?lang={lang}")
    return client.post(
        "/worker/track", data={"tracking_code": code, "pin": pin, "csrf_token": csrf(page)}
    )


def test_a_complaint_in_chinese_is_stored_before_the_code_is_shown(client, world):
    page = file(client, world)

    assert page.status_code == 200, page.text
    assert "投诉已收到" in page.text and page.headers["cache-control"] == "no-store"
    code, pin = secrets_of(page)
    row = stored(world, code)
    assert row is not None and row.amount_owed_fen == 850_000 and row.workers_affected == 3
    assert row.disclose_identity is False and row.language == "zh-CN"
    assert escape(row.routing_reason_zh) in page.text
    status = track(client, code, pin)
    assert status.status_code == 200 and "投诉进度" in status.text
    assert "五马街道人民调解委员会" in status.text and escape(row.routing_reason_zh) in status.text
    assert "12348" in status.text and "鹿城区法律援助中心" in status.text
    assert pin not in str(status.url)


def test_a_complaint_in_english_shows_english_pages(client, world):
    page = file(client, world, lang="en", employer_id="", employer_text="Some boss")

    assert page.status_code == 200, page.text
    assert "Complaint received" in page.text
    code, pin = secrets_of(page)
    row = stored(world, code)
    assert row.language == "en" and row.employer_text == "Some boss"
    status = track(client, code, pin, lang="en")
    assert "Your case" in status.text and escape(row.routing_reason_en) in status.text
    assert "Legal aid green channel" in status.text


def test_the_disclosure_choice_is_kept_when_given(client, world):
    code, _ = secrets_of(file(client, world, disclose_identity="yes"))
    assert stored(world, code).disclose_identity is True


@pytest.mark.parametrize(
    ("lang", "amount", "future", "missing"),
    [
        ("zh-CN", "金额应为", "不能晚于本月", "请简单说明"),
        ("en", "amount must be", "later than this month", "what happened"),
    ],
)
def test_field_errors_are_in_the_page_language(client, world, lang, amount, future, missing):
    page = file(client, world, lang=lang, amount_owed="lots", period_to="2099-01", description="")

    assert page.status_code == 422
    for name in ("amount_owed", "period_to", "description"):
        assert f'id="error-{name}"' in page.text
    assert 'value="lots"' in page.text and 'value="13812345678"' in page.text  # kept
    errors = " ".join(re.findall(r'class="field-error"[^>]*>([^<]*)<', page.text)).lower()
    for word in (amount, future, missing):
        assert word.lower() in errors, errors
    with session_scope(world.engine) as session:
        assert session.scalar(select(Complaint.id)) is None


def test_a_wrong_pin_and_an_unknown_code_get_the_same_answer(client, world):
    code, pin = secrets_of(file(client, world))
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"

    refused, unknown = track(client, code, wrong), track(client, "WG2222222222", pin)

    assert refused.status_code == unknown.status_code == 403
    assert "查询码或密码不正确" in refused.text and "处理记录" not in refused.text
    assert "五马街道人民调解委员会" not in refused.text
    strip = lambda text: re.sub(r'value="[^"]*"', "", text)  # noqa: E731
    assert strip(refused.text) == strip(unknown.text)


def test_repeated_wrong_pins_delay_the_code_with_the_same_answer_as_a_wrong_pin(client, world):
    code, pin = secrets_of(file(client, world))
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    first = track(client, code, wrong)
    for _ in range(client.app.state.settings.tracking_free_failures):
        assert track(client, code, wrong).status_code == 403

    delayed = track(client, code, pin)  # the right PIN, during the delay

    assert delayed.status_code == 403 and delayed.text == first.text
    assert "五马街道人民调解委员会" not in delayed.text


def test_a_phone_that_opened_the_case_gets_in_while_a_stranger_keeps_the_code_delayed(
    client, world
):
    code, pin = secrets_of(file(client, world))
    assert track(client, code, pin).status_code == 200  # the worker's phone, once
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    with TestClient(client.app) as stranger:  # someone else who holds the code
        for _ in range(client.app.state.settings.tracking_free_failures + 2):
            assert track(stranger, code, wrong).status_code == 403
        assert track(stranger, code, pin).status_code == 403  # delayed, even when right

    assert track(client, code, pin).status_code == 200


def test_the_rate_limit_counts_per_address(client, world, monkeypatch):
    monkeypatch.setattr(intake, "COMPLAINTS_PER_HOUR", 2)
    assert file(client, world).status_code == 200
    assert file(client, world).status_code == 200

    refused = file(client, world, lang="en")

    assert refused.status_code == 429 and "Too many complaints" in refused.text
    api = client.post("/api/complaints", json=complaint(world))
    assert api.status_code == 429


def test_the_employer_and_project_search_without_javascript(client, world):
    page = client.get("/worker/complaint", params={"employer_q": "鞋业", "county_code": "330302"})
    assert page.status_code == 200
    assert f'name="employer_id" value="{world.employer_a}"' in page.text
    assert "温州鹿城鞋业有限公司" in page.text and "温州瓯江建设有限公司" not in page.text

    nothing = client.get("/worker/complaint", params={"employer_q": "不存在的公司"})
    assert "没有找到这个单位" in nothing.text

    projects = client.get(
        "/worker/complaint", params={"project_q": "瓯海", "county_code": "330304"}
    )
    assert "瓯海大道改造工程" in projects.text and 'name="project_id"' in projects.text


def test_a_form_post_without_csrf_is_refused(client, world):
    client.get("/worker/complaint")
    assert client.post("/worker/complaint", data=complaint(world)).status_code == 403


def test_the_api_twins(client, world):
    filed = client.post("/api/complaints", json=complaint(world, language="en"))

    assert filed.status_code == 201, filed.text
    body = filed.json()
    assert stored(world, body["tracking_code"]) is not None
    status = client.post(
        "/api/complaints/status", json={"tracking_code": body["tracking_code"], "pin": body["pin"]}
    )
    assert status.status_code == 200
    assert status.json()["committee_name"] == "五马街道人民调解委员会"
    wrong = client.post(
        "/api/complaints/status", json={"tracking_code": body["tracking_code"], "pin": "x"}
    )
    assert wrong.status_code == 403 and wrong.json()["error"] == "TrackingRefused"
    bad = client.post("/api/complaints", json=complaint(world, amount_owed="lots"))
    assert bad.status_code == 422
    assert set(bad.json()["detail"]["amount_owed"]) == {"zh-CN", "en"}


def test_a_resent_form_files_one_case_and_only_the_last_pin_opens_it(client, world):
    page = client.get("/worker/complaint")
    token = re.search(r'name="submission_token" value="([\w-]+)"', page.text).group(1)
    form = {**complaint(world), "csrf_token": csrf(page), "submission_token": token}

    first_code, first_pin = secrets_of(client.post("/worker/complaint", data=form))
    again_code, again_pin = secrets_of(client.post("/worker/complaint", data=form))

    assert again_code == first_code and again_pin != first_pin
    with session_scope(world.engine) as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 1
    assert track(client, again_code, again_pin).status_code == 200
    assert track(client, first_code, first_pin).status_code == 403


def test_a_form_keeps_its_submission_token_when_it_comes_back_with_errors(client, world):
    page = client.get("/worker/complaint")
    token = re.search(r'name="submission_token" value="([\w-]+)"', page.text).group(1)
    form = {**complaint(world, amount_owed="lots"), "csrf_token": csrf(page)}

    again = client.post("/worker/complaint", data={**form, "submission_token": token})

    assert again.status_code == 422 and f'name="submission_token" value="{token}"' in again.text
    assert token not in client.get("/worker/complaint").text  # a new form, a new submission


def test_a_submission_token_sent_with_other_content_is_refused(client, world):
    page = client.get("/worker/complaint?lang=en")
    token = re.search(r'name="submission_token" value="([\w-]+)"', page.text).group(1)
    form = {**complaint(world), "csrf_token": csrf(page), "submission_token": token}
    assert client.post("/worker/complaint", data=form).status_code == 200

    changed = client.post("/worker/complaint", data={**form, "amount_owed": "9000"})

    assert changed.status_code == 409 and "already sent" in changed.text
    assert 'id="pin"' not in changed.text


def test_an_api_retry_with_the_same_idempotency_key_returns_the_same_case(client, world):
    headers = {"Idempotency-Key": "3f1c9a52-8d4e-4b7a-9c0e-5a2b6d7e8f90"}
    first = client.post("/api/complaints", json=complaint(world), headers=headers)
    retry = client.post("/api/complaints", json=complaint(world), headers=headers)
    other = client.post("/api/complaints", json=complaint(world, amount_owed="1"), headers=headers)
    bad_key = client.post(
        "/api/complaints", json=complaint(world), headers={"Idempotency-Key": "x"}
    )

    assert first.status_code == retry.status_code == 201
    assert retry.json()["tracking_code"] == first.json()["tracking_code"]
    assert retry.json()["pin"] != first.json()["pin"]
    assert other.status_code == 409 and other.json()["error"] == "Conflict"
    assert bad_key.status_code == 422 and "submission_key" in bad_key.json()["detail"]
    with session_scope(world.engine) as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 1
    status = {"tracking_code": first.json()["tracking_code"], "pin": retry.json()["pin"]}
    assert client.post("/api/complaints/status", json=status).status_code == 200


def test_a_tracking_code_already_taken_is_filed_again_with_a_new_one(client, world, monkeypatch):
    # Codes are not looked up before the INSERT (one round trip fewer per complaint): the
    # unique constraint refuses a repeat, and the complaint is filed again with a new code.
    first = client.post("/api/complaints", json=complaint(world)).json()["tracking_code"]
    codes = iter([first, "WG23456789AB"])
    monkeypatch.setattr(complaints_service, "new_tracking_code", lambda: next(codes))

    again = client.post(
        "/api/complaints", json=complaint(world), headers={"Idempotency-Key": "k" * 16}
    )

    assert again.status_code == 201 and again.json()["tracking_code"] == "WG23456789AB"
    with session_scope(world.engine) as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 2


def test_a_complaint_body_beyond_the_intake_bound_is_refused(client, world):
    huge = complaint(world, description="工资" * 40_000)

    assert client.post("/api/complaints", json=huge).status_code == 413
