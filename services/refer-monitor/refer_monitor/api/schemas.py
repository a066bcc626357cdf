"""Request and response bodies; personal fields carry their data class for redaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from probation_shared.redaction import Classified, DataClass

from ..domain.sharing import Category
from ..domain.views import ProviderView

CRN = Field(pattern=r"^[A-Z][0-9]{6}$")
Text = Annotated[str, Field(min_length=1, max_length=4000)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- catalogue ----------------------------------------------------------------------------------


class NewProvider(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,49}$")
    name: ShortText


class ProviderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str


class NewContract(Strict):
    reference: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,29}$")
    contract_type: str
    prime_provider_id: str
    subcontractor_ids: list[str] = []
    region: str | None = None
    pcc_area: str | None = None
    eligible_sex: Literal["ALL", "MALE", "FEMALE"] = "ALL"
    min_age: int | None = Field(default=None, ge=10, le=120)
    max_age: int | None = Field(default=None, ge=10, le=120)
    referral_start_date: date
    referral_end_date: date
    fixed_price_pence: int = Field(ge=0)
    volume_cap: int = Field(ge=1)


class ContractOut(BaseModel):
    reference: str
    contract_type: str
    prime_provider_id: str
    subcontractor_ids: list[str]
    region: str | None
    pcc_area: str | None
    eligible_sex: str
    min_age: int | None
    max_age: int | None
    referral_start_date: date
    referral_end_date: date
    fixed_price_pence: int
    volume_cap: int


class NewIntervention(Strict):
    contract_reference: str
    title: ShortText
    description: str = Field(default="", max_length=4000)


class InterventionOut(BaseModel):
    id: str
    title: str
    description: str
    contract_reference: str
    contract_type: str
    prime_provider_id: str
    region: str | None
    pcc_area: str | None
    eligible_sex: str
    min_age: int | None
    max_age: int | None
    referral_end_date: date


# --- referrals ----------------------------------------------------------------------------------


class NewReferral(Strict):
    crn: str = CRN
    intervention_id: str = Field(min_length=1, max_length=36)
    complexity_level: Literal["LOW", "MEDIUM", "HIGH"] | None = None
    desired_outcomes: list[ShortText] = Field(default=[], max_length=20)
    needs: list[ShortText] = Field(default=[], max_length=20)
    completion_deadline: date | None = None
    custody: bool = False
    expected_release_date: date | None = None
    expected_release_missing_reason: Annotated[str, Field(max_length=2000)] | None = None
    risk_summary_max_age_days: int | None = Field(default=None, ge=1, le=730)


class SendReferral(Strict):
    over_cap_reason: Annotated[str, Field(max_length=2000)] | None = None


class Amend(Strict):
    reason: Annotated[str, Field(max_length=2000)] | None = None
    complexity_level: Literal["LOW", "MEDIUM", "HIGH"] | None = None
    desired_outcomes: list[ShortText] | None = Field(default=None, max_length=20)
    needs: list[ShortText] | None = Field(default=None, max_length=20)
    completion_deadline: date | None = None
    expected_release_date: date | None = None
    expected_release_missing_reason: Annotated[str, Field(max_length=2000)] | None = None


class Assign(Strict):
    caseworker: ShortText | None = None


class Withdraw(Strict):
    code: str = Field(max_length=20)  # validated against the withdrawal codes by the domain (400 when unknown)
    comments: Annotated[str, Field(max_length=2000)] | None = None


class NewAppointment(Strict):
    kind: Literal["INITIAL_ASSESSMENT", "SESSION"]
    session_number: int | None = Field(default=None, ge=1, le=500)
    scheduled_at: datetime
    duration_minutes: int = Field(default=60, ge=5, le=600)


class Attendance(Strict):
    attendance: Literal["YES", "LATE", "NO"]
    notes: Annotated[str, Field(max_length=4000)] | None = None


class Feedback(Strict):
    summary: Text
    engagement: Annotated[str, Field(max_length=2000)] | None = None
    concerns: Annotated[str, Field(max_length=2000)] | None = None


class NewActionPlan(Strict):
    number_of_sessions: int = Field(ge=1, le=500)
    activities: list[ShortText] = Field(min_length=1, max_length=50)


class OutcomeAchievement(Strict):
    desired_outcome: ShortText
    achievement: Literal["ACHIEVED", "PARTIALLY_ACHIEVED", "NOT_ACHIEVED"]
    notes: Annotated[str, Field(max_length=2000)] | None = None


class EndOfServiceReportIn(Strict):
    outcomes: list[OutcomeAchievement] = Field(max_length=20)
    further_information: Annotated[str, Field(max_length=4000)] | None = None


class AppointmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    kind: str
    session_number: int | None
    scheduled_at: datetime
    duration_minutes: int
    attendance: str | None
    attendance_notes: Annotated[str | None, Classified(DataClass.PROVIDER_UPDATES)] = None
    feedback: Annotated[dict[str, Any] | None, Classified(DataClass.PROVIDER_UPDATES)] = None


class ActionPlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    number_of_sessions: int
    activities: list[str]
    status: str
    submitted_at: datetime
    approved_at: datetime | None


class ReferralOut(BaseModel):
    id: str
    reference: str | None
    crn: str
    intervention_id: str
    contract_reference: str
    prime_provider_id: str
    status: str
    outcome: str | None
    awaiting_end_of_service_report: bool
    created_at: datetime
    sent_at: datetime | None
    assigned_to: str | None
    complexity_level: str | None
    desired_outcomes: list[str]
    needs: list[str]
    completion_deadline: date | None
    custody: bool
    expected_release_date: Annotated[date | None, Classified(DataClass.SENTENCE)] = None
    expected_release_missing_reason: Annotated[str | None, Classified(DataClass.SENTENCE)] = None
    withdrawal_code: str | None
    over_cap_reason: str | None
    provider_view: ProviderView | None
    provider_view_version: int
    provider_view_updated_at: datetime | None


class ReferralSummary(BaseModel):
    id: str
    reference: str | None
    crn: str
    contract_reference: str
    status: str
    outcome: str | None
    sent_at: datetime | None
    assigned_to: str | None
    person_name: Annotated[str | None, Classified(DataClass.IDENTITY)] = None


class AmendmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    field: str
    old_value: Any
    new_value: Any
    reason: str
    author: str
    amended_at: datetime


class ViewHistoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    reason: str
    changed: list[str]
    recorded_at: datetime
    view: ProviderView


# --- updates, consent, timeline ------------------------------------------------------------------


class NewUpdate(Strict):
    category: Category
    text: Text


class UpdateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    referral_id: str
    provider_id: str
    category: str
    text: Annotated[str, Classified(DataClass.PROVIDER_UPDATES)]
    created_at: datetime


class ConsentIn(Strict):
    granted: bool
    note: Annotated[str, Field(max_length=2000)] | None = None


class ConsentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    crn: str
    category: str
    granted: bool
    recorded_by: str
    recorded_at: datetime


class OverrideIn(Strict):
    decision: Literal["RELEASE", "WITHHOLD"]
    reason: Text


class OverrideOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    update_id: str
    decision: str
    reason: str
    author: str
    decided_at: datetime


class TimelineEntry(BaseModel):
    at: datetime
    kind: str
    referral_id: str
    referral_reference: str | None = None
    contract_reference: str | None = None
    status: str | None = None
    outcome: str | None = None
    update_id: str | None = None
    provider_id: str | None = None
    category: str | None = None
    text: Annotated[str | None, Classified(DataClass.PROVIDER_UPDATES)] = None
    shared_because: str | None = None


class Timeline(BaseModel):
    crn: str
    entries: list[TimelineEntry]
