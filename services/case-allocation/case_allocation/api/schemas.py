"""Request and response bodies; personal fields carry their data class for redaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from probation_shared import clock
from probation_shared.redaction import Classified, DataClass

Identity = Classified(DataClass.IDENTITY)
Contact = Classified(DataClass.CONTACT_DETAILS)
OffenceClass = Classified(DataClass.OFFENCE)
SentenceClass = Classified(DataClass.SENTENCE)
Risk = Classified(DataClass.RISK_LEVELS)
Health = Classified(DataClass.HEALTH)

Sex = Literal["MALE", "FEMALE", "OTHER", "NOT_KNOWN"]
Grade = Literal["PSO", "PQiP", "PO", "SPO"]
SentenceType = Literal["COMMUNITY_ORDER", "SUSPENDED_SENTENCE_ORDER", "CUSTODY"]
RequirementType = Literal["RAR", "UPW", "DRR", "ATR", "MHTR", "CURFEW", "AAMR"]
LengthUnit = Literal["DAYS", "WEEKS", "MONTHS", "YEARS"]
AddressStatus = Literal["MAIN", "SECONDARY", "PREVIOUS"]
AddressType = Literal["HOME", "APPROVED_PREMISES", "HOSTEL", "FRIENDS_OR_FAMILY", "NO_FIXED_ABODE", "OTHER"]
ContactType = Literal["OFFICE_APPOINTMENT", "HOME_VISIT", "PROGRAMME_SESSION", "PHONE", "VIDEO", "EMAIL_OR_TEXT"]
Outcome = Literal["ATTENDED", "FTA_ACCEPTABLE", "FTA_UNACCEPTABLE"]
DrugResult = Literal["POSITIVE", "NEGATIVE", "REFUSED"]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Code = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Phone = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[0-9 +()-]+$")]
Email = Annotated[str, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
NOMS = Annotated[str, Field(pattern=r"^[A-Z][0-9]{4}[A-Z]{2}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class View(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- people -----------------------------------------------------------------------------------


class NewPerson(Strict):
    first_name: Name
    last_name: Name
    date_of_birth: date
    sex: Sex
    noms_number: NOMS | None = None
    phone: Phone | None = None
    email: Email | None = None

    @model_validator(mode="after")
    def _born_in_the_past(self):
        return _check_born_in_the_past(self)


class PersonChanges(Strict):
    first_name: Name | None = None
    last_name: Name | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    noms_number: NOMS | None = None
    phone: Phone | None = None
    email: Email | None = None

    @model_validator(mode="after")
    def _born_in_the_past(self):
        # A correction of the date of birth obeys the same rule as a new person's.
        return _check_born_in_the_past(self)


def _check_born_in_the_past(body):
    if body.date_of_birth is not None and body.date_of_birth >= clock.today():
        raise ValueError("date_of_birth must be in the past")
    return body


class AddressView(View):
    id: int
    status: str
    address_type: str
    line1: Annotated[str | None, Contact] = None
    line2: Annotated[str | None, Contact] = None
    town: Annotated[str | None, Contact] = None
    county: Annotated[str | None, Contact] = None
    postcode: Annotated[str | None, Contact] = None
    start_date: date
    end_date: date | None = None
    deleted: bool = False


class PersonView(View):
    crn: str
    noms_number: Annotated[str | None, Identity] = None
    first_name: Annotated[str, Identity]
    last_name: Annotated[str, Identity]
    date_of_birth: Annotated[date, Identity]
    sex: Annotated[Sex, Identity]
    phone: Annotated[str | None, Contact] = None
    email: Annotated[str | None, Contact] = None
    main_address: AddressView | None = None
    tier: Annotated[str | None, Risk] = None


class PersonSummary(View):
    crn: str
    noms_number: Annotated[str | None, Identity] = None
    first_name: Annotated[str, Identity]
    last_name: Annotated[str, Identity]
    date_of_birth: Annotated[date, Identity]


class PersonPage(BaseModel):
    content: list[PersonSummary]
    page: int
    size: int
    total_elements: int
    total_pages: int


class NewAddress(Strict):
    status: AddressStatus
    address_type: AddressType = "HOME"
    line1: Annotated[str, Field(max_length=200)] | None = None
    line2: Annotated[str, Field(max_length=200)] | None = None
    town: Annotated[str, Field(max_length=100)] | None = None
    county: Annotated[str, Field(max_length=100)] | None = None
    postcode: Annotated[str, Field(max_length=10, pattern=r"^[A-Za-z0-9 ]{2,10}$")] | None = None
    start_date: date
    end_date: date | None = None


class AddressChanges(Strict):
    status: AddressStatus | None = None
    address_type: AddressType | None = None
    line1: Annotated[str, Field(max_length=200)] | None = None
    line2: Annotated[str, Field(max_length=200)] | None = None
    town: Annotated[str, Field(max_length=100)] | None = None
    county: Annotated[str, Field(max_length=100)] | None = None
    postcode: Annotated[str, Field(max_length=10, pattern=r"^[A-Za-z0-9 ]{2,10}$")] | None = None
    start_date: date | None = None
    end_date: date | None = None


class AddressList(BaseModel):
    addresses: list[AddressView]


class NewLimit(Strict):
    kind: Literal["RESTRICTION", "EXCLUSION"]
    staff_code: Code
    reason: Text | None = None


class LimitView(View):
    id: int
    kind: str
    staff_code: str
    reason: str | None = None


class LimitList(BaseModel):
    limits: list[LimitView]


# --- sentences --------------------------------------------------------------------------------


class NewOffence(Strict):
    code: Annotated[str, Field(pattern=r"^[0-9]{3}/?[0-9]{2}$", description="Home Office offence code, e.g. 02801 or 028/01")]
    description: Annotated[str, Field(max_length=300)] | None = None
    main: bool = False


class Length(Strict):
    value: Annotated[int, Field(gt=0, le=10000)]
    unit: LengthUnit


class NewRequirement(Strict):
    requirement_type: RequirementType
    length: Annotated[int, Field(gt=0, le=10000, description="RAR days, UPW hours, or months for DRR/ATR/MHTR/curfew; AAMR days")]
    start_date: date | None = None


class CustodyDates(Strict):
    confirmed_release_date: date | None = None
    actual_parole_date: date | None = None
    hdc_actual_date: date | None = None
    conditional_release_date: date | None = None
    automatic_release_date: date | None = None
    licence_expiry_date: date | None = None
    released_on: date | None = None


class NewSentence(Strict):
    conviction_date: date
    court: Annotated[str, Field(max_length=200)] | None = None
    offences: Annotated[list[NewOffence], Field(min_length=1, max_length=50)]
    sentence_type: SentenceType
    sentence_date: date
    length: Length
    expected_end_date: date | None = None
    pdu_code: Code
    requirements: Annotated[list[NewRequirement], Field(max_length=20)] = []
    custody: CustodyDates | None = None

    @model_validator(mode="after")
    def _dates(self):
        if self.sentence_date < self.conviction_date:
            raise ValueError("sentence_date must not precede conviction_date")
        if self.expected_end_date and self.expected_end_date < self.sentence_date:
            raise ValueError("expected_end_date must not precede sentence_date")
        if self.custody and self.sentence_type != "CUSTODY":
            raise ValueError("custody dates belong to custodial sentences only")
        return self


class SentenceChanges(Strict):
    expected_end_date: date | None = None
    confirmed_release_date: date | None = None
    actual_parole_date: date | None = None
    hdc_actual_date: date | None = None
    conditional_release_date: date | None = None
    automatic_release_date: date | None = None
    licence_expiry_date: date | None = None
    released_on: date | None = None


class Termination(Strict):
    date: date
    reason: Text


class Progress(Strict):
    completed: Annotated[int, Field(ge=0, le=10000)]


class OffenceView(View):
    code: Annotated[str, OffenceClass]
    description: Annotated[str | None, OffenceClass] = None
    main: bool


class RequirementView(View):
    id: int
    requirement_type: Annotated[str, SentenceClass]
    length: Annotated[int, SentenceClass]
    unit: str
    completed: Annotated[int, SentenceClass]
    start_date: date
    status: str
    terminated_on: date | None = None
    termination_reason: Annotated[str | None, SentenceClass] = None


class CustodyView(View):
    confirmed_release_date: date | None = None
    actual_parole_date: date | None = None
    hdc_actual_date: date | None = None
    conditional_release_date: date | None = None
    automatic_release_date: date | None = None
    licence_expiry_date: date | None = None
    released_on: date | None = None
    release_date: date | None = None


class SentenceView(BaseModel):
    id: int
    crn: str
    conviction_date: date
    court: Annotated[str | None, OffenceClass] = None
    offences: list[OffenceView]
    sentence_type: Annotated[str, SentenceClass]
    custodial: bool
    sentence_date: Annotated[date, SentenceClass]
    length: Annotated[dict, SentenceClass]
    expected_end_date: Annotated[date, SentenceClass]
    status: str
    terminated_on: date | None = None
    termination_reason: Annotated[str | None, SentenceClass] = None
    custody: Annotated[CustodyView | None, SentenceClass] = None
    requirements: list[RequirementView]
    case_id: int | None = None


class SentenceList(BaseModel):
    sentences: list[SentenceView]


# --- registrations ----------------------------------------------------------------------------


class NewRegistration(Strict):
    type_code: Annotated[str, Field(min_length=2, max_length=10)]
    level: Annotated[str, Field(max_length=10)] | None = None
    category: Annotated[str, Field(max_length=10)] | None = None
    registered_on: date
    notes: Annotated[str, Field(max_length=2000)] | None = None


class RegistrationChanges(Strict):
    level: Annotated[str, Field(max_length=10)] | None = None
    category: Annotated[str, Field(max_length=10)] | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None


class Deregistration(Strict):
    date: date
    notes: Annotated[str, Field(max_length=2000)] | None = None


class RegistrationHistoryView(View):
    action: str
    level: str | None = None
    register_category: str | None = None
    actor: str
    at: datetime


class RegistrationView(View):
    id: int
    crn: str
    type_code: Annotated[str, Risk]
    category: Annotated[str, Risk]
    level: Annotated[str | None, Risk] = None
    register_category: Annotated[str | None, Risk] = None
    registered_on: date
    status: str
    deregistered_on: date | None = None
    notes: Annotated[str | None, Classified(DataClass.RISK_NARRATIVE)] = None
    history: list[RegistrationHistoryView] = []


class RegistrationList(BaseModel):
    registrations: list[RegistrationView]


# --- organisation -----------------------------------------------------------------------------


class TeamView(View):
    code: str
    name: str
    pdu_code: str


class PduView(View):
    code: str
    name: str
    region_code: str


class RegionView(BaseModel):
    code: str
    name: str
    pdus: list[PduView]


class RegionList(BaseModel):
    regions: list[RegionView]


class PduDetail(BaseModel):
    code: str
    name: str
    region_code: str
    teams: list[TeamView]


class NewStaff(Strict):
    code: Annotated[str, Field(min_length=3, max_length=20, pattern=r"^[A-Z0-9]+$")]
    first_name: Name
    last_name: Name
    grade: Grade
    team_code: Code
    contracted_hours: Annotated[Decimal, Field(gt=0, le=60, max_digits=5, decimal_places=2)]
    email: Email | None = None
    phone: Phone | None = None


class StaffChanges(Strict):
    first_name: Name | None = None
    last_name: Name | None = None
    grade: Grade | None = None
    team_code: Code | None = None
    contracted_hours: Annotated[Decimal, Field(gt=0, le=60, max_digits=5, decimal_places=2)] | None = None
    email: Email | None = None
    phone: Phone | None = None
    active: bool | None = None


class StaffView(View):
    code: str
    first_name: str
    last_name: str
    grade: str
    team_code: str
    contracted_hours: float
    email: str | None = None
    phone: str | None = None
    active: bool


class StaffList(BaseModel):
    staff: list[StaffView]


class NewReduction(Strict):
    hours: Annotated[Decimal, Field(gt=0, le=60, max_digits=5, decimal_places=2)]
    reason: Text
    start_date: date
    end_date: date | None = None

    @model_validator(mode="after")
    def _dates(self):
        if self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date must not precede start_date")
        return self


class ReductionView(View):
    id: int
    staff_code: str
    hours: float
    reason: str
    start_date: date
    end_date: date | None = None


class ReductionList(BaseModel):
    reductions: list[ReductionView]


class WorkloadView(BaseModel):
    staff_code: str
    grade: str
    team_code: str
    contracted_hours: float
    reduction_hours: float
    available_points: float
    total_points: int
    cases: int
    active_risk_cases: int
    capacity_percent: float | None


# --- allocation -------------------------------------------------------------------------------


class CaseView(BaseModel):
    id: int
    crn: str
    sentence_id: int
    pdu_code: str
    case_type: str
    tier: Annotated[str | None, Risk] = None
    points: int
    upw_only: bool
    status: str
    sentence_date: date
    due_date: date
    due_status: str | None
    staff_code: str | None = None
    team_code: str | None = None
    allocated_at: datetime | None = None
    name: Annotated[str | None, Identity] = None


class QueuePage(BaseModel):
    pdu_code: str
    on: date
    content: list[CaseView]
    page: int
    size: int
    total_elements: int


class RecommendationView(BaseModel):
    staff_code: str
    name: str
    grade: str
    team_code: str
    capacity_percent: float | None
    projected_capacity_percent: float | None
    active_risk_cases: int
    previous_practitioner: bool
    over_case_limit: bool


class Recommendations(BaseModel):
    case_id: int
    crn: str
    suitable_grades: list[str]
    case_points: int
    practitioners: list[RecommendationView]


class AllocationRequest(Strict):
    staff_code: Code
    reason: Text | None = None
    override_reason: Text | None = None


class AllocationView(View):
    id: int
    case_id: int
    crn: str
    kind: str
    staff_code: str
    team_code: str
    pdu_code: str
    previous_staff_code: str | None = None
    reason: str | None = None
    override_reason: str | None = None
    allocated_by: str
    at: datetime


class ManagerView(BaseModel):
    crn: str
    allocated: bool
    staff_code: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    grade: str | None = None
    email: str | None = None
    phone: str | None = None
    team_code: str | None = None
    team_name: str | None = None
    pdu_code: str | None = None
    allocated_at: datetime | None = None


class HandoverView(BaseModel):
    crn: str
    sentence_id: int | None = None
    responsible: str | None
    handover_date: date | None = None
    release_date: date | None = None


class HandoverJobResult(BaseModel):
    on: date
    moved: list[str]


# --- contacts and enforcement -----------------------------------------------------------------


class NewContact(Strict):
    contact_type: ContactType
    contact_date: date
    sentence_id: int | None = None
    outcome: Outcome | None = None
    staff_code: Code | None = None
    notes: Annotated[str, Field(max_length=4000)] | None = None


class OutcomeRequest(Strict):
    outcome: Outcome
    notes: Annotated[str, Field(max_length=4000)] | None = None


class ContactView(View):
    id: int
    crn: str
    sentence_id: int | None = None
    contact_type: str
    face_to_face: bool
    contact_date: date
    outcome: str | None = None
    staff_code: str | None = None
    notes: Annotated[str | None, SentenceClass] = None
    breach_id: int | None = None


class ContactList(BaseModel):
    contacts: list[ContactView]


class BreachView(View):
    id: int
    crn: str
    sentence_id: int | None = None
    raised_on: date
    reason: Annotated[str, SentenceClass]
    contact_ids: list[int]
    status: str


class PeriodView(BaseModel):
    start: date
    end: date
    kind: str
    contacts: int
    status: str


class CaseCompliance(BaseModel):
    case_id: int
    sentence_id: int
    case_type: str
    compliant: bool
    periods: list[PeriodView]


class ComplianceView(BaseModel):
    crn: str
    on: date
    cases: list[CaseCompliance]


class NewDrugTest(Strict):
    requirement_id: int
    test_date: date
    result: DrugResult
    substances: Annotated[list[Annotated[str, Field(min_length=1, max_length=50)]], Field(max_length=20)] = []


class DrugTestView(View):
    id: int
    crn: str
    requirement_id: int | None = None
    test_date: date
    result: Annotated[str, SentenceClass]
    substances: Annotated[list[str], Health]
    flagged_for_enforcement: Annotated[bool, SentenceClass]
    police_partner_notifiable: bool
