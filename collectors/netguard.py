"""Refuse connections to non-public addresses, checked on the address actually dialled.

The check lives in the network backend rather than before the request so that the address
we vet is the address we connect to: resolving once to check and letting the HTTP library
resolve again would let a DNS answer that changes between the two (rebinding) slip through.
Every redirect hop opens its connection through here, so every hop is checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Iterable

import httpcore

from collectors.errors import BlockedAddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressFilter = Callable[[IPAddress], bool]


def is_public_address(ip: IPAddress) -> bool:
    """True when ``ip`` is a globally routable unicast address (including what v6 embeds)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public_address(embedded):
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    """All addresses ``host`` resolves to, in the resolver's order, without duplicates."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve host {host!r}: {exc.strerror}") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


async def resolve_public(
    host: str, port: int, is_allowed: AddressFilter = is_public_address
) -> list[IPAddress]:
    """Resolve ``host``; raise BlockedAddress if any of its addresses is not allowed.

    Refusing when *any* address is private (not only the first) stops a name that mixes a
    public and a private answer from reaching the private one on a retry.
    """
    addresses = await resolve_host(host, port)
    for ip in addresses:
        if not is_allowed(ip):
            raise BlockedAddress(
                f"{host}:{port}",
                f"{host} resolves to non-public address {ip}; refused "
                "(to fetch from private networks, set collector.allow_private_networks: true "
                "in the config, or MONITOR_COLLECTOR__ALLOW_PRIVATE_NETWORKS=true)",
            )
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that dials only vetted public addresses."""

    def __init__(
        self,
        is_allowed: AddressFilter = is_public_address,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._is_allowed = is_allowed
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_public(host, port, self._is_allowed)
        last_error: Exception | None = None
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress(path, "unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
