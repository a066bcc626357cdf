"""refer-monitor, declared once: its settings, tables, routes and subscriptions."""

from pathlib import Path

from probation_shared.events.topics import REFER_MONITOR
from probation_shared.service import ServiceSpec

from .db.models import PLATFORM, Base
from .settings import ReferMonitorSettings

SPEC = ServiceSpec(
    name="refer-monitor",
    description="Referrals to commissioned providers and monitoring of their delivery.",
    settings_class=ReferMonitorSettings,
    metadata=Base.metadata,
    tables=PLATFORM,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    topics=[REFER_MONITOR],
)
