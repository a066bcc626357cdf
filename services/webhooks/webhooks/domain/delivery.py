"""Delivery rules (Standard Webhooks): only 2xx is success, 410 disables the endpoint, Retry-After is
honoured, retries back off over about a day, and the same `webhook-id` goes on every attempt."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from standardwebhooks import Webhook

PENDING, DELIVERED, FAILED, ENDPOINT_DISABLED = "PENDING", "DELIVERED", "FAILED", "ENDPOINT_DISABLED"
STATUSES = (PENDING, DELIVERED, FAILED, ENDPOINT_DISABLED)


class InvalidEndpointUrl(ValueError):
    pass


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def check_endpoint_url(url: str, allow_insecure: bool) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ({"https", "http"} if allow_insecure else {"https"}):
        raise InvalidEndpointUrl("the URL must use https")
    if not parts.hostname:
        raise InvalidEndpointUrl("the URL needs a host")
    if parts.username or parts.password:
        raise InvalidEndpointUrl("the URL must not carry credentials")
    return url


def body_of(event_type: str, occurred_at: str, data: dict) -> str:
    """The JSON body every receiver gets: Standard Webhooks' type / timestamp / data."""
    return json.dumps({"type": event_type, "timestamp": occurred_at, "data": data}, separators=(",", ":"))


def signed_headers(secret: str, message_id: str, body: str, now: datetime) -> dict[str, str]:
    timestamp = now.replace(microsecond=0)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, timestamp, body),
        "content-type": "application/json",
    }


@dataclass(frozen=True)
class Attempt:
    """What one HTTP attempt came to: a status code (None when no response) and Retry-After."""

    status_code: int | None
    retry_after: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Decision:
    status: str
    next_attempt_at: datetime | None
    disable_endpoint: bool = False


def decide(attempts_made: int, attempt: Attempt, schedule: list[float], now: datetime, max_retry_after: float) -> Decision:
    """What follows attempt number `attempts_made` (1-based)."""
    if attempt.status_code is not None and 200 <= attempt.status_code < 300:
        return Decision(DELIVERED, None)
    if attempt.status_code == 410:
        return Decision(ENDPOINT_DISABLED, None, disable_endpoint=True)
    if attempts_made > len(schedule):
        return Decision(FAILED, None)
    delay = schedule[attempts_made - 1]
    asked = retry_after_seconds(attempt.retry_after, now)
    if asked is not None:
        delay = max(delay, min(asked, max_retry_after))
    return Decision(PENDING, now + timedelta(seconds=delay))


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)
