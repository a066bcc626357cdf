"""What the webhooks tests share: a clock they move by hand, a resolver they script, verifying receivers."""

from __future__ import annotations

import importlib.util
import ipaddress
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from probation_shared.auth import Role
from probation_shared.events import new_event
from webhooks.service import SPEC
from webhooks.workflows.messages import on_partner_notification

ROOT = Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location(
    "example_webhook_receiver", ROOT / "examples" / "webhook-receiver" / "receiver.py"
)
example = importlib.util.module_from_spec(_spec)
sys.modules["example_webhook_receiver"] = example
_spec.loader.exec_module(example)

# Loopback receivers are admitted only through the development allowlist; retries wait on the test's clock.
LOCAL = {
    "allow_insecure_endpoints": True,
    "endpoint_allowlist": ["127.0.0.1/32"],
    "retry_schedule_seconds": [5, 30, 120],
    "retry_jitter": 0.0,
    "delivery_poll_seconds": 0.05,
}


class Clock:
    """The service's time, moved only by the test."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


class Resolver:
    """DNS as the test says: host -> addresses (a list, or a function of how often it was asked)."""

    def __init__(self, answers: dict) -> None:
        self.answers = answers
        self.asked: dict[str, int] = {}

    async def __call__(self, host: str, port: int):
        self.asked[host] = self.asked.get(host, 0) + 1
        answer = self.answers.get(host, [])
        if callable(answer):
            answer = answer(self.asked[host])
        return [ipaddress.ip_address(a) for a in answer]


@pytest.fixture
def receivers():
    made = []

    def make(secrets=(), answer=None):
        made.append(example.VerifyingReceiver(list(secrets), answer=answer))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
async def hooks(start_service):
    """The webhooks service on the test's clock, loopback allowed, and helpers to drive it."""

    async def start(**overrides):
        clock = Clock()
        service = await start_service(SPEC, **{**LOCAL, **overrides})
        service.database.context["clock"] = clock
        return Hooks(service, clock)

    return start


def scripted(*statuses):
    """An `answer` for a receiver: these statuses in turn (None: verify and accept), then accept."""
    queue = list(statuses)

    def answer(headers, body):
        return queue.pop(0) if queue else None

    return answer


class Hooks:
    def __init__(self, service, clock: Clock) -> None:
        self.service, self.clock = service, clock
        self.client = service.client

    async def register(self, tokens, provider_id: str, url: str, **more) -> dict:
        response = await self.client.post(
            f"/providers/{provider_id}/endpoints",
            json={"url": url, **more},
            headers=tokens.headers(Role.PROVIDER_CASEWORKER, provider_id=provider_id),
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def notify(
        self,
        provider_id: str,
        crn: str = "X123456",
        payload: dict | None = None,
        notification_type: str = "intervention.referral.assigned",
    ):
        """A partner notification as the consumer hands it over (the Kafka path is tested separately)."""
        event = new_event(
            "intervention.partner-notification.created",
            crn=crn,
            additional_information={
                "providerId": provider_id,
                "notificationType": notification_type,
                "payload": payload or {},
            },
        )
        async with self.service.database.unit_of_work() as session:
            await on_partner_notification(session, event)
        return event

    async def messages(self, tokens, provider_id: str, **params) -> list[dict]:
        response = await self.client.get(
            f"/providers/{provider_id}/messages", params=params, headers=tokens.headers(Role.OPERATOR)
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def statuses(self, tokens, provider_id: str) -> list[str]:
        return [m["status"] for m in reversed(await self.messages(tokens, provider_id))]


class RawServer:
    """A loopback HTTP server whose handler the test writes (slow, dripping, huge or redirecting replies)."""

    def __init__(self, handle) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                server.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                try:
                    handle(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def raw_servers():
    made = []

    def make(handle):
        made.append(RawServer(handle))
        return made[-1]

    yield make
    for s in made:
        s.close()
