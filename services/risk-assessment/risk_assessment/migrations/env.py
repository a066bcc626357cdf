from probation_shared.migrations import run_env
from risk_assessment.db.models import Base

run_env(Base.metadata)
