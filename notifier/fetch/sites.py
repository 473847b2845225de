"""Sites and addresses: which hosts count as one site, and which addresses a fetch may reach.

A site is a registrable domain (www.kl.dk, kl.dk and backoffice.kl.dk are all the site kl.dk),
found with the Public Suffix List so that two unrelated sites under one public suffix (co.uk,
github.io) never count as one. An IP literal or a single-label name is its own site.

Addresses: scraped links and redirects are untrusted, so a fetch may only reach public
addresses. Every address a host resolves to is checked before the request (one private
address is enough to refuse), and the address actually connected to is checked again when the
response arrives, in case the name resolved differently the second time.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from notifier.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # parses the bundled list once (~50 ms)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").rstrip(".").lower()


@functools.lru_cache(maxsize=4096)
def site_of(host: str) -> str:
    """The registrable domain of a host: 'kl.dk' for 'www.kl.dk' and 'backoffice.kl.dk'."""
    host = host.rstrip(".").lower()
    if _ip(host) is not None or "." not in host:
        return host
    return _suffixes().privatesuffix(host) or host


def on_site(host: str, site: str) -> bool:
    """Whether host is the site or one of its subdomains ('www.' of a configured site ignored)."""
    host, site = host.rstrip(".").lower(), site.rstrip(".").lower().removeprefix("www.")
    return host == site or host.endswith("." + site)


def describe(address: IPAddress) -> str:
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private address"
    return "not a public address"


Resolver = Callable[[str], Awaitable[Sequence[str]]]


async def system_resolver(host: str) -> list[str]:
    """The addresses the system resolves a name to (what httpx will connect to)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class AddressGuard:
    """Refuses requests to addresses that are not public, except networks explicitly allowed."""

    def __init__(self, allowed: Iterable[str], *, resolve: Resolver = system_resolver) -> None:
        self._allowed: list[IPNetwork] = [ipaddress.ip_network(n, strict=False) for n in allowed]
        self._resolve = resolve

    def permits(self, address: IPAddress) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address.is_global and not address.is_multicast:
            return True
        return any(address in network for network in self._allowed)

    async def check(self, url: str) -> None:
        """Raise FetchError unless every address of the URL's host is permitted.

        A name that does not resolve passes: the request itself then fails to connect and is
        reported (and retried) as a connection failure, as before this check existed.
        """
        host = host_of(url)
        literal = _ip(host)
        if literal is not None:
            addresses = {literal}
        else:
            try:
                found = await self._resolve(host)
            except (OSError, UnicodeError):
                return
            addresses = {a for name in found if (a := _ip(name)) is not None}
        for address in sorted(addresses, key=str):
            if not self.permits(address):
                raise FetchError(_refusal(host, address), url=url)

    def check_peer(self, url: str, peer: object) -> None:
        """Raise FetchError if the connected peer ((host, port, ...) tuple) is not permitted."""
        if not isinstance(peer, tuple) or not peer:
            return
        address = _ip(str(peer[0]))
        if address is not None and not self.permits(address):
            raise FetchError(_refusal(host_of(url), address), url=url)


def _refusal(host: str, address: IPAddress) -> str:
    where = f"{host} is" if str(address) == host else f"{host} resolves to {address},"
    return (
        f"refused: {where} {describe(address)} "
        "(allow its network in fetch.allowed_private_networks if that is intended)"
    )


def _ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
