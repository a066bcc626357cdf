"""Standard Webhooks signing: `whsec_` secrets, and the `webhook-signature` header (one `v1,` per secret)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from datetime import datetime

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def key_of(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the decoded secret as key."""
    signed = message_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key_of(secret), signed, hashlib.sha256).digest()).decode()


def signature_header(secrets_: list[str], message_id: str, timestamp: int, body: bytes) -> str:
    """Space-separated signatures, one per valid secret (two while a rotation overlaps)."""
    return " ".join(signature(s, message_id, timestamp, body) for s in secrets_)


def signed_headers(secrets_: list[str], message_id: str, body: bytes, at: datetime) -> dict[str, str]:
    timestamp = int(at.timestamp())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets_, message_id, timestamp, body),
        "content-type": "application/json",
    }


def body_of(event_type: str, occurred_at: str, data: dict) -> str:
    """The JSON body every receiver gets: Standard Webhooks' type / timestamp / data."""
    return json.dumps({"type": event_type, "timestamp": occurred_at, "data": data}, separators=(",", ":"))
