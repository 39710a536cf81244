"""`wageguard users create`: the password never on the command line, and as strong as on the
admin page."""

import os
import subprocess
import sys

from sqlalchemy import text

from service.auth.passwords import password_weakness
from service.db import make_engine
from service.demo.users import DEMO_USERS
from tests.service.test_cli import wageguard

STRONG = "tidal-lantern-orchard-57"
CREATE = ("users", "create", "inspector.x", "--role", "inspector", "--name", "X")


def stored_hash(db_url: str, username: str) -> str | None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT password_hash FROM app_user WHERE username = :u"), {"u": username}
        ).scalar()
    engine.dispose()
    return found


def test_the_password_comes_from_the_environment_not_the_command_line(db_url):
    result = wageguard(
        *CREATE, "--scope", "330302", database_url=db_url, WAGEGUARD_NEW_PASSWORD=STRONG
    )
    assert result.returncode == 0, result.stderr
    assert stored_hash(db_url, "inspector.x").startswith("$argon2id$")

    on_the_line = wageguard(*CREATE, "--password", STRONG, database_url=db_url)
    assert on_the_line.returncode == 2 and "No such option" in on_the_line.stderr


def test_the_password_is_asked_for_twice_when_not_in_the_environment(db_url):
    environment = {
        key: value for key, value in os.environ.items() if key != "WAGEGUARD_NEW_PASSWORD"
    }
    result = subprocess.run(
        [sys.executable, "-m", "service", *CREATE, "--scope", "330302"],
        env={**environment, "WAGEGUARD_DATABASE_URL": db_url},
        input=f"{STRONG}\n{STRONG}\n",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert STRONG not in result.stdout + result.stderr
    assert stored_hash(db_url, "inspector.x") is not None


def test_a_guessable_password_is_refused(db_url):
    # The rule's every case is the admin page's (test_admin.py): here, that the command applies it.
    for weak in ("aaaaaaaaaaaa", "short"):
        result = wageguard(
            *CREATE, "--scope", "330302", database_url=db_url, WAGEGUARD_NEW_PASSWORD=weak
        )
        assert result.returncode == 1 and "password" in result.stderr
    assert stored_hash(db_url, "inspector.x") is None


def test_the_demo_users_passwords_pass_the_rule():
    for demo in DEMO_USERS:
        assert password_weakness(demo.password, known_words=(demo.username,)) is None


def test_a_legal_aid_centre_user_is_created_with_its_county(db_url):
    create = ("users", "create", "falv.x", "--role", "legal_aid", "--name", "鹿城区法律援助中心")
    result = wageguard(
        *create, "--scope", "330302", database_url=db_url, WAGEGUARD_NEW_PASSWORD=STRONG
    )
    assert result.returncode == 0, result.stderr
    engine = make_engine(db_url)
    with engine.connect() as conn:
        role, scope = conn.execute(
            text(
                "SELECT role, jurisdiction_code FROM app_user JOIN user_scope"
                " ON user_scope.user_id = app_user.id WHERE username = 'falv.x'"
            )
        ).one()
    engine.dispose()
    assert (role, scope) == ("legal_aid", "330302")
