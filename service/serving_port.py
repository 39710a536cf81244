"""Is the port `wageguard serve` wants free, already serving WageGuard, or taken by another
program? `make run` asks first, so running it twice says so instead of failing with a
traceback halfway through (README, "First minutes")."""

import json
import socket
import urllib.request
from typing import Literal

PortState = Literal["free", "wageguard", "other"]
APP_NAME = "WageGuard"  # what /healthz answers in "service" (service/app.py)


def port_state(host: str, port: int, *, timeout: float = 3.0) -> PortState:
    """'free' when nothing listens on host:port, 'wageguard' when WageGuard answers there,
    'other' when some other program holds it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(timeout)
        if probe.connect_ex((host, port)) != 0:
            return "free"
    # Straight to the port: a proxy from the environment must not answer for it.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://{host}:{port}/healthz", timeout=timeout) as answer:
            name = str(json.load(answer).get("service", ""))
    except (OSError, ValueError, AttributeError):
        return "other"
    return "wageguard" if name == APP_NAME else "other"


def message(state: PortState, host: str, port: int) -> str:
    if state == "wageguard":
        return (
            f"WageGuard is already running on port {port}: open http://{host}:{port}/ "
            f"(stop it with Ctrl-C in its terminal, or start another with PORT={port + 1})"
        )
    return (
        f"Port {port} is taken by another program; choose another port, "
        f"e.g. `make run PORT={port + 1}` or `wageguard serve --port {port + 1}`"
    )
