from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

EventType = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?$", max_length=200)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)]


class NewEndpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2000)
    description: str | None = Field(default=None, max_length=500)
    event_types: list[EventType] | None = Field(default=None, max_length=100, description="Only these event types (`a.b.*` for a prefix); none: all")
    contact_email: Email | None = Field(default=None, description="Told when we disable the endpoint (410, or 24 hours of failures)")


class EndpointChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, min_length=8, max_length=2000)
    description: str | None = Field(default=None, max_length=500)
    event_types: list[EventType] | None = Field(default=None, max_length=100)
    contact_email: Email | None = None


class EndpointView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    provider_id: str
    url: str
    description: str | None
    event_types: list[str] | None
    contact_email: str | None
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    previous_secret_expires_at: datetime | None = Field(description="While in the future, deliveries are signed with the old secret too")
    failing_since: datetime | None
    last_success_at: datetime | None
    created_at: datetime
    updated_at: datetime | None


class CreatedEndpoint(EndpointView):
    secret: str = Field(description="Shown once: verify each delivery's webhook-signature with it")


class RotatedSecret(BaseModel):
    secret: str = Field(description="Shown once: the new signing secret")
    previous_secret_valid_until: datetime


class Enable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    replay_held: bool = Field(default=True, description="Send the messages held while the endpoint was disabled")


class ReplaySince(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: datetime


class Replayed(BaseModel):
    replayed: int


class Enabled(EndpointView):
    released: int = Field(description="Held messages now queued again")


class MessageView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="The webhook-id header, the same on every attempt")
    endpoint_id: str
    provider_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    dead_at: datetime | None


class AttemptView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    started_at: datetime
    latency_ms: float
    status_code: int | None
    outcome: str
    error: str | None
    response_body: str | None = Field(description="The start of the receiver's reply (truncated)")


class MessageDetail(MessageView):
    payload: str = Field(description="The body as sent")
    attempt_history: list[AttemptView]


class NoticeView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    endpoint_id: str
    contact_email: str | None
    subject: str
    body: str
    created_at: datetime


class EndpointHealth(BaseModel):
    endpoint_id: str
    provider_id: str
    url: str
    enabled: bool
    disabled_reason: str | None
    attempts_24h: int
    success_rate_24h: float | None
    last_success_at: datetime | None
    failing_since: datetime | None
    pending: int
    held: int
    dead: int
