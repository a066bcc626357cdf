"""case-allocation, declared once: its settings, tables, routes and subscriptions."""

from pathlib import Path

from probation_shared.events.topics import CASE_ALLOCATION
from probation_shared.service import ServiceSpec

from . import jobs
from .api import admin, allocation, contacts, org, people, registrations, sentences
from .db.models import PLATFORM, Base
from .events.consume import ENHANCED_SUPPORT_SUBSCRIPTION, TIER_SUBSCRIPTION
from .seed import seed
from .settings import CaseAllocationSettings

SPEC = ServiceSpec(
    name="case-allocation",
    description="People on probation, sentences, registrations, staff and allocation (the nDelius role).",
    settings_class=CaseAllocationSettings,
    metadata=Base.metadata,
    tables=PLATFORM,
    migrations_dir=Path(__file__).resolve().parent / "migrations",
    routers=[
        people.router,
        sentences.router,
        registrations.router,
        org.router,
        allocation.router,
        contacts.router,
        admin.router,
    ],
    subscriptions=[TIER_SUBSCRIPTION, ENHANCED_SUPPORT_SUBSCRIPTION],
    seed=seed,
    jobs=[jobs.handover_job],
    topics=[CASE_ALLOCATION],
)
