from case_allocation.db.models import Base
from probation_shared.migrations import run_env

run_env(Base.metadata)
