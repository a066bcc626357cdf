"""Request and response bodies. Every response model is `Outbound`: each field carries its data class,
and a response leaves only rendered for its reader's audience."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from probation_shared.limits import AppointmentDate, AppointmentTime, Pence, PlanningDate, VolumeCap, free_text, line
from probation_shared.redaction import Classified, DataClass, Outbound

from ..domain.sharing import Category
from ..domain.views import ProviderView

D = DataClass
CRN = Field(pattern=r"^[A-Z][0-9]{6}$")
Text = Annotated[str, free_text(4000)]
ShortText = Annotated[str, line(200)]
Notes = Annotated[str, free_text(2000)]
RefCode = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")]
R = Classified(D.REFERENCE)
Ref = Annotated[str, R]
OptRef = Annotated[str | None, R]
OptInt = Annotated[int | None, R]
TS = Annotated[datetime, R]
OptTS = Annotated[datetime | None, R]
Staff = Annotated[str | None, Classified(D.STAFF)]
# The details of a referral written by probation staff for the provider (outcomes, needs, dates of the order).
Detail = Classified(D.SENTENCE)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- catalogue ----------------------------------------------------------------------------------


class NewProvider(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,49}$")
    name: ShortText


class ProviderOut(Outbound):
    model_config = ConfigDict(from_attributes=True)
    id: Ref
    name: Ref


class NewContract(Strict):
    reference: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,29}$")
    contract_type: RefCode
    prime_provider_id: RefCode
    subcontractor_ids: Annotated[list[RefCode], Field(max_length=20)] = []
    region: Annotated[str, line(100)] | None = None
    pcc_area: Annotated[str, line(100)] | None = None
    eligible_sex: Literal["ALL", "MALE", "FEMALE"] = "ALL"
    min_age: int | None = Field(default=None, ge=10, le=120)
    max_age: int | None = Field(default=None, ge=10, le=120)
    referral_start_date: PlanningDate
    referral_end_date: PlanningDate
    fixed_price_pence: Pence
    volume_cap: VolumeCap


class ContractOut(Outbound):
    """Commercial terms, not personal data: all REFERENCE."""

    reference: Ref
    contract_type: Ref  # the anchor's code: ACC, ETE, PWB, WOS, FBD, DNR
    contract_type_name: Ref
    prime_provider_id: Ref
    subcontractor_ids: Annotated[list[str], R]
    region: OptRef
    pcc_area: OptRef
    eligible_sex: Ref
    min_age: OptInt
    max_age: OptInt
    referral_start_date: Annotated[date, R]
    referral_end_date: Annotated[date, R]
    fixed_price_pence: Annotated[int, R]
    volume_cap: Annotated[int, R]


class ContractChangeIn(Strict):
    """A commissioner's change to a contract's terms: name what changes (subcontractor_ids replaces the
    whole list) and why."""

    reason: Notes
    volume_cap: VolumeCap | None = None
    referral_start_date: PlanningDate | None = None
    referral_end_date: PlanningDate | None = None
    subcontractor_ids: Annotated[list[RefCode], Field(max_length=20)] | None = None


class ContractChangeOut(Outbound):
    model_config = ConfigDict(from_attributes=True)
    field: Ref
    old_value: Annotated[int | str | list[str] | None, R]
    new_value: Annotated[int | str | list[str] | None, R]
    reason: Ref
    changed_by: Ref  # the commissioner's user id: commissioners read only REFERENCE, and audit their own changes
    changed_at: TS


class NewIntervention(Strict):
    contract_reference: RefCode
    title: ShortText
    description: Annotated[str, free_text(4000, min_length=0)] = ""


class InterventionOut(Outbound):
    id: Ref
    title: Ref
    description: Ref
    contract_reference: Ref
    contract_type: Ref
    contract_type_name: Ref
    prime_provider_id: Ref
    region: OptRef
    pcc_area: OptRef
    eligible_sex: Ref
    min_age: OptInt
    max_age: OptInt
    referral_end_date: Annotated[date, R]


# --- referrals ----------------------------------------------------------------------------------


class NewReferral(Strict):
    crn: str = CRN
    intervention_id: RefCode
    complexity_level: Literal["LOW", "MEDIUM", "HIGH"] | None = None
    desired_outcomes: list[ShortText] = Field(default=[], max_length=20)
    needs: list[ShortText] = Field(default=[], max_length=20)
    completion_deadline: AppointmentDate | None = None
    custody: bool = False
    expected_release_date: PlanningDate | None = None
    expected_release_missing_reason: Notes | None = None
    risk_summary_max_age_days: int | None = Field(default=None, ge=1, le=730)


class SendReferral(Strict):
    over_cap_reason: Notes | None = None


class Amend(Strict):
    reason: Notes | None = None
    complexity_level: Literal["LOW", "MEDIUM", "HIGH"] | None = None
    # Omit a list to leave it as it is; null is not a list (422). A sent referral never loses all its desired
    # outcomes (domain rule).
    desired_outcomes: list[ShortText] = Field(default=None, max_length=20)  # type: ignore[arg-type]
    needs: list[ShortText] = Field(default=None, max_length=20)  # type: ignore[arg-type]
    completion_deadline: AppointmentDate | None = None
    expected_release_date: PlanningDate | None = None
    expected_release_missing_reason: Notes | None = None


class Assign(Strict):
    caseworker: ShortText | None = None


class Withdraw(Strict):
    code: str = Field(
        min_length=1, max_length=20, pattern=r"^[A-Z0-9_]+$"
    )  # validated against the withdrawal codes by the domain (400 when unknown)
    comments: Notes | None = None


class NewAppointment(Strict):
    kind: Literal["INITIAL_ASSESSMENT", "SESSION"]
    session_number: int | None = Field(default=None, ge=1, le=500)
    scheduled_at: AppointmentTime
    duration_minutes: int = Field(default=60, ge=5, le=600)


class Attendance(Strict):
    attendance: Literal["YES", "LATE", "NO"]
    notes: Annotated[str, free_text(4000)] | None = None


class Feedback(Strict):
    summary: Text
    engagement: Notes | None = None
    concerns: Notes | None = None


class NewActionPlan(Strict):
    number_of_sessions: int = Field(ge=1, le=500)
    activities: list[ShortText] = Field(min_length=1, max_length=50)


class OutcomeAchievement(Strict):
    desired_outcome: ShortText
    achievement: Literal["ACHIEVED", "PARTIALLY_ACHIEVED", "NOT_ACHIEVED"]
    notes: Notes | None = None


class EndOfServiceReportIn(Strict):
    outcomes: list[OutcomeAchievement] = Field(max_length=20)
    further_information: Annotated[str, free_text(4000)] | None = None


class FeedbackOut(Outbound):
    summary: Annotated[str | None, Classified(D.PROVIDER_UPDATES)] = None
    engagement: Annotated[str | None, Classified(D.PROVIDER_UPDATES)] = None
    concerns: Annotated[str | None, Classified(D.PROVIDER_UPDATES)] = None


class AppointmentOut(Outbound):
    model_config = ConfigDict(from_attributes=True)
    id: Ref
    kind: Ref
    session_number: OptInt
    scheduled_at: TS
    duration_minutes: Annotated[int, R]
    attendance: OptRef
    attendance_notes: Annotated[str | None, Classified(D.PROVIDER_UPDATES)] = None
    feedback: FeedbackOut | None = None


class ActionPlanOut(Outbound):
    model_config = ConfigDict(from_attributes=True)
    id: Ref
    number_of_sessions: Annotated[int, R]
    activities: Annotated[list[str], Classified(D.PROVIDER_UPDATES)]
    status: Ref
    submitted_at: TS
    approved_at: OptTS


class ReferralOut(Outbound):
    id: Ref
    reference: OptRef
    crn: Ref
    intervention_id: Ref
    contract_reference: Ref
    prime_provider_id: Ref
    status: Ref
    outcome: OptRef
    awaiting_end_of_service_report: Annotated[bool, R]
    created_at: TS
    sent_at: OptTS
    assigned_to: Staff
    complexity_level: Annotated[str | None, Detail]
    desired_outcomes: Annotated[list[str], Detail]
    needs: Annotated[list[str], Detail]
    completion_deadline: Annotated[date | None, Detail]
    custody: Annotated[bool, Detail]
    expected_release_date: Annotated[date | None, Detail] = None
    expected_release_missing_reason: Annotated[str | None, Detail] = None
    withdrawal_code: OptRef
    over_cap_reason: Annotated[str | None, Detail]
    provider_view: ProviderView | None
    provider_view_version: Annotated[int, R]
    provider_view_updated_at: OptTS


class ReferralSummary(Outbound):
    id: Ref
    reference: OptRef
    crn: Ref
    contract_reference: Ref
    status: Ref
    outcome: OptRef
    sent_at: OptTS
    assigned_to: Staff
    person_name: Annotated[str | None, Classified(D.IDENTITY)] = None


AmendedValue = Annotated[str | list[str] | bool | None, Detail]


class AmendmentOut(Outbound):
    model_config = ConfigDict(from_attributes=True)
    field: Ref
    old_value: AmendedValue
    new_value: AmendedValue
    reason: Annotated[str | None, Detail]
    author: Staff
    amended_at: TS


class AssignmentOut(Outbound):
    """One assignment of the referral: by whom, when, from whom and to whom (staff of the provider)."""

    model_config = ConfigDict(from_attributes=True)
    provider_id: Ref
    assigned_from: Staff
    assigned_to: Staff
    assigned_by: Staff
    assigned_at: TS


class ViewHistoryOut(Outbound):
    model_config = ConfigDict(from_attributes=True)
    version: Annotated[int, R]
    reason: Ref
    changed: Annotated[list[str], R]
    recorded_at: TS
    view: ProviderView


# --- updates, consent, timeline ------------------------------------------------------------------


class NewUpdate(Strict):
    category: Category
    text: Text


class UpdateOut(Outbound):
    model_config = ConfigDict(from_attributes=True)
    id: Ref
    referral_id: Ref
    provider_id: Ref
    category: Ref
    text: Annotated[str, Classified(D.PROVIDER_UPDATES)]
    created_at: TS


class HealthConsentIn(Strict):
    granted: bool
    note: Notes | None = None


class ConsentIn(Strict):
    granted: bool
    note: Notes | None = None


class ConsentOut(Outbound):
    model_config = ConfigDict(from_attributes=True)
    crn: Ref
    category: Ref
    granted: Annotated[bool, R]
    recorded_by: Staff
    recorded_at: TS


class HealthConsentOut(Outbound):
    """The person's consent to one provider seeing their health information (risk to self, health)."""

    model_config = ConfigDict(from_attributes=True)
    crn: Ref
    provider_id: Ref
    granted: Annotated[bool, R]
    note: Annotated[str | None, Classified(D.HEALTH)] = None
    recorded_by: Staff
    recorded_at: TS


class OverrideIn(Strict):
    decision: Literal["RELEASE", "WITHHOLD"]
    reason: Text


class OverrideOut(Outbound):
    model_config = ConfigDict(from_attributes=True)
    update_id: Ref
    decision: Ref
    reason: Annotated[str, Classified(D.PROVIDER_UPDATES)]
    author: Staff
    decided_at: TS


class TimelineEntry(Outbound):
    at: TS
    kind: Ref
    referral_id: Ref
    referral_reference: OptRef = None
    contract_reference: OptRef = None
    status: OptRef = None
    outcome: OptRef = None
    update_id: OptRef = None
    provider_id: OptRef = None
    category: OptRef = None
    text: Annotated[str | None, Classified(D.PROVIDER_UPDATES)] = None
    shared_because: OptRef = None


class Timeline(Outbound):
    crn: Ref
    entries: list[TimelineEntry]


# --- commissioning (aggregates only) -------------------------------------------------------------


class DemandMonth(Outbound):
    region: Ref
    contract_type: Ref
    month: Ref
    referrals: Annotated[int, R]


class DemandAgainstCap(Outbound):
    region: Ref
    contract_type: Ref
    contracts: Annotated[int, R]
    volume_cap: Annotated[int, R]
    referrals: Annotated[int, R]
    percent_of_cap: Annotated[float | None, R]


class DemandByContract(Outbound):
    contract_reference: Ref
    contract_type: Ref
    region: Ref
    prime_provider_id: Ref
    volume_cap: Annotated[int, R]
    referrals: Annotated[int, R]
    percent_of_cap: Annotated[float | None, R]


class DemandByProvider(Outbound):
    """A prime provider's contracts together (subcontracted work counts under the prime)."""

    provider_id: Ref
    contracts: Annotated[int, R]
    volume_cap: Annotated[int, R]
    referrals: Annotated[int, R]
    percent_of_cap: Annotated[float | None, R]


class Demand(Outbound):
    by_month: list[DemandMonth]
    against_cap: list[DemandAgainstCap]
    by_contract: list[DemandByContract]
    by_provider: list[DemandByProvider]


# --- previews -----------------------------------------------------------------------------------


class WithheldOut(Outbound):
    field: Ref
    data_class: Ref
    reason: Ref


class PreviewPart(Outbound):
    # Exactly what the previewed audience would be given, already rendered for it. Only probation staff
    # read previews; classified at the most restrictive class so that no other reader could ever get it.
    shown: Annotated[dict | list | None, Classified(D.VICTIM_DETAILS)] = None
    withheld: list[WithheldOut] = []


class PreviewOut(Outbound):
    referral_id: Ref
    audience: Ref
    provider_id: OptRef = None
    health_consent: Annotated[bool | None, R] = None
    referral: PreviewPart
    notification: PreviewPart | None = None
    updates: PreviewPart | None = None
