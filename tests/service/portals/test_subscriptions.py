"""An inspector chooses which alerts reach them by e-mail."""

from sqlalchemy import text

from tests.service.portals.conftest import bearer, sign_in


def _csrf(page) -> str:
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def test_an_inspector_follows_a_county_from_critical_up_through_the_form(app_client, world):
    sign_in(app_client, "inspector.a")
    page = app_client.get("/inspector/subscriptions")
    assert page.status_code == 200 and "鹿城区" in page.text
    saved = app_client.post(
        "/inspector/subscriptions",
        data={"csrf_token": _csrf(page), "follow:330302": "critical"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    with world.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.jurisdiction_code, s.min_severity FROM alert_subscription s "
                "JOIN app_user u ON u.id = s.user_id WHERE u.username = 'inspector.a'"
            )
        ).all()
        audited = conn.execute(
            text("SELECT COUNT(*) FROM audit_log WHERE action = 'subscription.replace'")
        ).scalar_one()
    assert [tuple(r) for r in rows] == [("330302", "critical")]
    assert audited == 1


def test_a_place_outside_the_jurisdiction_cannot_be_followed(app_client, world):
    headers = bearer(app_client, "inspector.a")
    refused = app_client.put(
        "/api/subscriptions",
        headers=headers,
        json=[{"jurisdiction_code": "330304", "min_severity": "low"}],
    )
    assert refused.status_code == 422
    default = app_client.get("/api/subscriptions", headers=headers).json()
    assert default == [{"jurisdiction_code": "330302", "min_severity": "high"}]


def test_moving_an_inspector_prunes_the_subscriptions_of_the_old_place(app_client, world):
    inspector = bearer(app_client, "inspector.a")
    follows = [{"jurisdiction_code": "330302", "min_severity": "low"}]
    assert app_client.put("/api/subscriptions", headers=inspector, json=follows).status_code == 200
    with world.engine.connect() as conn:
        user_id = conn.execute(
            text("SELECT id FROM app_user WHERE username = 'inspector.a'")
        ).scalar_one()
    admin = bearer(app_client, "admin")
    moved = app_client.patch(
        f"/api/admin/users/{user_id}", headers=admin, json={"jurisdictions": ["330304"]}
    )
    assert moved.status_code == 200, moved.text
    # Nothing of Lucheng is followed any more: the default, the new county from high up.
    now = app_client.get("/api/subscriptions", headers=inspector).json()
    assert now == [{"jurisdiction_code": "330304", "min_severity": "high"}]
