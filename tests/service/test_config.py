"""One settings object: the e-mail settings are Settings' own, under their old names."""

from service.config import Settings


def test_the_mail_variables_keep_their_names(monkeypatch):
    monkeypatch.setenv("WAGEGUARD_SMTP_PORT", "2525")
    monkeypatch.setenv("WAGEGUARD_MAIL_SENDER_ENABLED", "true")
    monkeypatch.setenv("WAGEGUARD_MAIL_DIGEST_HOUR", "7")
    monkeypatch.setenv("WAGEGUARD_TIME_ZONE", "Asia/Urumqi")

    settings = Settings(_env_file=None)

    assert settings.smtp_port == 2525
    assert settings.mail_sender_enabled is True
    assert settings.mail_digest_hour == 7
    assert settings.time_zone == "Asia/Urumqi"  # one zone for pages, runs and digests


def test_the_notifications_have_no_settings_of_their_own():
    import importlib.util

    assert importlib.util.find_spec("service.notifications.settings") is None


def test_the_app_warns_at_start_up_while_a_secret_is_the_shipped_placeholder(db_url, caplog):
    from fastapi.testclient import TestClient

    from service.app import create_app

    shipped = Settings(_env_file=None, database_url=db_url)
    with caplog.at_level("WARNING", logger="service.app"), TestClient(create_app(shipped)):
        pass
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "WAGEGUARD_SECRET_KEY" in warned and "WAGEGUARD_TRACKING_SECRET" in warned

    caplog.clear()
    own = Settings(
        _env_file=None, database_url=db_url, secret_key="x" * 40, tracking_secret="y" * 40
    )
    with caplog.at_level("WARNING", logger="service.app"), TestClient(create_app(own)):
        pass
    assert not [r for r in caplog.records if "placeholder" in r.getMessage()]
