"""Tables owned by webhooks: provider endpoints, the messages queued for them, and every attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from probation_shared.db import service_metadata
from probation_shared.events import platform_tables
from probation_shared.events.outbox import BigId


class Base(DeclarativeBase):
    """This service's tables: a metadata of their own."""

    metadata = service_metadata()


PLATFORM = platform_tables(Base.metadata)


class Endpoint(Base):
    __tablename__ = "endpoint"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The owner: a provider id, or `police:<force id>` for a police partner (docs/webhooks.md).
    provider_id: Mapped[str] = mapped_column(String(100), index=True)
    # PROVIDER or POLICE: which notifications the endpoint may receive (a provider's never go to a police
    # endpoint, nor a police partner's to a provider's).
    partner_kind: Mapped[str] = mapped_column(String(20), default="PROVIDER", server_default="PROVIDER")
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(500))
    # None: every event type; else only these.
    event_types: Mapped[list[str] | None] = mapped_column(JSON)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    # Fernet tokens (MultiFernet over the settings' keys): never the secret itself.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    previous_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set by the first failure after a success; cleared by a success. 24 hours of it disables.
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The sequence number the next message for this endpoint takes (order per person).
    next_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Delivery(Base):
    """One message to one endpoint (the Standard Webhooks "message"); its attempts are below."""

    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_due", "status", "next_attempt_at"),
        Index("ix_delivery_person_order", "endpoint_id", "person_key", "seq"),
        Index("ix_delivery_endpoint_due", "endpoint_id", "status", "next_attempt_at"),
        UniqueConstraint("endpoint_id", "seq", name="uq_delivery_endpoint_seq"),
    )

    # The `webhook-id` header: the same on every retry, so receivers can de-duplicate.
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("endpoint.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[str] = mapped_column(String(100), index=True)
    event_type: Mapped[str] = mapped_column(String(200))
    source_event_id: Mapped[str] = mapped_column(String(36))
    # Messages with the same key (the person's CRN) to one endpoint are delivered in `seq` order.
    person_key: Mapped[str] = mapped_column(String(100), default="")
    seq: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Which claim holds the lease (next_attempt_at is then the lease's end); a late result from an
    # older claim is not recorded over a newer one.
    claim_token: Mapped[str | None] = mapped_column(String(40))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dead_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"), index=True)
    endpoint_id: Mapped[str] = mapped_column(String(40), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    latency_ms: Mapped[float] = mapped_column(Float)
    status_code: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(30))
    error: Mapped[str | None] = mapped_column(String(1000))
    response_body: Mapped[str | None] = mapped_column(Text)  # truncated


class OwnerNotice(Base):
    """A message to the contact a provider registered (sent by the notification service, or read here)."""

    __tablename__ = "owner_notice"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(String(100), index=True)
    endpoint_id: Mapped[str] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
