"""risk-assessment, declared once: its settings, tables, routes and subscriptions."""

from pathlib import Path

from probation_shared.events.topics import RISK_ASSESSMENT
from probation_shared.service import ServiceSpec

from .api import assessments, people, psr, risk, scores, tiers
from .db.models import PLATFORM, Base
from .events.handlers import CASE_EVENTS, REFERRAL_EVENTS
from .settings import RiskAssessmentSettings

SPEC = ServiceSpec(
    name="risk-assessment",
    description="Needs and risk of serious harm assessments, OGRS3 and tiering (the OASys role).",
    settings_class=RiskAssessmentSettings,
    metadata=Base.metadata,
    tables=PLATFORM,
    migrations_dir=Path(__file__).resolve().parent / "migrations",
    routers=[people.router, assessments.router, risk.router, scores.router, tiers.router, psr.router],
    subscriptions=[CASE_EVENTS, REFERRAL_EVENTS],
    topics=[RISK_ASSESSMENT],
)
