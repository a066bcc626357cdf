"""{{name}}, declared once: its settings, tables, routes and subscriptions."""

from pathlib import Path

from probation_shared.service import ServiceSpec

from .api import ROUTERS
from .db.models import PLATFORM, Base
from .events import SUBSCRIPTIONS
from .settings import {{Class}}Settings

SPEC = ServiceSpec(
    name="{{name}}",
    description="{{description}}",
    settings_class={{Class}}Settings,
    metadata=Base.metadata,
    tables=PLATFORM,
    migrations_dir=Path(__file__).resolve().parent / "migrations",
    routers=ROUTERS,
    subscriptions=SUBSCRIPTIONS,
)
