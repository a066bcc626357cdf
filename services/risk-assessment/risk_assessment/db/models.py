"""Tables owned by risk-assessment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from probation_shared.db import create_base
from probation_shared.events import platform_tables

Base = create_base()
PLATFORM = platform_tables(Base.metadata)


class PersonRecord(Base):
    """This service's own record of a person, learned from case-allocation events."""

    __tablename__ = "person"

    crn: Mapped[str] = mapped_column(String(7), primary_key=True)
    noms_number: Mapped[str | None] = mapped_column(String(7))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
