"""Tables owned by resettlement."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from probation_shared.db import service_metadata
from probation_shared.events import platform_tables


class Base(DeclarativeBase):
    """This service's tables: a metadata of their own."""

    metadata = service_metadata()


PLATFORM = platform_tables(Base.metadata)


class Prisoner(Base):
    """Someone in custody, projected from case-allocation's events (its custodial sentence, person and manager)."""

    __tablename__ = "prisoner"
    __table_args__ = (
        Index("ix_prisoner_prison_release", "prison_code", "release_date"),
        Index("ix_prisoner_region_release", "region_code", "release_date"),
    )

    crn: Mapped[str] = mapped_column(String(16), primary_key=True)
    noms_number: Mapped[str | None] = mapped_column(String(16))
    full_name: Mapped[str | None] = mapped_column(String(210))
    sentence_id: Mapped[int | None] = mapped_column(Integer)
    confirmed_release_date: Mapped[date | None] = mapped_column(Date)
    actual_parole_date: Mapped[date | None] = mapped_column(Date)
    hdc_actual_date: Mapped[date | None] = mapped_column(Date)
    conditional_release_date: Mapped[date | None] = mapped_column(Date)
    automatic_release_date: Mapped[date | None] = mapped_column(Date)
    licence_expiry_date: Mapped[date | None] = mapped_column(Date)
    release_date: Mapped[date | None] = mapped_column(Date)  # by the precedence rule (domain.release)
    released_on: Mapped[date | None] = mapped_column(Date)
    prison_code: Mapped[str | None] = mapped_column(String(16))
    pdu_code: Mapped[str | None] = mapped_column(String(16))
    region_code: Mapped[str | None] = mapped_column(String(8))
    com_staff_code: Mapped[str | None] = mapped_column(String(32))
    com_name: Mapped[str | None] = mapped_column(String(210))
    com_email: Mapped[str | None] = mapped_column(String(254))
    com_phone: Mapped[str | None] = mapped_column(String(40))
    # The licence's condition codes (domain.licence_conditions), recorded by the POM or COM before release.
    licence_conditions: Mapped[list[str] | None] = mapped_column(JSON)
    # Why the next pack version is due (RELEASE_DATE_CHANGED, REGION_CHANGED, PLAN_CHANGED), None when current.
    pack_due_reason: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Plan(Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    crn: Mapped[str] = mapped_column(String(16), unique=True)
    stage: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class PlanPathway(Base):
    __tablename__ = "plan_pathway"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), primary_key=True)
    pathway: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(24))
    worker: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))


class Report(Base):
    """The immediate-needs report, then the pre-release report pre-filled from it: per pathway, needs and notes."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("crn", "report_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    crn: Mapped[str] = mapped_column(String(16))
    report_type: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))  # DRAFT, SUBMITTED
    pathways: Mapped[dict] = mapped_column(JSON)  # {PATHWAY: {"needs": [code...], "notes": str}}
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str | None] = mapped_column(String(200))


class DirectoryEntry(Base):
    """A local service in a region's directory, for one pathway."""

    __tablename__ = "directory_entry"
    __table_args__ = (Index("ix_directory_region_pathway", "region_code", "pathway"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(String(8))
    pathway: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    what_they_do: Mapped[str] = mapped_column(String(1000))
    town: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(40))
    opening_hours: Mapped[str] = mapped_column(String(200))
    who_can_use_it: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))


class Pack(Base):
    """One version of a person's resettlement pack: kept, with its HTML and PDF, when a newer one is made."""

    __tablename__ = "pack"
    __table_args__ = (UniqueConstraint("crn", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    crn: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    release_date: Mapped[date | None] = mapped_column(Date)
    region_code: Mapped[str | None] = mapped_column(String(8))
    generated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
