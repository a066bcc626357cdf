from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from probation_shared.redaction import Classified, DataClass, Outbound

EventType = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?$", max_length=200)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)]


class NewEndpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2000)
    description: str | None = Field(default=None, max_length=500)
    event_types: list[EventType] | None = Field(
        default=None, max_length=100, description="Only these event types (`a.b.*` for a prefix); none: all"
    )
    contact_email: Email | None = Field(
        default=None, description="Told when we disable the endpoint (410, or 24 hours of failures)"
    )


class EndpointChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, min_length=8, max_length=2000)
    description: str | None = Field(default=None, max_length=500)
    event_types: list[EventType] | None = Field(default=None, max_length=100)
    contact_email: Email | None = None


class EndpointView(Outbound):
    model_config = ConfigDict(from_attributes=True)

    id: Annotated[str, Classified(DataClass.REFERENCE)]
    provider_id: Annotated[str, Classified(DataClass.REFERENCE)]
    partner_kind: Annotated[str, Classified(DataClass.REFERENCE)] = Field(
        default="PROVIDER", description="PROVIDER, or POLICE for a police partner's endpoint"
    )
    url: Annotated[str, Classified(DataClass.REFERENCE)]
    description: Annotated[str | None, Classified(DataClass.REFERENCE)]
    event_types: Annotated[list[str] | None, Classified(DataClass.REFERENCE)]
    contact_email: Annotated[str | None, Classified(DataClass.CONTACT_DETAILS)]
    enabled: Annotated[bool, Classified(DataClass.REFERENCE)]
    disabled_reason: Annotated[str | None, Classified(DataClass.REFERENCE)]
    disabled_at: Annotated[datetime | None, Classified(DataClass.REFERENCE)]
    previous_secret_expires_at: Annotated[datetime | None, Classified(DataClass.REFERENCE)] = Field(
        description="While in the future, deliveries are signed with the old secret too"
    )
    failing_since: Annotated[datetime | None, Classified(DataClass.REFERENCE)]
    last_success_at: Annotated[datetime | None, Classified(DataClass.REFERENCE)]
    created_at: Annotated[datetime, Classified(DataClass.REFERENCE)]
    updated_at: Annotated[datetime | None, Classified(DataClass.REFERENCE)]


class CreatedEndpoint(EndpointView):
    secret: Annotated[str, Classified(DataClass.REFERENCE)] = Field(
        description="Shown once: verify each delivery's webhook-signature with it"
    )


class RotatedSecret(Outbound):
    secret: Annotated[str, Classified(DataClass.REFERENCE)] = Field(description="Shown once: the new signing secret")
    previous_secret_valid_until: Annotated[datetime, Classified(DataClass.REFERENCE)]


class Enable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    replay_held: bool = Field(default=True, description="Send the messages held while the endpoint was disabled")


class ReplaySince(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: datetime


class Replayed(Outbound):
    replayed: Annotated[int, Classified(DataClass.REFERENCE)]


class Enabled(EndpointView):
    released: Annotated[int, Classified(DataClass.REFERENCE)] = Field(description="Held messages now queued again")


class MessageView(Outbound):
    model_config = ConfigDict(from_attributes=True)

    id: Annotated[str, Classified(DataClass.REFERENCE)] = Field(
        description="The webhook-id header, the same on every attempt"
    )
    endpoint_id: Annotated[str, Classified(DataClass.REFERENCE)]
    provider_id: Annotated[str, Classified(DataClass.REFERENCE)]
    event_type: Annotated[str, Classified(DataClass.REFERENCE)]
    status: Annotated[str, Classified(DataClass.REFERENCE)]
    attempts: Annotated[int, Classified(DataClass.REFERENCE)]
    next_attempt_at: Annotated[datetime | None, Classified(DataClass.REFERENCE)]
    last_status_code: Annotated[int | None, Classified(DataClass.REFERENCE)]
    last_error: Annotated[str | None, Classified(DataClass.REFERENCE)]
    created_at: Annotated[datetime, Classified(DataClass.REFERENCE)]
    delivered_at: Annotated[datetime | None, Classified(DataClass.REFERENCE)]
    dead_at: Annotated[datetime | None, Classified(DataClass.REFERENCE)]


class AttemptView(Outbound):
    model_config = ConfigDict(from_attributes=True)

    number: Annotated[int, Classified(DataClass.REFERENCE)]
    started_at: Annotated[datetime, Classified(DataClass.REFERENCE)]
    latency_ms: Annotated[float, Classified(DataClass.REFERENCE)]
    status_code: Annotated[int | None, Classified(DataClass.REFERENCE)]
    outcome: Annotated[str, Classified(DataClass.REFERENCE)]
    error: Annotated[str | None, Classified(DataClass.REFERENCE)]
    response_body: Annotated[str | None, Classified(DataClass.PROVIDER_UPDATES)] = Field(
        description="The start of the receiver's reply (truncated)"
    )


class MessageDetail(MessageView):
    payload: Annotated[str, Classified(DataClass.PROVIDER_UPDATES)] = Field(description="The body as sent")
    attempt_history: Annotated[list[AttemptView], Classified(DataClass.REFERENCE)]


class NoticeView(Outbound):
    model_config = ConfigDict(from_attributes=True)

    endpoint_id: Annotated[str, Classified(DataClass.REFERENCE)]
    contact_email: Annotated[str | None, Classified(DataClass.CONTACT_DETAILS)]
    subject: Annotated[str, Classified(DataClass.REFERENCE)]
    body: Annotated[str, Classified(DataClass.REFERENCE)]
    created_at: Annotated[datetime, Classified(DataClass.REFERENCE)]


class EndpointHealth(Outbound):
    endpoint_id: Annotated[str, Classified(DataClass.REFERENCE)]
    provider_id: Annotated[str, Classified(DataClass.REFERENCE)]
    url: Annotated[str, Classified(DataClass.REFERENCE)]
    enabled: Annotated[bool, Classified(DataClass.REFERENCE)]
    disabled_reason: Annotated[str | None, Classified(DataClass.REFERENCE)]
    attempts_24h: Annotated[int, Classified(DataClass.REFERENCE)]
    success_rate_24h: Annotated[float | None, Classified(DataClass.REFERENCE)]
    last_success_at: Annotated[datetime | None, Classified(DataClass.REFERENCE)]
    failing_since: Annotated[datetime | None, Classified(DataClass.REFERENCE)]
    pending: Annotated[int, Classified(DataClass.REFERENCE)]
    held: Annotated[int, Classified(DataClass.REFERENCE)]
    dead: Annotated[int, Classified(DataClass.REFERENCE)]


class Reencrypted(Outbound):
    reencrypted: Annotated[int, Classified(DataClass.REFERENCE)]
