"""X-Forwarded-For is believed only from a listed proxy."""

from types import SimpleNamespace

from starlette.requests import Request

from service.client_address import client_address
from service.config import Settings


def request_from(peer: str, forwarded: str | None, trusted: list[str]) -> Request:
    app = SimpleNamespace(state=SimpleNamespace(settings=Settings(trusted_proxies=trusted)))
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    scope = {"type": "http", "headers": headers, "client": (peer, 5000), "app": app}
    return Request(scope)


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address(request_from("127.0.0.1", "203.0.113.9", [])) == "127.0.0.1"


def test_a_local_peer_not_listed_is_not_a_proxy():
    request = request_from("127.0.0.1", "198.51.100.1", ["10.0.0.5"])
    assert client_address(request) == "127.0.0.1"


def test_a_listed_proxy_gives_the_client_it_saw_not_what_the_client_wrote():
    # The client wrote "1.2.3.4" itself; the proxy appended the address it really saw.
    request = request_from("10.0.0.5", "1.2.3.4, 203.0.113.9", ["10.0.0.0/24"])
    assert client_address(request) == "203.0.113.9"


def test_chained_trusted_proxies_are_skipped():
    request = request_from("10.0.0.5", "203.0.113.9, 10.0.0.7", ["10.0.0.0/24"])
    assert client_address(request) == "203.0.113.9"


def test_garbage_in_the_header_falls_back_to_the_peer():
    assert client_address(request_from("10.0.0.5", "not-an-ip", ["10.0.0.5"])) == "10.0.0.5"
    assert client_address(request_from("10.0.0.5", "", ["10.0.0.5"])) == "10.0.0.5"
