from probation_shared.migrations import run_env
from refer_monitor.db.models import Base

run_env(Base.metadata)
