"""`wageguard serve` as a process: a client's own X-Forwarded-For does not reset a limit, and
`--workers N` serves from N processes."""

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.service.portals.live import free_port, serve_env, wait_until_serving


def test_a_new_forwarded_for_from_a_local_client_does_not_reset_the_sign_in_limit(db_url):
    port = free_port()
    env = serve_env(db_url, WAGEGUARD_SIGNIN_FAILURES_PER_ADDRESS="3")
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, base)
        statuses = [
            httpx.post(
                f"{base}/api/auth/token",
                json={"username": f"user{n}", "password": "not-the-password-at-all"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
                timeout=60,
            ).status_code
            for n in range(7)
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert statuses[:3] == [401, 401, 401] and statuses[-1] == 429


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


@pytest.mark.timeout(180)
def test_serve_with_two_workers_answers_from_two_processes(tmp_path):
    port = free_port()
    env = serve_env(f"sqlite:///{tmp_path / 'wageguard.db'}")
    command = [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}")
        workers = [child for child in _children(server.pid) if _is_worker(child)]
        assert len(workers) == 2
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def _is_worker(pid: int) -> bool:
    # uvicorn's supervisor also starts a small resource tracker; workers run the app.
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    return b"multiprocessing" in cmdline and b"resource_tracker" not in cmdline
