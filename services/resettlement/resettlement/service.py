"""resettlement, declared once: its settings, tables, routes and subscriptions."""

from pathlib import Path

from probation_shared.events.topics import RESETTLEMENT
from probation_shared.service import ServiceSpec

from .api import ROUTERS
from .db.models import PLATFORM, Base
from .events import SUBSCRIPTIONS
from .jobs import pack_job
from .seed import seed
from .settings import ResettlementSettings

SPEC = ServiceSpec(
    name="resettlement",
    description="Resettlement packs for everyone due for release, localised by region.",
    settings_class=ResettlementSettings,
    metadata=Base.metadata,
    tables=PLATFORM,
    migrations_dir=Path(__file__).resolve().parent / "migrations",
    routers=ROUTERS,
    subscriptions=SUBSCRIPTIONS,
    seed=seed,
    jobs=[pack_job],
    topics=[RESETTLEMENT],
)
