"""resettlement, declared once: its settings, tables, routes and subscriptions."""

from pathlib import Path

from probation_shared.events.topics import RESETTLEMENT
from probation_shared.service import ServiceSpec

from .db.models import PLATFORM, Base
from .settings import ResettlementSettings

SPEC = ServiceSpec(
    name="resettlement",
    description="Resettlement packs for everyone due for release, localised by region.",
    settings_class=ResettlementSettings,
    metadata=Base.metadata,
    tables=PLATFORM,
    migrations_dir=Path(__file__).resolve().parent / "migrations",
    topics=[RESETTLEMENT],
)
