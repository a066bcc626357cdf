"""Tables owned by case-allocation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from probation_shared.db import service_metadata
from probation_shared.events import platform_tables


class Base(DeclarativeBase):
    """This service's tables: a metadata of their own."""

    metadata = service_metadata()


PLATFORM = platform_tables(Base.metadata)

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


# --- organisation -----------------------------------------------------------------------------


class Region(Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Pdu(Base):
    __tablename__ = "pdu"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)


class Team(Base):
    __tablename__ = "team"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    pdu_code: Mapped[str] = mapped_column(ForeignKey("pdu.code"), index=True)


class Staff(Base):
    __tablename__ = "staff"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    grade: Mapped[str] = mapped_column(String(10))
    team_code: Mapped[str] = mapped_column(ForeignKey("team.code"), index=True)
    contracted_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Reduction(Base):
    __tablename__ = "reduction"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    staff_code: Mapped[str] = mapped_column(ForeignKey("staff.code"), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    reason: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class CourtReport(Base):
    """A pre-sentence report a practitioner is writing: it weighs in their workload until completed."""

    __tablename__ = "court_report"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    staff_code: Mapped[str] = mapped_column(ForeignKey("staff.code"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # STANDARD | FAST
    requested_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)


# --- people -----------------------------------------------------------------------------------


class Person(Base):
    __tablename__ = "person"

    crn: Mapped[str] = mapped_column(String(7), primary_key=True)
    noms_number: Mapped[str | None] = mapped_column(String(7), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date, index=True)
    sex: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    tier: Mapped[str | None] = mapped_column(String(4))
    # Denormalised: any limited-access row exists (keeps the common read to one indexed lookup).
    limited_access: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class LimitedAccess(Base):
    __tablename__ = "limited_access"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    crn: Mapped[str] = mapped_column(ForeignKey("person.crn"), index=True)
    kind: Mapped[Literal["RESTRICTION", "EXCLUSION"]] = mapped_column(String(12))
    staff_code: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Address(Base):
    __tablename__ = "address"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    crn: Mapped[str] = mapped_column(ForeignKey("person.crn"), index=True)
    status: Mapped[str] = mapped_column(String(12))  # MAIN | SECONDARY | PREVIOUS
    address_type: Mapped[str] = mapped_column(String(30))  # e.g. HOME, APPROVED_PREMISES, HOSTEL, NO_FIXED_ABODE
    line1: Mapped[str | None] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    county: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(10))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- court events and sentences ---------------------------------------------------------------


class Conviction(Base):
    __tablename__ = "conviction"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    crn: Mapped[str] = mapped_column(ForeignKey("person.crn"), index=True)
    conviction_date: Mapped[date] = mapped_column(Date)
    court: Mapped[str | None] = mapped_column(String(200))


class Offence(Base):
    __tablename__ = "offence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    conviction_id: Mapped[int] = mapped_column(ForeignKey("conviction.id"), index=True)
    code: Mapped[str] = mapped_column(String(10))  # Home Office offence code, e.g. 02801
    description: Mapped[str | None] = mapped_column(String(300))
    main: Mapped[bool] = mapped_column(Boolean, default=False)


class Sentence(Base):
    __tablename__ = "sentence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    crn: Mapped[str] = mapped_column(ForeignKey("person.crn"), index=True)
    conviction_id: Mapped[int] = mapped_column(ForeignKey("conviction.id"), index=True)
    sentence_type: Mapped[str] = mapped_column(String(30))
    length_value: Mapped[int] = mapped_column(Integer)
    length_unit: Mapped[str] = mapped_column(String(10))
    sentence_date: Mapped[date] = mapped_column(Date)
    expected_end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="ACTIVE")  # ACTIVE | TERMINATED
    terminated_on: Mapped[date | None] = mapped_column(Date)
    termination_reason: Mapped[str | None] = mapped_column(String(300))
    # custody
    confirmed_release_date: Mapped[date | None] = mapped_column(Date)
    actual_parole_date: Mapped[date | None] = mapped_column(Date)
    hdc_actual_date: Mapped[date | None] = mapped_column(Date)
    conditional_release_date: Mapped[date | None] = mapped_column(Date)
    automatic_release_date: Mapped[date | None] = mapped_column(Date)
    licence_expiry_date: Mapped[date | None] = mapped_column(Date)
    released_on: Mapped[date | None] = mapped_column(Date)
    prison_code: Mapped[str | None] = mapped_column(String(16))


class Requirement(Base):
    __tablename__ = "requirement"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sentence_id: Mapped[int] = mapped_column(ForeignKey("sentence.id"), index=True)
    requirement_type: Mapped[str] = mapped_column(String(10))
    length: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(10))
    completed: Mapped[int] = mapped_column(Integer, default=0)  # in the type's progress unit (domain.sentences)
    # Curfew / electronic monitoring: hours, address, provider and tag (domain.sentences.MONITORED).
    monitoring: Mapped[dict | None] = mapped_column(JSON)
    start_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="ACTIVE")
    terminated_on: Mapped[date | None] = mapped_column(Date)
    termination_reason: Mapped[str | None] = mapped_column(String(300))


# --- registrations ----------------------------------------------------------------------------


class Registration(Base):
    __tablename__ = "registration"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    crn: Mapped[str] = mapped_column(ForeignKey("person.crn"), index=True)
    type_code: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(30))
    level: Mapped[str | None] = mapped_column(String(10))
    register_category: Mapped[str | None] = mapped_column(String(10))
    registered_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(14), default="ACTIVE")  # ACTIVE | DEREGISTERED
    deregistered_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)


class RegistrationHistory(Base):
    __tablename__ = "registration_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    action: Mapped[str] = mapped_column(String(14))  # ADDED | UPDATED | DEREGISTERED
    level: Mapped[str | None] = mapped_column(String(10))
    register_category: Mapped[str | None] = mapped_column(String(10))
    notes: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- allocation -------------------------------------------------------------------------------


class Case(Base):
    """One per sentence: the unit that is allocated to a practitioner and weighed in workload."""

    __tablename__ = "allocation_case"
    __table_args__ = (
        Index("ix_case_pdu_status_due", "pdu_code", "status", "due_date"),
        Index("ix_case_staff_status", "staff_code", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    crn: Mapped[str] = mapped_column(ForeignKey("person.crn"), index=True)
    sentence_id: Mapped[int] = mapped_column(ForeignKey("sentence.id"), unique=True)
    pdu_code: Mapped[str] = mapped_column(ForeignKey("pdu.code"))
    case_type: Mapped[str] = mapped_column(String(10))  # COMMUNITY | LICENCE | CUSTODY
    points: Mapped[int] = mapped_column(Integer, default=0)
    upw_only: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12))  # UNALLOCATED | ALLOCATED | CLOSED
    sentence_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    staff_code: Mapped[str | None] = mapped_column(ForeignKey("staff.code"))
    team_code: Mapped[str | None] = mapped_column(String(20))
    allocated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_on: Mapped[date | None] = mapped_column(Date)


class Allocation(Base):
    """Every allocation and transfer, with its reason and any over-capacity override."""

    __tablename__ = "allocation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("allocation_case.id"), index=True)
    crn: Mapped[str] = mapped_column(String(7), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # ALLOCATED | TRANSFERRED
    staff_code: Mapped[str] = mapped_column(String(20))
    team_code: Mapped[str] = mapped_column(String(20))
    pdu_code: Mapped[str] = mapped_column(String(20))
    previous_staff_code: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(500))
    override_reason: Mapped[str | None] = mapped_column(String(500))
    allocated_by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HandoverState(Base):
    """OMiC: who holds the person's current custodial sentence now, and when it passes to the COM."""

    __tablename__ = "handover"

    crn: Mapped[str] = mapped_column(ForeignKey("person.crn"), primary_key=True)
    sentence_id: Mapped[int] = mapped_column(ForeignKey("sentence.id"))
    responsible: Mapped[str] = mapped_column(String(3))  # COM | POM
    handover_date: Mapped[date | None] = mapped_column(Date, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- contacts and enforcement -----------------------------------------------------------------


class Contact(Base):
    __tablename__ = "contact"
    __table_args__ = (Index("ix_contact_crn_date", "crn", "contact_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    crn: Mapped[str] = mapped_column(ForeignKey("person.crn"))
    sentence_id: Mapped[int | None] = mapped_column(ForeignKey("sentence.id"))
    contact_type: Mapped[str] = mapped_column(String(30))
    face_to_face: Mapped[bool] = mapped_column(Boolean)
    contact_date: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))
    staff_code: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))


class Breach(Base):
    __tablename__ = "breach"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    crn: Mapped[str] = mapped_column(ForeignKey("person.crn"), index=True)
    sentence_id: Mapped[int | None] = mapped_column(ForeignKey("sentence.id"))
    raised_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300))
    contact_ids: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="OPEN")


class DrugTest(Base):
    __tablename__ = "drug_test"
    __table_args__ = (Index("ix_drug_test_crn_date", "crn", "test_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    crn: Mapped[str] = mapped_column(ForeignKey("person.crn"))
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("requirement.id"))
    test_date: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(10))  # POSITIVE | NEGATIVE | REFUSED
    substances: Mapped[list] = mapped_column(JSON)
    flagged_for_enforcement: Mapped[bool] = mapped_column(Boolean, default=False)
    police_partner_notifiable: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str] = mapped_column(String(200))
