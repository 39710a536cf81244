"""Odd input is refused at the edge with a 422 naming the field, never a 500.

Ids past any row (2^63 broke SQLite's binding; 2^31 is past PostgreSQL's `integer`), a
5,000-digit count, a 60 KB search: every route of the route table, as a caller it admits.
"""

import re

import pytest

from service.bounds import RECORD_ID_MAX, SEARCH_MAX_CHARS
from tests.service.portals.conftest import sign_in
from tests.service.portals.test_permissions import DECISIONS, ROLE, _caller

HUGE_IDS = (str(2**63), str(2**64), str(RECORD_ID_MAX + 1), "9" * 5000, "0", "-1")
ID_IN_PATH = re.compile(r"\{(\w+)\}")


def _admitted(template: str) -> str:
    """A caller the route lets through: anonymous when open, else a role it allows."""
    allowed = DECISIONS[next(k for k in DECISIONS if k[1] == template)].allowed
    if "everyone" in allowed:
        return "anonymous"
    return next(actor for actor, role in ROLE.items() if role in allowed)


# Random keys in a path are not record ids: an unknown one is simply not found (404).
KEYS_NOT_IDS = ("{job_key}",)


def _routes_with_ids() -> list[tuple[str, str]]:
    return sorted(
        (method, path)
        for method, path in DECISIONS
        if ID_IN_PATH.search(path) and not any(key in path for key in KEYS_NOT_IDS)
    )


def test_ids_past_any_row_get_422_naming_the_field_on_every_route(app_client, world):
    routes = _routes_with_ids()
    assert len(routes) >= 30
    callers = {actor: _caller(app_client, actor) for actor in {"anonymous", *ROLE}}
    wrong = []
    for method, template in routes:
        field = ID_IN_PATH.search(template).group(1).replace("decided_", "")
        api = template.startswith("/api/")
        headers = dict(callers[_admitted(template)])
        if api:
            headers.pop("cookie")
        else:
            headers.pop("authorization", None)
        for value in HUGE_IDS:
            path = ID_IN_PATH.sub(value, template)
            data = None if api else {"csrf_token": headers["x-csrf"]}
            response = app_client.request(
                method, path, headers=headers, data=data, follow_redirects=False
            )
            app_client.cookies.clear()
            named = (
                field in [problem["field"] for problem in response.json()["detail"]]
                if api and response.status_code == 422
                else response.status_code == 422
            )
            if not named:
                wrong.append(f"{method} {template} with {value[:20]}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_a_page_names_the_refused_id_in_its_language(app_client, world):
    sign_in(app_client, "inspector.a")
    chinese = app_client.get(f"/inspector/alerts/{2**63}")
    assert chinese.status_code == 422
    assert "预警编号: 不能大于 2147483647。" in chinese.text
    english = app_client.get(f"/inspector/alerts/{2**63}?lang=en")
    assert english.status_code == 422
    assert "Alert number: at most 2147483647." in english.text


@pytest.mark.parametrize("employer_id", [2**63, str(2**63), 2**31, "99999999999"])
def test_an_anonymous_complaint_naming_an_employer_past_any_row_is_refused(
    app_client, world, employer_id
):
    response = app_client.post(
        "/api/complaints",
        json={
            "employer_id": employer_id,
            "county_code": "330302",
            "description": "三个月没发工资",
            "period_from": "2026-08",
            "amount_owed": "3000",
        },
    )
    assert response.status_code == 422
    fields = response.json()["detail"]
    named = fields.keys() if isinstance(fields, dict) else [f["field"] for f in fields]
    assert {"employer", "employer_id"} & set(named), fields


@pytest.mark.parametrize("workers", ["9" * 5000, 10**30, "１" * 40])
def test_a_headcount_of_thousands_of_digits_is_refused_by_the_api(app_client, world, workers):
    response = app_client.post(
        "/api/complaints",
        json={
            "employer_text": "温州某某公司",
            "county_code": "330302",
            "description": "三个月没发工资",
            "period_from": "2026-08",
            "amount_owed": "3000",
            "workers_affected": workers,
        },
    )
    assert response.status_code == 422
    assert "workers_affected" in str(response.json()["detail"])


def _complaint_page_form(client, **fields: str) -> dict[str, str]:
    page = client.get("/worker/complaint")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return {
        "csrf_token": token,
        "employer_text": "温州某某公司",
        "county_code": "330302",
        "description": "三个月没发工资",
        "period_from": "2026-08",
        "amount_owed": "3000",
        **fields,
    }


@pytest.mark.parametrize(
    ("lang", "message"),
    [("zh-CN", "涉及人数应为 1 到 10000 之间的整数。"), ("en", "whole number from 1 to 10000")],
)
def test_the_complaint_page_refuses_a_5000_digit_headcount_beside_the_field(
    app_client, world, lang, message
):
    app_client.cookies.set("wg_lang", lang)
    form = _complaint_page_form(app_client, workers_affected="9" * 5000)
    response = app_client.post("/worker/complaint", data=form)
    assert response.status_code == 422
    assert message in response.text
    assert 'value="三个月没发工资"' in response.text or "三个月没发工资" in response.text


def test_the_complaint_page_refuses_an_employer_id_past_any_row(app_client, world):
    form = _complaint_page_form(app_client, employer_id=str(2**63), employer_text="")
    response = app_client.post("/worker/complaint", data=form)
    assert response.status_code == 422
    assert "没有找到这个用人单位" in response.text


@pytest.mark.parametrize("field", ["employer_q", "project_q"])
def test_a_long_search_posted_with_the_complaint_is_refused_beside_the_field(
    app_client, world, field
):
    app_client.cookies.set("wg_lang", "en")
    # 4,000 characters: 36 KB percent-encoded, inside the intake body bound.
    form = _complaint_page_form(app_client, **{field: "温" * 4_000})
    response = app_client.post("/worker/complaint", data=form)
    assert response.status_code == 422
    assert f"A search may have at most {SEARCH_MAX_CHARS} characters." in response.text


@pytest.mark.parametrize("field", ["employer_q", "project_q"])
def test_a_60_kb_search_posted_with_the_complaint_is_refused_by_the_intake_bound(
    app_client, world, field
):
    form = _complaint_page_form(app_client, **{field: "温" * 60_000})
    response = app_client.post("/worker/complaint", data=form)
    assert response.status_code == 413


@pytest.mark.parametrize("field", ["employer_q", "project_q"])
def test_a_60_kb_search_on_the_complaint_page_is_a_422(app_client, world, field):
    response = app_client.get("/worker/complaint", params={field: "x" * 60_000, "lang": "en"})
    assert response.status_code == 422
    assert f"search: at most {SEARCH_MAX_CHARS} characters." in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/employers?page=99999999999999999999",
        "/api/employers?q=" + "x" * 60_000,
        "/api/alerts?page=" + "9" * 5000,
        "/api/alerts?q=" + "x" * 60_000,
        f"/api/employers/1/audit?page={2**63}",
    ],
)
def test_pages_and_searches_past_their_bounds_are_refused(app_client, world, path):
    from tests.service.portals.conftest import bearer

    response = app_client.get(path, headers=bearer(app_client, "inspector.a"))
    assert response.status_code == 422
    assert response.json()["error"] == "Invalid"
    assert response.json()["detail"][0]["field"] in ("page", "q")


def test_an_assignee_past_any_row_is_refused_on_the_page_and_the_api(app_client, world):
    from tests.service.portals.conftest import bearer

    with world.engine.connect() as conn:
        from sqlalchemy import text

        alert = conn.execute(
            text("SELECT id FROM alert WHERE employer_id = :e ORDER BY id"),
            {"e": world.employer_a},
        ).scalar()
    api = app_client.post(
        f"/api/alerts/{alert}/assign",
        json={"assignee_id": 2**63},
        headers=bearer(app_client, "inspector.a"),
    )
    assert api.status_code == 422 and api.json()["detail"][0]["field"] == "assignee_id"
    sign_in(app_client, "inspector.a")
    page = app_client.get(f"/inspector/alerts/{alert}")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    for typed in (str(2**63), "²"):
        refused = app_client.post(
            f"/inspector/alerts/{alert}/assign",
            data={"csrf_token": token, "assignee_id": typed},
            follow_redirects=False,
        )
        assert refused.status_code == 422, typed


def test_oversized_bodies_name_each_field(app_client, world):
    response = app_client.post(
        "/api/auth/token", json={"username": "u" * 10_000, "password": "p" * 10_000}
    )
    assert response.status_code == 422
    assert {f["field"] for f in response.json()["detail"]} == {"username", "password"}


def test_a_nul_character_is_refused_or_dropped_never_sent_to_the_database(app_client, world):
    """PostgreSQL refuses NUL in text: before, each of these answered 500 there."""
    from tests.service.portals.conftest import bearer

    api = bearer(app_client, "inspector.a")
    for path in ("/api/alerts?q=%00", "/api/employers?q=a%00", "/api/alerts?county=%00"):
        response = app_client.get(path, headers=api)
        assert response.status_code == 422, path
    tracked = app_client.post("/api/complaints/status", json={"tracking_code": "\x00", "pin": "1"})
    assert tracked.status_code == 422
    form = _complaint_page_form(app_client, employer_q="\x00", description="工资\x00没发")
    assert app_client.post("/worker/complaint", data=form).status_code == 200
    track = app_client.post(
        "/worker/track",
        data={"csrf_token": form["csrf_token"], "tracking_code": "WG\x00", "pin": "\x00"},
    )
    assert track.status_code == 403
    sign_in(app_client, "inspector.a")
    page = app_client.get("/inspector/subscriptions")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = app_client.post(
        "/inspector/subscriptions", data={"csrf_token": token, "follow:33\x0002": "high"}
    )
    assert refused.status_code == 422
