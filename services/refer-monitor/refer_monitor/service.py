"""refer-monitor, declared once: its settings, tables, routes and subscriptions."""

from pathlib import Path

from probation_shared.events.topics import PARTNER_NOTIFICATIONS, REFER_MONITOR
from probation_shared.service import ServiceSpec

from .api import catalogue, commissioning, people, referrals
from .db.models import PLATFORM, Base
from .events.handlers import CASE_EVENTS, RISK_EVENTS
from .events.police_handlers import POLICE_EVENTS
from .seed import seed
from .settings import ReferMonitorSettings

SPEC = ServiceSpec(
    name="refer-monitor",
    description="Referrals to commissioned providers and monitoring of their delivery.",
    settings_class=ReferMonitorSettings,
    metadata=Base.metadata,
    tables=PLATFORM,
    migrations_dir=Path(__file__).resolve().parent / "migrations",
    routers=[catalogue.router, referrals.router, people.router, commissioning.router],
    subscriptions=[CASE_EVENTS, RISK_EVENTS, POLICE_EVENTS],
    seed=seed,
    topics=[REFER_MONITOR, PARTNER_NOTIFICATIONS],
)
