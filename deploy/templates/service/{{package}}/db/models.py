"""Tables owned by {{name}}."""

from probation_shared.db import create_base
from probation_shared.events import platform_tables

Base = create_base()
PLATFORM = platform_tables(Base.metadata)
