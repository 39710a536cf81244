"""A complaint form posted with a body over the intake's size limit: the worker gets a page in
the form's language saying the text was too long, with the way back; the API keeps its JSON
413. Over real HTTP, as a phone would send it."""

from collections.abc import Iterator

import httpx

from service.config import Settings
from service.shedding import INTAKE_MAX_BODY_BYTES
from tests.service.portals.live import served

TOO_LONG = "工资" * INTAKE_MAX_BODY_BYTES  # far over the limit, percent-encoded or not


def form(client: httpx.Client, path: str) -> dict[str, str]:
    page = client.get(path)
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return {"csrf_token": token, "county_code": "330302", "description": TOO_LONG}


def test_a_too_long_complaint_form_gets_a_page_in_chinese_by_default(world):
    with served(Settings(database_url=world.db_url)) as base, httpx.Client(base_url=base) as client:
        answer = client.post("/worker/complaint", data=form(client, "/worker/complaint"))
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "填写的内容太长" in answer.text and "返回投诉表" in answer.text
    assert 'href="/worker/complaint?lang=zh-CN"' in answer.text
    assert "TooLarge" not in answer.text and "too long" not in answer.text


def test_a_too_long_complaint_form_in_english_streamed_without_a_length(world):
    def chunks(body: bytes) -> Iterator[bytes]:
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    with served(Settings(database_url=world.db_url)) as base, httpx.Client(base_url=base) as client:
        body = str(httpx.QueryParams(form(client, "/worker/complaint?lang=en"))).encode()
        answer = client.post(
            "/worker/complaint?lang=en",
            content=chunks(body),  # chunked: the limit is found while reading
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert answer.status_code == 413
    assert "What you wrote is too long" in answer.text
    assert 'href="/worker/complaint?lang=en">Back to the complaint form</a>' in answer.text


def test_the_api_keeps_a_json_413(world):
    with served(Settings(database_url=world.db_url)) as base:
        answer = httpx.post(f"{base}/api/complaints", json={"description": TOO_LONG})
    assert answer.status_code == 413
    assert answer.json()["error"] == "TooLarge"
