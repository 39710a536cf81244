"""The administrator's pages and API: users, roles, jurisdictions, deactivation, audit."""

import html
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.factories import EMPLOYER_A
from tests.service.portals.conftest import bearer, sign_in

NEW_PASSWORD = "a-long-enough-password"
NON_ADMINS = ["inspector.a", "employer.a", "mediator"]


def csrf(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def admin_client(client: TestClient, lang: str | None = None) -> TestClient:
    assert sign_in(client, "admin").status_code == 303
    if lang:
        client.get(f"/admin/users?lang={lang}")  # the language cookie, as the header link sets it
    return client


def post_new_user(client: TestClient, **fields):
    token = csrf(client.get("/admin/users/new").text)
    form = {
        "username": "inspector.c",
        "display_name": "龙湾瓯海监察员",
        "email": "",
        "role": "inspector",
        "password": NEW_PASSWORD,
        "locale": "zh-CN",
        "employer_uscc": "",
        "committee_code": "",
        "csrf_token": token,
    } | fields
    return client.post("/admin/users/new", data=form, follow_redirects=False)


def post_user_page(client: TestClient, user_id: int, **fields):
    token = csrf(client.get(f"/admin/users/{user_id}").text)
    return client.post(
        f"/admin/users/{user_id}", data={"csrf_token": token} | fields, follow_redirects=False
    )


def token_of(client: TestClient, username: str, password: str) -> dict[str, str]:
    response = client.post("/api/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def user_id(world, username: str) -> int:
    with world.engine.connect() as conn:
        query = text("SELECT id FROM app_user WHERE username = :u")
        return conn.execute(query, {"u": username}).scalar_one()


def audit(world, username: str) -> list[tuple[str, str, dict | None, dict | None]]:
    with world.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT actor_label, action, before, after FROM audit_log"
                " WHERE entity = 'user' AND entity_key = :u ORDER BY id"
            ),
            {"u": username},
        ).all()
    return [(label, action, _json(before), _json(after)) for label, action, before, after in rows]


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def users_named(world, username: str) -> int:
    with world.engine.connect() as conn:
        query = text("SELECT count(*) FROM app_user WHERE username = :u")
        return conn.execute(query, {"u": username}).scalar_one()


# --- creating users ------------------------------------------------------------------------


def test_admin_creates_an_inspector_with_two_counties_through_the_form(app_client, world):
    client = admin_client(app_client)
    response = post_new_user(client, jurisdictions=["330303", "330304"])
    assert response.status_code == 303
    new_id = user_id(world, "inspector.c")
    assert response.headers["location"] == f"/admin/users/{new_id}?done=created"
    page = client.get(response.headers["location"]).text
    assert "用户已创建" in page and "龙湾区" in page and "瓯海区" in page

    me = app_client.get("/api/me", headers=token_of(app_client, "inspector.c", NEW_PASSWORD))
    assert me.json()["role"] == "inspector"
    assert me.json()["counties"] == ["330303", "330304"]
    assert audit(world, "inspector.c") == [
        (
            "admin:admin",
            "user.create",
            None,
            {
                "role": "inspector",
                "scopes": ["330303", "330304"],
                "employer_id": None,
                "committee_id": None,
            },
        )
    ]


def test_admin_creates_an_inspector_with_two_counties_through_the_api(app_client, world):
    headers = bearer(app_client, "admin")
    response = app_client.post(
        "/api/admin/users",
        headers=headers,
        json={
            "username": "inspector.d",
            "display_name": "Inspector D",
            "role": "inspector",
            "password": NEW_PASSWORD,
            "jurisdictions": ["330302", "330302/五马街道", "330381"],
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert [p["code"] for p in body["jurisdictions"]] == ["330302", "330302/五马街道", "330381"]
    assert body["is_active"] is True and body["employer"] is None
    listed = app_client.get("/api/admin/users", headers=headers).json()
    assert "inspector.d" in [user["username"] for user in listed]
    assert audit(world, "inspector.d")[0][:2] == ("admin:admin", "user.create")


def test_admin_creates_an_employer_user_and_a_mediator(app_client, world):
    headers = bearer(app_client, "admin")
    employer = app_client.post(
        "/api/admin/users",
        headers=headers,
        json={
            "username": "employer.a2",
            "display_name": "鞋业财务",
            "role": "employer",
            "password": NEW_PASSWORD,
            "employer_uscc": EMPLOYER_A.lower(),  # typed in lower case: still found
        },
    )
    assert employer.status_code == 201, employer.text
    assert employer.json()["employer"]["uscc"] == EMPLOYER_A
    client = admin_client(app_client)
    response = post_new_user(
        client, username="mediator.2", role="mediator", committee_code="MC-LC-1"
    )
    assert response.status_code == 303
    page = client.get("/admin/users").text
    assert "温州鹿城鞋业有限公司" in page and "五马街道人民调解委员会" in page


# --- bad input -----------------------------------------------------------------------------

BAD_INPUT = {
    "short_password": (
        {"password": "short"},
        "password",
        "密码至少需要 12 个字符",
        "The password needs at least 12 characters",
    ),
    "guessable_password": (
        {"password": "aaaaaaaaaaaa"},
        "password",
        "这个密码太容易被猜到",
        "This password is too easy to guess",
    ),
    "blank_password": (
        {"password": " " * 12},
        "password",
        "这个密码太容易被猜到",
        "This password is too easy to guess",
    ),
    "password_from_the_username": (
        {"password": "inspector.c2026"},
        "password",
        "这个密码太容易被猜到",
        "This password is too easy to guess",
    ),
    "unknown_county": (
        {"jurisdictions": ["330302", "339999"]},
        "jurisdictions",
        "没有这个区域：339999",
        "No such place: 339999",
    ),
    "employer_without_uscc": (
        {"role": "employer"},
        "employer_uscc",
        "用人单位用户须填写统一社会信用代码",
        "An employer user needs the employer's unified social credit code",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_bad_input_rerenders_the_form_at_422_in_the_pages_language(app_client, world, case, lang):
    fields, field, message_zh, message_en = BAD_INPUT[case]
    client = admin_client(app_client, lang)
    response = post_new_user(client, **({"jurisdictions": ["330302"]} | fields))
    assert response.status_code == 422
    message = message_zh if lang == "zh-CN" else message_en
    assert re.search(
        rf'<p class="field-error" id="{field}-error" role="alert">\s*{message}',
        html.unescape(response.text),
    )
    assert 'value="inspector.c"' in response.text  # what was typed stays
    assert NEW_PASSWORD not in response.text  # the password is never sent back
    assert users_named(world, "inspector.c") == 0 and audit(world, "inspector.c") == []


def test_bad_input_through_the_api_lists_every_field(app_client, world):
    response = app_client.post(
        "/api/admin/users",
        headers=bearer(app_client, "admin"),
        json={
            "username": "employer.c",
            "display_name": " ",
            "role": "employer",
            "password": "short",
            "jurisdictions": ["330302"],
        },
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": "InvalidUser",
        "detail": {
            "password": "The password needs at least 12 characters.",
            "display_name": "Enter a display name.",
            "jurisdictions": "Only inspectors have a jurisdiction.",
            "employer_uscc": ("An employer user needs the employer's unified social credit code."),
        },
    }
    assert users_named(world, "employer.c") == 0


def test_a_taken_username_is_refused(app_client, world):
    response = post_new_user(admin_client(app_client), username="inspector.a")
    assert response.status_code == 422 and "该用户名已被使用" in response.text


# --- changing users ------------------------------------------------------------------------


def test_admin_changes_an_inspectors_jurisdiction_on_the_user_page(app_client, world):
    client = admin_client(app_client)
    target = user_id(world, "inspector.a")
    response = post_user_page(
        client,
        target,
        display_name="inspector.a",
        email="a@example.org",
        locale="zh-CN",
        jurisdictions=["330302", "330303/永中街道"],
        is_active="true",
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "已保存" in page and "永中街道" in page
    assert "330302, 330303/永中街道" in page  # the change history shows the new scope
    assert audit(world, "inspector.a")[-1] == (
        "admin:admin",
        "user.update",
        {"email": None, "jurisdictions": ["330302"]},
        {"email": "a@example.org", "jurisdictions": ["330302", "330303/永中街道"]},
    )


def test_an_inspector_without_any_place_is_refused(app_client, world):
    client = admin_client(app_client, "en")
    response = post_user_page(
        client, user_id(world, "inspector.a"), display_name="A", is_active="true"
    )
    assert response.status_code == 422
    assert "An inspector needs at least one county or town." in response.text


def test_admin_changes_an_employer_user_through_the_api(app_client, world):
    from tests.factories import EMPLOYER_B

    target = user_id(world, "employer.a")
    response = app_client.patch(
        f"/api/admin/users/{target}",
        headers=bearer(app_client, "admin"),
        json={"employer_uscc": EMPLOYER_B},
    )
    assert response.status_code == 200, response.text
    assert response.json()["employer"]["uscc"] == EMPLOYER_B
    assert audit(world, "employer.a")[-1] == (
        "admin:admin",
        "user.update",
        {"employer_uscc": EMPLOYER_A},
        {"employer_uscc": EMPLOYER_B},
    )


def test_an_unknown_user_is_404(app_client, world):
    headers = bearer(app_client, "admin")
    assert app_client.get("/api/admin/users/9999", headers=headers).status_code == 404
    response = app_client.patch("/api/admin/users/9999", headers=headers, json={})
    assert response.status_code == 404
    assert admin_client(app_client).get("/admin/users/9999").status_code == 404


# --- deactivation --------------------------------------------------------------------------


def test_deactivation_on_the_page_blocks_sign_in_and_ends_sessions_and_tokens(app_client, world):
    victim = TestClient(app_client.app)
    token = bearer(victim, "inspector.b")
    assert sign_in(victim, "inspector.b").status_code == 303
    assert victim.get("/admin/users", follow_redirects=False).status_code == 403  # signed in

    client = admin_client(app_client)
    target = user_id(world, "inspector.b")
    response = post_user_page(
        client,
        target,
        display_name="inspector.b",
        email="",
        locale="zh-CN",
        jurisdictions=["330304"],
        is_active="false",
    )
    assert response.status_code == 303
    assert "已停用" in client.get(f"/admin/users/{target}").text

    assert victim.get("/admin/users", follow_redirects=False).status_code == 303  # signed out
    assert victim.get("/api/me", headers=token).status_code == 401
    assert sign_in(TestClient(app_client.app), "inspector.b").status_code == 401
    assert audit(world, "inspector.b")[-1] == (
        "admin:admin",
        "user.deactivate",
        {"is_active": True},
        {"is_active": False},
    )


def test_deactivation_through_the_api_and_reactivation(app_client, world):
    headers = bearer(app_client, "admin")
    target = user_id(world, "mediator")
    token = bearer(app_client, "mediator")
    response = app_client.patch(
        f"/api/admin/users/{target}", headers=headers, json={"is_active": False}
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert app_client.get("/api/me", headers=token).status_code == 401
    app_client.patch(f"/api/admin/users/{target}", headers=headers, json={"is_active": True})
    assert app_client.get("/api/me", headers=token).status_code == 401  # old tokens stay dead
    assert app_client.get("/api/me", headers=bearer(app_client, "mediator")).status_code == 200
    assert [action for _, action, _, _ in audit(world, "mediator")] == [
        "user.create",
        "user.deactivate",
        "user.reactivate",
    ]


def test_a_password_reset_is_audited_without_the_password(app_client, world):
    target = user_id(world, "employer.b")
    response = app_client.patch(
        f"/api/admin/users/{target}",
        headers=bearer(app_client, "admin"),
        json={"password": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert sign_in(TestClient(app_client.app), "employer.b", NEW_PASSWORD).status_code == 303
    label, action, before, after = audit(world, "employer.b")[-1]
    assert (label, action) == ("admin:admin", "user.update")
    assert NEW_PASSWORD not in str(before) + str(after) and "password" in after


def test_an_admin_cannot_deactivate_themselves(app_client, world):
    response = app_client.patch(
        f"/api/admin/users/{user_id(world, 'admin')}",
        headers=bearer(app_client, "admin"),
        json={"is_active": False},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == {"is_active": "You cannot deactivate your own account."}


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", NON_ADMINS)
def test_non_admins_get_403_from_the_api_and_the_pages(app_client, world, username):
    headers = bearer(app_client, username)
    target = user_id(world, "inspector.b")
    assert app_client.get("/api/admin/users", headers=headers).status_code == 403
    assert app_client.get(f"/api/admin/users/{target}", headers=headers).status_code == 403
    response = app_client.post(
        "/api/admin/users",
        headers=headers,
        json={"username": "x1", "display_name": "x", "role": "admin", "password": NEW_PASSWORD},
    )
    assert response.status_code == 403
    response = app_client.patch(
        f"/api/admin/users/{target}", headers=headers, json={"is_active": False}
    )
    assert response.status_code == 403
    sign_in(app_client, username)
    for path in ("/admin", "/admin/users", "/admin/users/new", f"/admin/users/{target}"):
        page = app_client.get(path, follow_redirects=False)
        assert page.status_code == 403 and "您无权访问此页面" in page.text
    token = csrf(app_client.get("/login").text)
    response = app_client.post(
        f"/admin/users/{target}", data={"csrf_token": token, "is_active": "false"}
    )
    assert response.status_code == 403
    assert audit(world, "inspector.b")[-1][1] == "user.create"  # nothing changed


def test_anonymous_visitors_get_401_from_the_api_and_the_sign_in_page(app_client, world):
    assert app_client.get("/api/admin/users").status_code == 401
    assert app_client.post("/api/admin/users", json={}).status_code in (401, 422)
    page = app_client.get("/admin/users", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/admin/users"


def test_a_form_post_without_the_csrf_token_is_refused(app_client, world):
    client = admin_client(app_client)
    response = client.post(
        "/admin/users/new",
        data={"username": "inspector.c", "role": "admin", "password": NEW_PASSWORD},
    )
    assert response.status_code == 403 and users_named(world, "inspector.c") == 0


def test_the_user_list_shows_role_scope_and_status(app_client, world):
    page = admin_client(app_client).get("/admin/users")
    assert page.status_code == 200
    rows = {
        name: row
        for row in re.findall(r"<tr[^>]*>.*?</tr>", page.text, re.S)
        for name in re.findall(r'<a href="/admin/users/\d+"><code>([^<]+)</code></a>', row)
    }
    assert "劳动保障监察员" in rows["inspector.a"] and "鹿城区" in rows["inspector.a"]
    assert "温州鹿城鞋业有限公司" in rows["employer.a"] and EMPLOYER_A in rows["employer.a"]
    assert "五马街道人民调解委员会" in rows["mediator"] and "MC-LC-1" in rows["mediator"]
    assert "全部（管理员）" in rows["admin"] and all("启用" in row for row in rows.values())


def test_a_guessable_password_reset_through_the_api_is_refused(app_client, world):
    headers = bearer(app_client, "admin")
    target = user_id(world, "mediator")
    for weak in ("aaaaaaaaaaaa", " " * 12, "mediator2026!"):
        response = app_client.patch(
            f"/api/admin/users/{target}", headers=headers, json={"password": weak}
        )
        assert response.status_code == 422, weak
        assert "password" in response.json()["detail"]
    assert app_client.get("/api/me", headers=bearer(app_client, "mediator")).status_code == 200
