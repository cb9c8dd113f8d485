"""Where a webhook may go. Unless NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS is set
(development, tests), an endpoint whose host name resolves to an address of
the machine's own or private network (private, loopback, link-local,
multicast, reserved, unspecified) is refused: the RESOLVED address is checked,
and the delivery connects to the address that was checked, so a name that
resolves elsewhere a second later (DNS rebinding) cannot redirect it."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class TargetRefused(Exception):
    """The URL may not be delivered to (for good, until it is changed)."""


class TargetUnresolved(Exception):
    """The host name does not resolve now (perhaps later)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str  # the checked IP address to connect to


def _split(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("The URL must start with http:// or https:// and name a host.")
    if parts.username or parts.password:
        raise TargetRefused("The URL must not hold a user name or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefused("The URL's port is not a number from 1 to 65535.") from exc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address carried in IPv6 (mapped, 6to4, Teredo) is judged as itself.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public(str(embedded)):
            return False
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def target_resolve(url: str) -> Target:
    """The URL's parts and the address to connect to. Raises TargetRefused for
    a URL that may not be used, TargetUnresolved when its name does not resolve."""
    scheme, host, port, path = _split(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetUnresolved(f"{host} does not resolve: {exc}") from exc
    addresses = [str(info[4][0]) for info in found]
    if not addresses:
        raise TargetUnresolved(f"{host} does not resolve.")
    if not settings.NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        refused = sorted({a for a in addresses if not is_public(a)})
        if refused:
            # Any private address refuses the name: a resolver may answer in any order.
            raise TargetRefused(
                f"{host} resolves to {', '.join(refused)}, an address of a private, "
                "loopback, link-local or otherwise reserved network; webhooks are not "
                "sent there."
            )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
