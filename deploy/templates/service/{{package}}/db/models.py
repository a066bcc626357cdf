"""Tables owned by {{name}}."""

from sqlalchemy.orm import DeclarativeBase

from probation_shared.db import service_metadata
from probation_shared.events import platform_tables


class Base(DeclarativeBase):
    """This service's tables: a metadata of their own."""

    metadata = service_metadata()


PLATFORM = platform_tables(Base.metadata)
