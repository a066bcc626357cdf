"""webhooks, declared once: its settings, tables, routes and subscriptions."""

from pathlib import Path

from probation_shared.service import ServiceSpec

from .db.models import PLATFORM, Base
from .settings import WebhooksSettings

SPEC = ServiceSpec(
    name="webhooks",
    description="Signed, retried delivery of redacted notifications to provider webhooks.",
    settings_class=WebhooksSettings,
    metadata=Base.metadata,
    tables=PLATFORM,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    topics=[],
)
