"""Tables owned by risk-assessment."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from probation_shared.db import service_metadata
from probation_shared.events import platform_tables


class Base(DeclarativeBase):
    """This service's tables: a metadata of their own."""

    metadata = service_metadata()


PLATFORM = platform_tables(Base.metadata)


class PersonRecord(Base):
    """This service's own record of a person, learned from case-allocation events."""

    __tablename__ = "person"

    crn: Mapped[str] = mapped_column(String(7), primary_key=True)
    noms_number: Mapped[str | None] = mapped_column(String(7))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # From case-allocation's /people/{crn} (detailUrl of engagement / personal-details events).
    sex: Mapped[str | None] = mapped_column(String(20))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    # From sentence / requirement events: a current custodial sentence, or a community one with a non-UPW requirement.
    mandate_for_change: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # From enforcement.breach.raised (a women's tiering factor).
    previous_enforcement: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    current_tier: Mapped[str | None] = mapped_column(String(4))
    # The latest A–G tier ("A".."G", MISSING, NOT_SUPERVISED).
    current_tier_ag: Mapped[str | None] = mapped_column(String(16))


class Sentence(Base):
    """Projection of case-allocation sentences: whether the person has an active event (the A–G tier's "supervised")."""

    __tablename__ = "sentence"

    sentence_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    crn: Mapped[str] = mapped_column(String(7), index=True)
    sentence_type: Mapped[str | None] = mapped_column(String(40))
    custodial: Mapped[bool | None] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Registration(Base):
    """Projection of case-allocation registrations (RoSH, MAPPA, IOM, PRC, complexity codes...)."""

    __tablename__ = "registration"

    registration_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    crn: Mapped[str] = mapped_column(String(7), index=True)
    type_code: Mapped[str] = mapped_column(String(20))
    level: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deregistered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Assessment(Base):
    """One version of a person's needs assessment: DRAFT, then COMPLETE (locked)."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("crn", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    crn: Mapped[str] = mapped_column(String(7), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    # {SECTION: {"answers": {question: answer}, "linkedToHarm": bool, "linkedToReoffending": bool}}
    sections: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_by: Mapped[str | None] = mapped_column(String(200))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AssessmentRevision(Base):
    """Every saved state of an assessment, so it can be read as it stood at any time."""

    __tablename__ = "assessment_revision"
    __table_args__ = (UniqueConstraint("assessment_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    sections: Mapped[dict] = mapped_column(JSON)
    saved_by: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoshVersion(Base):
    """One version of the risk of serious harm picture: from a full assessment or a re-rating."""

    __tablename__ = "rosh_version"
    __table_args__ = (UniqueConstraint("crn", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    crn: Mapped[str] = mapped_column(String(7), index=True)
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))  # ASSESSMENT | RE_RATING
    assessment_id: Mapped[str | None] = mapped_column(String(36))
    community: Mapped[dict] = mapped_column(JSON)
    custody: Mapped[dict | None] = mapped_column(JSON)
    overall: Mapped[str] = mapped_column(String(10))
    narrative: Mapped[dict] = mapped_column(JSON)
    risk_to_self: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoshVictim(Base):
    """Victim details: the separate, classified part of a RoSH version."""

    __tablename__ = "rosh_victim"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rosh_version_id: Mapped[str] = mapped_column(ForeignKey("rosh_version.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    relationship: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))


class Score(Base):
    """A recorded predictor score: OGRS3 (computed here from its inputs), RSR and OSP (recorded)."""

    __tablename__ = "score"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    crn: Mapped[str] = mapped_column(String(7), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # OGRS3 | RSR | OSP_C | OSP_I
    inputs: Mapped[dict] = mapped_column(JSON)
    # OGRS3: two-year %; RSR/OSP: the score in hundredths (23.00 → 2300), exact on every database.
    value: Mapped[int] = mapped_column(Integer)
    one_year: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(10))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TierCalculation(Base):
    """Every tier calculation with its inputs and points breakdown."""

    __tablename__ = "tier_calculation"
    __table_args__ = (Index("ix_tier_calculation_crn_at", "crn", "calculated_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    crn: Mapped[str] = mapped_column(String(7))
    tier: Mapped[str] = mapped_column(String(4))
    previous_tier: Mapped[str | None] = mapped_column(String(4))
    changed: Mapped[bool] = mapped_column(Boolean)
    protect_level: Mapped[str] = mapped_column(String(1))
    protect_points: Mapped[int] = mapped_column(Integer)
    change_level: Mapped[int] = mapped_column(Integer)
    change_points: Mapped[int | None] = mapped_column(Integer)
    inputs: Mapped[dict] = mapped_column(JSON)
    breakdown: Mapped[dict] = mapped_column(JSON)
    trigger: Mapped[str] = mapped_column(String(200))
    calculated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The A–G tier computed in the same calculation (null on rows from before it existed).
    tier_ag: Mapped[str | None] = mapped_column(String(16))
    tier_ag_provisional: Mapped[bool | None] = mapped_column(Boolean)
    previous_tier_ag: Mapped[str | None] = mapped_column(String(16))
    tier_ag_changed: Mapped[bool | None] = mapped_column(Boolean)
    tier_ag_inputs: Mapped[dict | None] = mapped_column(JSON)
    tier_ag_breakdown: Mapped[dict | None] = mapped_column(JSON)


class Referral(Base):
    """Projection of refer-monitor referrals: which provider has an active referral for whom."""

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_crn_provider", "crn", "provider_id"),)

    referral_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    crn: Mapped[str] = mapped_column(String(7))
    provider_id: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PsrProposal(Base):
    """Proposed sentence options for a pre-sentence report, and any professional override."""

    __tablename__ = "psr_proposal"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    crn: Mapped[str] = mapped_column(String(7), index=True)
    offence_code: Mapped[str] = mapped_column(String(10))
    offence_description: Mapped[str] = mapped_column(String(500))
    inputs: Mapped[dict] = mapped_column(JSON)
    options: Mapped[list] = mapped_column(JSON)
    override: Mapped[dict | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
