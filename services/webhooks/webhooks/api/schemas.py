from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NewEndpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2000)
    description: str | None = Field(default=None, max_length=500)


class EndpointView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    provider_id: str
    url: str
    description: str | None
    enabled: bool
    disabled_reason: str | None
    created_at: datetime


class CreatedEndpoint(EndpointView):
    secret: str = Field(description="Shown once: verify each delivery's webhook-signature with it")


class DeliveryView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="The webhook-id header, the same on every attempt")
    endpoint_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
