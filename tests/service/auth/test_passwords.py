"""Argon2's cost: strong unless the test suite says otherwise, and both kinds verify."""

import subprocess
import sys

from pwdlib.hashers.argon2 import Argon2Hasher

from service.auth.passwords import HASHERS, hash_password, verify_password
from service.config import Settings

# pwdlib's recommendation (RFC 9106's second choice): what production hashes with.
STRONG = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}


def _parameters(kind: str) -> dict[str, int]:
    (argon2,) = HASHERS[kind]().hashers
    assert isinstance(argon2, Argon2Hasher)
    inner = argon2._hasher
    return {k: getattr(inner, k) for k in STRONG}


def test_production_hashes_with_strong_parameters_by_default(monkeypatch):
    monkeypatch.delenv("WAGEGUARD_PASSWORD_HASHING")
    assert Settings(_env_file=None).password_hashing == "strong"
    assert Settings.model_fields["password_hashing"].default == "strong"
    for name, floor in STRONG.items():
        assert _parameters("strong")[name] >= floor, name


def test_a_fresh_process_without_the_test_setting_hashes_strongly(monkeypatch, tmp_path):
    monkeypatch.delenv("WAGEGUARD_PASSWORD_HASHING")
    code = "from service.auth.passwords import hash_password; print(hash_password('x' * 12))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout
    assert out.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_the_suite_hashes_cheaply():
    assert Settings().password_hashing == "cheap-for-tests"
    assert hash_password("x" * 12).startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_a_hash_of_either_cost_verifies():
    strong = HASHERS["strong"]().hash("correct-horse-battery")
    assert verify_password("correct-horse-battery", strong)
    assert not verify_password("wrong-horse-battery", strong)
    assert verify_password("correct-horse-battery", hash_password("correct-horse-battery"))
