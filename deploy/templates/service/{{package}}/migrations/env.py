from probation_shared.migrations import run_env
from {{package}}.db.models import Base

run_env(Base.metadata)
