"""Where a webhook may be sent: the URL rules and the classification of addresses (SSRF safety).

Pure: the caller resolves the host; this module decides whether every address it got is public.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Refusal(StrEnum):
    """Why a URL or an address is refused: the `reason` of the 422 and of a refused attempt."""

    NOT_HTTPS = "not-https"
    NO_HOST = "no-host"
    CREDENTIALS = "credentials-in-url"
    LOCAL_NAME = "local-name"
    METADATA = "metadata"
    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link-local"
    CGNAT = "cgnat"
    UNIQUE_LOCAL = "unique-local"
    IPV4_MAPPED = "ipv4-mapped"
    TRANSLATED = "ipv6-translation"  # NAT64, 6to4, Teredo: an IPv4 address inside
    MULTICAST = "multicast"
    UNSPECIFIED = "unspecified"
    RESERVED = "reserved"
    UNRESOLVABLE = "unresolvable"


class RefusedUrl(ValueError):
    def __init__(self, reason: Refusal, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


# Cloud instance-metadata services (checked before the wider classes they sit in).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.169.123",
        "100.100.100.200",
        "192.0.0.192",
        "fd00:ec2::254",
        "fd00:ec2::23",
    )
)
METADATA_NAMES = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"}
)
# Names that only mean something inside a network.
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp")

CGNAT = ipaddress.ip_network("100.64.0.0/10")
UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
TEREDO = ipaddress.ip_network("2001::/32")


def classify(address: IPAddress) -> Refusal | None:
    """None when `address` is a public unicast address a webhook may go to; else why not."""
    if address in METADATA_ADDRESSES:
        return Refusal.METADATA
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return Refusal.IPV4_MAPPED
        if any(address in n for n in NAT64) or address in SIX_TO_FOUR or address in TEREDO:
            return Refusal.TRANSLATED
        if address in UNIQUE_LOCAL:
            return Refusal.UNIQUE_LOCAL
        if address.scope_id:
            return Refusal.LINK_LOCAL
    if address.is_unspecified:
        return Refusal.UNSPECIFIED
    if address.is_loopback:
        return Refusal.LOOPBACK
    if address.is_link_local:
        return Refusal.LINK_LOCAL
    if isinstance(address, ipaddress.IPv4Address) and address in CGNAT:
        return Refusal.CGNAT
    if address.is_multicast:
        return Refusal.MULTICAST
    if address.is_private:
        return Refusal.PRIVATE
    if address.is_reserved or not address.is_global:
        return Refusal.RESERVED
    return None


_PART = re.compile(r"^(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$")


def numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address a host written the way inet_aton reads it means: `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`.

    None when `host` is not such a numeric form (e.g. a DNS name). Raises RefusedUrl for a numeric form
    that overflows (resolvers differ on those; refuse rather than guess).
    """
    parts = host.rstrip(".").split(".")
    if not 1 <= len(parts) <= 4 or not all(_PART.match(p) for p in parts):
        return None
    values = []
    for p in parts:
        if p[:2].lower() == "0x":
            values.append(int(p[2:] or "0", 16))
        elif len(p) > 1 and p.startswith("0"):
            values.append(int(p, 8))
        else:
            values.append(int(p))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        raise RefusedUrl(Refusal.RESERVED, f"{host!r} is not a valid address")
    number = 0
    for v in head:
        number = number * 256 + v
    number = number * 256 ** (4 - len(head)) + last
    return ipaddress.IPv4Address(number)


def literal_address(host: str) -> IPAddress | None:
    """The IP address `host` names literally (any IPv4 spelling, or IPv6 with or without a zone)."""
    bare = host.strip("[]")
    if ":" in bare:
        try:
            return ipaddress.IPv6Address(bare)
        except ValueError:
            raise RefusedUrl(Refusal.RESERVED, f"{host!r} is not a valid address") from None
    return numeric_ipv4(bare)


@dataclass(frozen=True)
class Target:
    """A URL that passed the static rules: what to resolve and how to connect."""

    url: str
    scheme: str
    host: str  # lower-case, without brackets
    port: int
    path: str  # path and query, as sent in the request line
    literal: IPAddress | None


def parse_target(url: str, allow_plain_http: bool) -> Target:
    """The static rules: https (http only when allowed for local development), a host, no credentials."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise RefusedUrl(Refusal.NO_HOST, f"the URL cannot be read: {exc}") from None
    if parts.scheme != "https" and not (allow_plain_http and parts.scheme == "http"):
        raise RefusedUrl(Refusal.NOT_HTTPS, "the URL must use https")
    if parts.username is not None or parts.password is not None:
        raise RefusedUrl(Refusal.CREDENTIALS, "the URL must not carry credentials")
    host = (parts.hostname or "").lower()
    if not host:
        raise RefusedUrl(Refusal.NO_HOST, "the URL needs a host")
    literal = literal_address(host)
    if literal is None:
        name = host.rstrip(".")
        if name in METADATA_NAMES:
            raise RefusedUrl(Refusal.METADATA, f"{host} is a cloud metadata service")
        if name == "localhost" or name.endswith(LOCAL_SUFFIXES) or "." not in name:
            raise RefusedUrl(Refusal.LOCAL_NAME, f"{host} names a host inside a network, not on the internet")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(
        url=url.strip(),
        scheme=parts.scheme,
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
        path=path,
        literal=literal,
    )


def allowed_by(address: IPAddress, allowlist: tuple[Network, ...]) -> bool:
    return any(address.version == n.version and address in n for n in allowlist)


def parse_allowlist(entries: list[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def vet(target: Target, resolved: list[IPAddress], allowlist: tuple[Network, ...] = ()) -> list[IPAddress]:
    """The addresses to connect to: every resolved one must be public (or on the development allowlist).

    One refused address refuses the host: a name that resolves to a public and a private address is
    exactly what a rebinding attacker registers.
    """
    addresses = [target.literal] if target.literal is not None else list(dict.fromkeys(resolved))
    if not addresses:
        raise RefusedUrl(Refusal.UNRESOLVABLE, f"{target.host} does not resolve")
    for address in addresses:
        if allowed_by(address, allowlist):
            continue
        refusal = classify(address)
        if refusal is not None:
            raise RefusedUrl(refusal, f"{target.host} resolves to {address}, a {refusal.value} address")
    return addresses
