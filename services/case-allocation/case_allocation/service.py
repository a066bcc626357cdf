"""case-allocation, declared once: its settings, tables, routes and subscriptions."""

from pathlib import Path

from probation_shared.events.topics import CASE_ALLOCATION
from probation_shared.service import ServiceSpec

from .api import people
from .db.models import PLATFORM, Base
from .settings import CaseAllocationSettings

SPEC = ServiceSpec(
    name="case-allocation",
    description="People on probation, sentences, registrations, staff and allocation (the nDelius role).",
    settings_class=CaseAllocationSettings,
    metadata=Base.metadata,
    tables=PLATFORM,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    routers=[people.router],
    topics=[CASE_ALLOCATION],
)
