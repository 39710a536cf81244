"""`make run` in the first minutes: run again while the app is up, it says so and stops
cleanly; it takes PORT=; a port held by another program is named (service/serving_port.py)."""

import os
import shutil
import signal
import socket
import subprocess
import sys

import pytest

from service.config import PROJECT_ROOT
from tests.service.portals.live import free_port, serve_env, wait_until_serving


def wageguard(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "service", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.timeout(240)
def test_make_run_again_while_the_app_is_up_says_so_without_a_traceback(tmp_path):
    port = free_port()
    env = serve_env(f"sqlite:///{tmp_path / 'wageguard.db'}")
    command = [sys.executable, "-m", "service", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}")

        checked = wageguard("port-check", "--port", str(port), env=env)
        assert checked.returncode == 3
        assert f"WageGuard is already running on port {port}" in checked.stderr

        served_again = wageguard("serve", "--port", str(port), env=env)
        assert served_again.returncode == 0
        assert f"WageGuard is already running on port {port}" in served_again.stderr
        assert "Traceback" not in served_again.stderr + served_again.stdout

        if shutil.which("make") and (PROJECT_ROOT / ".venv" / ".installed").exists():
            # The real `make run PORT=…`: it stops before loading the demo a second time.
            made = subprocess.run(
                ["make", "--no-print-directory", "run", f"PORT={port}"],
                cwd=PROJECT_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert made.returncode == 0, made.stderr
            output = made.stdout + made.stderr
            assert f"WageGuard is already running on port {port}" in output
            assert "Traceback" not in output and "wageguard demo" not in output
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def test_a_port_held_by_another_program_is_named_with_the_advice_to_choose_another(tmp_path):
    env = {**os.environ, "WAGEGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'wageguard.db'}"}
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        checked = wageguard("port-check", "--port", str(port), env=env)
    assert checked.returncode == 1
    assert f"Port {port} is taken by another program" in checked.stderr
    assert f"PORT={port + 1}" in checked.stderr and "Traceback" not in checked.stderr


def test_make_run_serves_on_the_port_given(tmp_path):
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    planned = subprocess.run(
        ["make", "-n", "--no-print-directory", "serve-demo", "PORT=8123"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "wageguard serve --host 127.0.0.1 --port 8123" in planned.stdout
