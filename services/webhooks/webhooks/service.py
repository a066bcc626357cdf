"""webhooks, declared once: its settings, tables, routes, subscriptions and delivery job."""

from pathlib import Path

from probation_shared.events.topics import WEBHOOKS
from probation_shared.service import ServiceSpec

from .api import endpoints, operations, police
from .db.models import PLATFORM, Base
from .delivery_worker import delivery_job
from .events.handlers import PARTNER_EVENTS
from .settings import WebhooksSettings

SPEC = ServiceSpec(
    name="webhooks",
    description="Signed, retried delivery of redacted notifications to partner webhooks (Standard Webhooks).",
    settings_class=WebhooksSettings,
    metadata=Base.metadata,
    tables=PLATFORM,
    migrations_dir=Path(__file__).resolve().parent / "migrations",
    routers=[endpoints.router, operations.router, police.router],
    subscriptions=[PARTNER_EVENTS],
    jobs=[delivery_job],
    topics=[WEBHOOKS],
)
