"""Tables owned by refer-monitor."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from probation_shared.db import service_metadata
from probation_shared.events import platform_tables

from ..domain.codes import Status
from ..domain.lifecycle import PlanStatus


class Base(DeclarativeBase):
    """This service's tables: a metadata of their own."""

    metadata = service_metadata()


PLATFORM = platform_tables(Base.metadata)

BigId = BigInteger().with_variant(Integer(), "sqlite")
TS = DateTime(timezone=True)


class StrEnumColumn(TypeDecorator):
    """A string enum stored as its plain value in VARCHAR (the same column as before, so no migration); read
    back as the enum."""

    impl = String
    cache_ok = True

    def __init__(self, enum_type: type[enum.StrEnum], length: int = 20) -> None:
        super().__init__(length)
        self.enum_type = enum_type

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else self.enum_type(value).value

    def process_result_value(self, value: Any, dialect: Any) -> enum.StrEnum | None:
        return None if value is None else self.enum_type(value)


class Provider(Base):
    __tablename__ = "provider"

    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Contract(Base):
    """A dynamic framework contract."""

    __tablename__ = "contract"

    reference: Mapped[str] = mapped_column(String(30), primary_key=True)
    contract_type: Mapped[str] = mapped_column(String(40))
    prime_provider_id: Mapped[str] = mapped_column(ForeignKey("provider.id"), index=True)
    region: Mapped[str | None] = mapped_column(String(60))
    pcc_area: Mapped[str | None] = mapped_column(String(80))
    eligible_sex: Mapped[str] = mapped_column(String(10), default="ALL")
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    referral_start_date: Mapped[date] = mapped_column(Date)
    referral_end_date: Mapped[date] = mapped_column(Date)
    fixed_price_pence: Mapped[int] = mapped_column(Integer)
    volume_cap: Mapped[int] = mapped_column(Integer)


class Subcontractor(Base):
    __tablename__ = "contract_subcontractor"

    contract_reference: Mapped[str] = mapped_column(ForeignKey("contract.reference"), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("provider.id"), primary_key=True, index=True)


class Intervention(Base):
    __tablename__ = "intervention"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    contract_reference: Mapped[str] = mapped_column(ForeignKey("contract.reference"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class PersonProjection(Base):
    """What refer-monitor knows of a person, kept current from case-allocation and risk-assessment."""

    __tablename__ = "person_projection"

    crn: Mapped[str] = mapped_column(String(7), primary_key=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(20))
    address_id: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    phone: Mapped[str | None] = mapped_column(String(40))
    practitioner: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    risk_summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    rosh_level: Mapped[str | None] = mapped_column(String(20))
    risk_summary_at: Mapped[datetime | None] = mapped_column(TS)
    tier: Mapped[str | None] = mapped_column(String(5))
    registrations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    enforcement: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    custodial: Mapped[bool | None] = mapped_column(Boolean)
    # Who holds the case in custody (case-allocation's OMiC handover): POM or COM, and the handover date.
    responsible: Mapped[str | None] = mapped_column(String(3))
    handover_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime | None] = mapped_column(TS)


class Referral(Base):
    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_contract_status", "contract_reference", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(8), unique=True)
    crn: Mapped[str] = mapped_column(String(7), index=True)
    intervention_id: Mapped[str] = mapped_column(ForeignKey("intervention.id"))
    contract_reference: Mapped[str] = mapped_column(ForeignKey("contract.reference"))
    status: Mapped[Status] = mapped_column(StrEnumColumn(Status))
    outcome: Mapped[str | None] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(TS)
    sent_by: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(TS, index=True)
    assigned_to: Mapped[str | None] = mapped_column(String(200))
    assigned_at: Mapped[datetime | None] = mapped_column(TS)
    complexity_level: Mapped[str | None] = mapped_column(String(20))
    desired_outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    completion_deadline: Mapped[date | None] = mapped_column(Date)
    custody: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_release_date: Mapped[date | None] = mapped_column(Date)
    expected_release_missing_reason: Mapped[str | None] = mapped_column(Text)
    risk_summary_max_age_days: Mapped[int] = mapped_column(Integer)
    over_cap_reason: Mapped[str | None] = mapped_column(Text)
    withdrawal_code: Mapped[str | None] = mapped_column(String(3))
    withdrawal_comments: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None] = mapped_column(TS)
    ended_at: Mapped[datetime | None] = mapped_column(TS)
    concluded_at: Mapped[datetime | None] = mapped_column(TS)
    provider_view: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    provider_view_version: Mapped[int] = mapped_column(Integer, default=0)
    provider_view_updated_at: Mapped[datetime | None] = mapped_column(TS)


# A provider's referral list: one contract's referrals in the page's order (newest first, then id), so a
# page is read off the index with no sort, however many referrals share a timestamp.
Index("ix_referral_contract_created_id", Referral.contract_reference, Referral.created_at.desc(), Referral.id)


class ProviderViewHistory(Base):
    """What the provider was shown on a referral, and when."""

    __tablename__ = "referral_view_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    changed: Mapped[list[str]] = mapped_column(JSON, default=list)
    view: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(TS)


class Assignment(Base):
    """Each assignment of a referral to a caseworker (the first, and every re-assignment): who assigned it,
    when, from whom and to whom."""

    __tablename__ = "referral_assignment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True)
    provider_id: Mapped[str] = mapped_column(String(50))
    assigned_from: Mapped[str | None] = mapped_column(String(200))
    assigned_to: Mapped[str] = mapped_column(String(200))
    assigned_by: Mapped[str] = mapped_column(String(200))
    assigned_at: Mapped[datetime] = mapped_column(TS)


class ProviderCaseworker(Base):
    """A provider caseworker refer-monitor has seen, under the provider their token named: a referral is
    assigned only to a caseworker known for the assigning provider."""

    __tablename__ = "provider_caseworker"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("provider.id"), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(TS)


class ContractChange(Base):
    """One change to a contract's terms through the API: the field, old and new values, who and when."""

    __tablename__ = "contract_change"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_reference: Mapped[str] = mapped_column(ForeignKey("contract.reference"), index=True)
    field: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(TS)


class Amendment(Base):
    __tablename__ = "referral_amendment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True)
    field: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    amended_at: Mapped[datetime] = mapped_column(TS)


class Appointment(Base):
    __tablename__ = "appointment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # INITIAL_ASSESSMENT | SESSION
    session_number: Mapped[int | None] = mapped_column(Integer)
    scheduled_at: Mapped[datetime] = mapped_column(TS)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    attendance: Mapped[str | None] = mapped_column(String(10))
    attendance_notes: Mapped[str | None] = mapped_column(Text)
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(TS)
    feedback: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    feedback_at: Mapped[datetime | None] = mapped_column(TS)
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)


class ActionPlan(Base):
    __tablename__ = "action_plan"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True)
    number_of_sessions: Mapped[int] = mapped_column(Integer)
    activities: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[PlanStatus] = mapped_column(StrEnumColumn(PlanStatus))
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(TS)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(TS)


class EndOfServiceReport(Base):
    __tablename__ = "end_of_service_report"

    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), primary_key=True)
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    further_information: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(TS)


class ProviderUpdate(Base):
    """A case note or progress update posted by a provider on a referral."""

    __tablename__ = "provider_update"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True)
    crn: Mapped[str] = mapped_column(String(7), index=True)
    provider_id: Mapped[str] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(TS)


class SharingConsent(Base):
    """The person's sharing consent per update category, recorded by a practitioner."""

    __tablename__ = "sharing_consent"

    crn: Mapped[str] = mapped_column(String(7), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    recorded_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(TS)


class SharingOverride(Base):
    """A practitioner's release or withholding of one update, with the reason."""

    __tablename__ = "sharing_override"

    update_id: Mapped[str] = mapped_column(ForeignKey("provider_update.id"), primary_key=True)
    decision: Mapped[str] = mapped_column(String(10))  # RELEASE | WITHHOLD
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(TS)


class HealthConsent(Base):
    """The person's consent, recorded by probation staff, to one provider seeing their health information
    (risk to self, mental and physical health, medication, substance use). No row: no consent."""

    __tablename__ = "health_consent"

    crn: Mapped[str] = mapped_column(String(7), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("provider.id"), primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(TS)
