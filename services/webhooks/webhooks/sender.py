"""One HTTP attempt, safely: the host re-vetted now, the vetted address itself connected to (so DNS
rebinding cannot swap it), SNI and Host set to the hostname, one deadline for everything, the reply
read only up to a cap, redirects never followed."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from .domain.addresses import IPAddress, RefusedUrl, Target, parse_allowlist, parse_target, vet
from .domain.states import Outcome, outcome_of
from .settings import WebhooksSettings

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return []
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def resolver_of(context: dict) -> Resolver:
    """The resolver in use: the system's, unless a test put another in the database context."""
    return context.get("resolver") or system_resolver


async def vet_url(url: str, settings: WebhooksSettings, resolver: Resolver) -> Target:
    """Registration's check: the static rules, then every address the host resolves to now."""
    target = parse_target(url, settings.allow_insecure_endpoints)
    resolved = [] if target.literal is not None else await resolver(target.host, target.port)
    vet(target, resolved, parse_allowlist(settings.endpoint_allowlist))
    return target


@dataclass(frozen=True)
class AttemptResult:
    outcome: Outcome
    status_code: int | None
    latency_ms: float
    retry_after: str | None = None
    error: str | None = None
    body: str | None = None
    address: str | None = None


class Sender:
    def __init__(
        self,
        settings: WebhooksSettings,
        resolver: Callable[[], Resolver],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.allowlist = parse_allowlist(settings.endpoint_allowlist)
        self.deadline = settings.delivery_timeout_seconds
        self._resolver = resolver
        self._transport = transport
        limits = httpx.Limits(
            max_connections=settings.delivery_concurrency, max_keepalive_connections=settings.delivery_concurrency
        )
        self._limits = limits
        self._plain = self._client()
        # TLS connections are pooled per hostname: one made with SNI a.example is never reused for b.example.
        self._tls: OrderedDict[str, httpx.AsyncClient] = OrderedDict()

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self._transport,
            timeout=self.deadline,
            follow_redirects=False,
            trust_env=False,
            limits=self._limits,
        )

    async def _client_for(self, target: Target) -> httpx.AsyncClient:
        if target.scheme != "https":
            return self._plain
        client = self._tls.pop(target.host, None) or self._client()
        self._tls[target.host] = client
        while len(self._tls) > 256:
            _, old = self._tls.popitem(last=False)
            await old.aclose()
        return client

    async def send(self, url: str, headers: dict[str, str], body: bytes) -> AttemptResult:
        started = time.perf_counter()

        def done(outcome: Outcome, code: int | None = None, **more) -> AttemptResult:
            return AttemptResult(outcome, code, (time.perf_counter() - started) * 1000, **more)

        address = None
        try:
            async with asyncio.timeout(self.deadline):
                target = parse_target(url, self.settings.allow_insecure_endpoints)
                resolved = [] if target.literal is not None else await self._resolver()(target.host, target.port)
                address = vet(target, resolved, self.allowlist)[0]
                netloc = f"[{address}]" if address.version == 6 else str(address)
                default_port = 443 if target.scheme == "https" else 80
                host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
                if ":" in target.host and target.port == default_port:
                    host_header = f"[{target.host}]"
                elif ":" in target.host:
                    host_header = f"[{target.host}]:{target.port}"
                client = await self._client_for(target)
                request = client.build_request(
                    "POST",
                    f"{target.scheme}://{netloc}:{target.port}{target.path}",
                    content=body,
                    headers={**headers, "host": host_header},
                    extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
                )
                response = await client.send(request, stream=True)
                try:
                    kept = bytearray()
                    async for chunk in response.aiter_raw():
                        kept += chunk[: self.settings.max_response_body_bytes - len(kept)]
                        if len(kept) >= self.settings.max_response_body_bytes:
                            break  # the rest is never read
                finally:
                    await response.aclose()
        except RefusedUrl as exc:
            return done(Outcome.REFUSED_ADDRESS, error=f"refused ({exc.reason.value}): {exc}"[:1000])
        except (TimeoutError, httpx.TimeoutException):
            return done(
                Outcome.TIMEOUT,
                error=f"no complete answer within {self.deadline:g}s",
                address=str(address) if address else None,
            )
        except (httpx.HTTPError, OSError) as exc:
            return done(Outcome.NETWORK_ERROR, error=repr(exc)[:1000], address=str(address) if address else None)
        text = bytes(kept[: self.settings.stored_response_body_bytes]).decode("utf-8", errors="replace")
        code = response.status_code
        outcome = outcome_of(code)
        return done(
            outcome,
            code,
            retry_after=response.headers.get("retry-after"),
            error=None if outcome is Outcome.SUCCESS else f"HTTP {code}",
            body=text or None,
            address=str(address),
        )

    async def close(self) -> None:
        await self._plain.aclose()
        for client in self._tls.values():
            await client.aclose()
        self._tls.clear()
