"""The address a request comes from, for rate limits and the audit log.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only when the
immediate peer is a proxy listed in the `trusted_proxies` setting (addresses or networks).
Walking the header from the right, each hop added by a trusted proxy is skipped; the first
address not in the list is the client. An attacker who sends their own header gets no
further than the proxy's view of them, so a fresh header value never resets a limit.
"""

from functools import cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from fastapi import Request

UNKNOWN = "unknown"
Network = IPv4Network | IPv6Network


def client_address(request: Request) -> str:
    peer = request.client.host if request.client else UNKNOWN
    trusted = _networks(tuple(request.app.state.settings.trusted_proxies))
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _is_trusted(hop, trusted):
            return hop if _is_address(hop) else peer
    return peer


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    if not _is_address(address):
        return False
    parsed = ip_address(address)
    return any(parsed in network for network in networks)


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True
