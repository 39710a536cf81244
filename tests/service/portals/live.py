"""The real app served by uvicorn on a free local port, for tests that need concurrent
requests (TestClient sends one at a time)."""

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from service.app import create_app
from service.config import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            proxy_headers=False,  # as `wageguard serve` runs it
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def wait_until_serving(server: subprocess.Popen, base: str, timeout: float = 120) -> None:
    """Wait until a `wageguard serve` process answers /healthz at `base`; fail if the process
    ends first (with its stderr, when it was captured) or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise AssertionError(server.stderr.read().decode() if server.stderr else "it ended")
        assert time.monotonic() < deadline, "the server did not start"
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.5)


def serve_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a `wageguard serve` process on the database, without its scheduler;
    `settings` adds more WAGEGUARD_ variables."""
    return {
        **os.environ,
        "WAGEGUARD_DATABASE_URL": database_url,
        "WAGEGUARD_SCHEDULER_ENABLED": "false",
        **settings,
    }
