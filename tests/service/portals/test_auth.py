"""Sign-in, sessions, tokens and CSRF (the sign-in limits: test_sign_in_limits.py)."""

from sqlalchemy import text

from tests.service.portals.conftest import PASSWORD, bearer, sign_in


def test_an_inspector_signs_in_and_lands_on_the_alert_inbox(app_client, world):
    response = sign_in(app_client, "inspector.a")
    assert response.status_code == 303
    assert response.headers["location"] == "/inspector/alerts"
    cookie = response.headers["set-cookie"]
    assert "wg_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()


def test_a_wrong_password_is_refused_with_the_message_in_the_pages_language(app_client, world):
    response = sign_in(app_client, "inspector.a", "wrong")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


def test_repeated_wrong_passwords_are_rate_limited(app_client, world):
    for _ in range(app_client.app.state.settings.signin_failures_per_username):
        assert sign_in(app_client, "employer.b", "wrong").status_code == 401
    assert sign_in(app_client, "employer.b", PASSWORD).status_code == 429


def test_a_form_post_without_the_csrf_token_is_refused(app_client, world):
    response = app_client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 403


def test_passwords_are_stored_as_argon2_hashes(world):
    with world.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM app_user WHERE username = 'admin'"))
        assert stored.scalar_one().startswith("$argon2id$")


def test_an_api_token_identifies_the_user_and_its_scope(app_client, world):
    me = app_client.get("/api/me", headers=bearer(app_client, "inspector.b"))
    assert me.json()["role"] == "inspector" and me.json()["counties"] == ["330304"]
    assert app_client.get("/api/me").status_code == 401
    assert app_client.get("/api/me").json() == {
        "error": "Unauthenticated",
        "detail": "sign in first",
    }


def _sign_in_then(client, target: str) -> str:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"username": "inspector.a", "password": PASSWORD, "csrf_token": token, "next": target}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"]


def test_after_sign_in_the_inspector_goes_back_to_the_page_asked_for(app_client, world):
    assert _sign_in_then(app_client, "/inspector/alerts?severity=critical") == (
        "/inspector/alerts?severity=critical"
    )


def test_sign_in_never_sends_anyone_to_another_site(app_client, world):
    # Browsers treat "\" as "/" and drop tabs and newlines inside a URL.
    for target in (
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "https://evil.example",
        "javascript:alert(1)",
    ):
        assert _sign_in_then(app_client, target) == "/inspector/alerts", target
