"""Calls from one service to another's HTTP API with a service token (e.g. following a detailUrl).

Production: the service token comes from settings (issued by the identity provider). Local runs and
tests: it is minted with the dev private key. Tests route each service host to its in-process app.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from .auth import Role, mint_token
from .errors import Problem


class ServiceHttp:
    def __init__(self, settings, transport_mounts: dict[str, httpx.AsyncBaseTransport] | None = None) -> None:
        self.settings = settings
        self._client = httpx.AsyncClient(timeout=5.0, mounts=transport_mounts or None)
        self._token: str | None = None
        self._token_expires = 0.0

    def mount(self, mounts: dict[str, httpx.AsyncBaseTransport]) -> None:
        """Replace the transports (tests route `http://<service>.test` to in-process apps)."""
        self._client = httpx.AsyncClient(timeout=5.0, mounts=mounts)

    def _service_token(self) -> str:
        if self.settings.service_token:
            return self.settings.service_token
        if time.time() < self._token_expires - 60 and self._token:
            return self._token
        key_file: Path | None = self.settings.auth_dev_private_key_file
        if key_file is None:
            raise RuntimeError("no service token configured (set SERVICE_TOKEN or AUTH_DEV_PRIVATE_KEY_FILE)")
        self._token = mint_token(
            key_file.read_bytes(),
            subject=self.settings.service_name,
            roles=[Role.SERVICE.value],
            issuer=self.settings.auth_issuer,
            audience=self.settings.auth_audience,
            lifetime_seconds=900,
        )
        self._token_expires = time.time() + 900
        return self._token

    async def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any | None:
        """GET `url` as this service; None on 404 (gone or never existed), Problem(502) on other failures."""
        try:
            response = await self._client.get(
                url, params=params, headers={"Authorization": f"Bearer {self._service_token()}"}
            )
        except httpx.HTTPError as exc:
            raise Problem(502, "upstream-unavailable", f"{url} could not be reached: {exc!r}") from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise Problem(502, "upstream-error", f"{url} answered {response.status_code}")
        return response.json()

    async def close(self) -> None:
        await self._client.aclose()


def service_http(session) -> ServiceHttp:
    """The service's HTTP client, from inside a unit of work (request or consumed event)."""
    return session.info["http"]
