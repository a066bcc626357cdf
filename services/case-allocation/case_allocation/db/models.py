"""Tables owned by case-allocation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from probation_shared.db import create_base
from probation_shared.events import platform_tables

Base = create_base()
PLATFORM = platform_tables(Base.metadata)


class Person(Base):
    __tablename__ = "person"

    crn: Mapped[str] = mapped_column(String(7), primary_key=True)
    noms_number: Mapped[str | None] = mapped_column(String(7), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
