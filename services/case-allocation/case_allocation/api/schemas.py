"""Request and response bodies. Every response model is `Outbound` and every field of it carries a data
class, so the shared policy renders it for the caller's audience by allow-list (docs/privacy.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from probation_shared import clock, limits
from probation_shared.limits import (
    MAX_SENTENCE_DAYS,
    UPW_MAX_HOURS,
    UPW_MIN_HOURS,
    AppointmentDate,
    CourtDate,
    DateOfBirth,
    DecimalHours,
    Id,
    OrderEndDate,
    PastDate,
    PersonName,
    free_text,
    line,
    pattern,
)
from probation_shared.redaction import Classified, DataClass, Outbound

from ..domain.sentences import curfew_hours

Identity = Classified(DataClass.IDENTITY)
Contact = Classified(DataClass.CONTACT_DETAILS)
OffenceClass = Classified(DataClass.OFFENCE)
SentenceClass = Classified(DataClass.SENTENCE)
Risk = Classified(DataClass.RISK_LEVELS)
Health = Classified(DataClass.HEALTH)
Ref = Classified(DataClass.REFERENCE)
StaffClass = Classified(DataClass.STAFF)
RiskNarrative = Classified(DataClass.RISK_NARRATIVE)
# Free text written by probation staff about the case (contact notes, allocation reasons): it may say
# anything, victims and safeguarding included, so it is classed with safeguarding: probation staff and
# services only, masked for auditors, never to a provider, police partner, commissioner or operator.
CaseNotes = Classified(DataClass.SAFEGUARDING)

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
Name = PersonName
Code = Annotated[str, pattern(r"^[A-Za-z0-9_-]+$", 20)]
Text = Annotated[str, line(500)]
Phone = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[0-9 +()-]+$")]
Email = Annotated[
    str, Field(max_length=200, pattern=r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
]
NOMS = Annotated[str, Field(pattern=r"^[A-Z][0-9]{4}[A-Z]{2}$")]
Line200 = Annotated[str, line(200)]
Line100 = Annotated[str, line(100)]
Notes2000 = Annotated[str, free_text(2000)]
Notes4000 = Annotated[str, free_text(4000)]
ShortCode = Annotated[str, pattern(r"^[A-Za-z0-9_-]+$", 10)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class View(Outbound):
    model_config = ConfigDict(from_attributes=True)


# --- people -----------------------------------------------------------------------------------


class NewPerson(Strict):
    first_name: Name
    last_name: Name
    date_of_birth: DateOfBirth
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
    date_of_birth: DateOfBirth | None = None
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
    id: Annotated[int, Ref]
    status: Annotated[str, Ref]
    address_type: Annotated[str, Contact]  # approved premises, hostel, no fixed abode: says where the person lives
    line1: Annotated[str | None, Contact] = None
    line2: Annotated[str | None, Contact] = None
    town: Annotated[str | None, Contact] = None
    county: Annotated[str | None, Contact] = None
    postcode: Annotated[str | None, Contact] = None
    start_date: Annotated[date, Ref]
    end_date: Annotated[date | None, Ref] = None
    deleted: Annotated[bool, Ref] = False


class PersonView(View):
    crn: Annotated[str, Ref]
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
    crn: Annotated[str, Ref]
    noms_number: Annotated[str | None, Identity] = None
    first_name: Annotated[str, Identity]
    last_name: Annotated[str, Identity]
    date_of_birth: Annotated[date, Identity]


class PersonPage(Outbound):
    content: list[PersonSummary]
    page: Annotated[int, Ref]
    size: Annotated[int, Ref]
    total_elements: Annotated[int, Ref]
    total_pages: Annotated[int, Ref]


class NewAddress(Strict):
    status: AddressStatus
    address_type: AddressType = "HOME"
    line1: Line200 | None = None
    line2: Line200 | None = None
    town: Line100 | None = None
    county: Line100 | None = None
    postcode: Annotated[str, Field(max_length=10, pattern=r"^[A-Za-z0-9 ]{2,10}$")] | None = None
    start_date: CourtDate
    end_date: CourtDate | None = None


class AddressChanges(Strict):
    status: AddressStatus | None = None
    address_type: AddressType | None = None
    line1: Line200 | None = None
    line2: Line200 | None = None
    town: Line100 | None = None
    county: Line100 | None = None
    postcode: Annotated[str, Field(max_length=10, pattern=r"^[A-Za-z0-9 ]{2,10}$")] | None = None
    start_date: CourtDate | None = None
    end_date: CourtDate | None = None


class AddressList(Outbound):
    addresses: list[AddressView]


class NewLimit(Strict):
    kind: Literal["RESTRICTION", "EXCLUSION"]
    staff_code: Code
    reason: Text | None = None


class LimitView(View):
    id: Annotated[int, Ref]
    kind: Annotated[str, Ref]
    staff_code: Annotated[str, StaffClass]
    # Why this member of staff is named or excluded: about the staff member's tie to the case.
    reason: Annotated[str | None, StaffClass] = None


class LimitList(Outbound):
    limits: list[LimitView]


# --- sentences --------------------------------------------------------------------------------


class NewOffence(Strict):
    code: Annotated[
        str, Field(pattern=r"^[0-9]{3}/?[0-9]{2}$", description="Home Office offence code, e.g. 02801 or 028/01")
    ]
    description: Annotated[str, line(300)] | None = None
    main: bool = False


class Length(Strict):
    value: Annotated[int, Field(gt=0, le=MAX_SENTENCE_DAYS, description="At most 100 years in any unit")]
    unit: LengthUnit

    @model_validator(mode="after")
    def _at_most_a_hundred_years(self):
        if limits.length_in_days(self.value, self.unit) > MAX_SENTENCE_DAYS:
            raise ValueError("a sentence length must not exceed 100 years")
        return self


# Spelled out (not `Line(...)`) so the type checker sees a type: one line, trimmed, no control characters.
MonitoringText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")
]
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, 24-hour")]


class Monitoring(Strict):
    """Curfew / electronic monitoring: when the curfew runs, where, and who fits which tag."""

    curfew_start: ClockTime | None = None
    curfew_end: ClockTime | None = None
    address: MonitoringText | None = None
    postcode: Annotated[str, Field(max_length=10, pattern=r"^[A-Za-z0-9 ]+$")] | None = None
    em_provider: MonitoringText | None = None
    tag_type: Literal["RF", "GPS", "ALCOHOL"] | None = None


class NewRequirement(Strict):
    requirement_type: RequirementType
    length: Annotated[
        int, Field(gt=0, le=10000, description="RAR days, UPW hours, or months for DRR/ATR/MHTR/curfew; AAMR days")
    ]
    start_date: CourtDate | None = None
    monitoring: Monitoring | None = None

    @model_validator(mode="after")
    def _unpaid_work_hours(self):
        # Unpaid work is ordered in hours, 40 to 300 (Sentencing Act 2020, Sch. 9 para 2).
        if self.requirement_type == "UPW" and not UPW_MIN_HOURS <= self.length <= UPW_MAX_HOURS:
            raise ValueError(f"unpaid work must be {UPW_MIN_HOURS} to {UPW_MAX_HOURS} hours")
        return self

    @model_validator(mode="after")
    def _monitoring(self):
        if self.monitoring is None:
            return self
        if self.requirement_type not in ("CURFEW", "AAMR"):
            raise ValueError("monitoring details belong to curfew and alcohol abstinence monitoring requirements")
        m = self.monitoring
        if (m.curfew_start is None) != (m.curfew_end is None):
            raise ValueError("a curfew needs both its start and end times")
        if self.requirement_type == "AAMR" and m.tag_type not in (None, "ALCOHOL"):
            raise ValueError("alcohol abstinence monitoring uses an ALCOHOL tag")
        if self.requirement_type == "CURFEW" and m.tag_type == "ALCOHOL":
            raise ValueError("a curfew is monitored by an RF or GPS tag")
        if m.curfew_start is not None and m.curfew_end is not None:
            # A curfew runs 2 to 20 hours a day (Sentencing Act 2020, Sch. 9 para 9).
            if not 2 <= curfew_hours(m.curfew_start, m.curfew_end) <= 20:
                raise ValueError("a curfew runs 2 to 20 hours a day")
        return self


class CustodyDates(Strict):
    confirmed_release_date: OrderEndDate | None = None
    actual_parole_date: OrderEndDate | None = None
    hdc_actual_date: OrderEndDate | None = None
    conditional_release_date: OrderEndDate | None = None
    automatic_release_date: OrderEndDate | None = None
    licence_expiry_date: OrderEndDate | None = None
    released_on: CourtDate | None = None
    prison_code: Code | None = None


class NewSentence(Strict):
    conviction_date: CourtDate
    court: Line200 | None = None
    offences: Annotated[list[NewOffence], Field(min_length=1, max_length=50)]
    sentence_type: SentenceType
    sentence_date: CourtDate
    length: Length
    expected_end_date: OrderEndDate | None = None
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
    expected_end_date: OrderEndDate | None = None
    confirmed_release_date: OrderEndDate | None = None
    actual_parole_date: OrderEndDate | None = None
    hdc_actual_date: OrderEndDate | None = None
    conditional_release_date: OrderEndDate | None = None
    automatic_release_date: OrderEndDate | None = None
    licence_expiry_date: OrderEndDate | None = None
    released_on: CourtDate | None = None
    prison_code: Code | None = None


class Termination(Strict):
    date: PastDate
    reason: Text


class Progress(Strict):
    completed: Annotated[int, Field(ge=0, le=10000)]


class OffenceView(View):
    code: Annotated[str, OffenceClass]
    description: Annotated[str | None, OffenceClass] = None
    main: Annotated[bool, OffenceClass]


class MonitoringView(View):
    curfew_start: Annotated[str | None, SentenceClass] = None
    curfew_end: Annotated[str | None, SentenceClass] = None
    hours_per_day: Annotated[float | None, SentenceClass] = None
    address: Annotated[str | None, Contact] = None
    postcode: Annotated[str | None, Contact] = None
    em_provider: Annotated[str | None, SentenceClass] = None
    tag_type: Annotated[str | None, SentenceClass] = None


class RequirementView(View):
    id: Annotated[int, Ref]
    requirement_type: Annotated[str, SentenceClass]
    length: Annotated[int, SentenceClass]
    unit: Annotated[str, SentenceClass]
    completed: Annotated[int, SentenceClass]
    # Progress is counted in `progress_unit`; `progress_total` of it completes the requirement.
    progress_unit: Annotated[str | None, SentenceClass] = None
    progress_total: Annotated[int | None, SentenceClass] = None
    monitoring: MonitoringView | None = None
    start_date: Annotated[date, SentenceClass]
    status: Annotated[str, Ref]
    terminated_on: Annotated[date | None, SentenceClass] = None
    termination_reason: Annotated[str | None, SentenceClass] = None


class CustodyView(View):
    confirmed_release_date: Annotated[date | None, SentenceClass] = None
    actual_parole_date: Annotated[date | None, SentenceClass] = None
    hdc_actual_date: Annotated[date | None, SentenceClass] = None
    conditional_release_date: Annotated[date | None, SentenceClass] = None
    automatic_release_date: Annotated[date | None, SentenceClass] = None
    licence_expiry_date: Annotated[date | None, SentenceClass] = None
    released_on: Annotated[date | None, SentenceClass] = None
    release_date: Annotated[date | None, SentenceClass] = None
    prison_code: Annotated[str | None, Ref] = None


class SentenceView(Outbound):
    id: Annotated[int, Ref]
    crn: Annotated[str, Ref]
    conviction_date: Annotated[date, OffenceClass]
    court: Annotated[str | None, OffenceClass] = None
    offences: list[OffenceView]
    sentence_type: Annotated[str, SentenceClass]
    custodial: Annotated[bool, SentenceClass]
    sentence_date: Annotated[date, SentenceClass]
    length: Annotated[dict, SentenceClass]
    expected_end_date: Annotated[date, SentenceClass]
    status: Annotated[str, Ref]
    terminated_on: Annotated[date | None, SentenceClass] = None
    termination_reason: Annotated[str | None, SentenceClass] = None
    custody: CustodyView | None = None
    requirements: list[RequirementView]
    case_id: Annotated[int | None, Ref] = None
    pdu_code: Annotated[str | None, Ref] = None


class SentenceList(Outbound):
    sentences: list[SentenceView]


# --- registrations ----------------------------------------------------------------------------


class NewRegistration(Strict):
    type_code: Annotated[str, pattern(r"^[A-Za-z0-9_-]{2,10}$", 10)]
    level: ShortCode | None = None
    category: ShortCode | None = None
    registered_on: CourtDate
    notes: Notes2000 | None = None


class RegistrationChanges(Strict):
    level: ShortCode | None = None
    category: ShortCode | None = None
    notes: Notes2000 | None = None


class Deregistration(Strict):
    date: PastDate
    notes: Notes2000 | None = None


class RegistrationHistoryView(View):
    action: Annotated[str, Ref]
    level: Annotated[str | None, Risk] = None
    register_category: Annotated[str | None, Risk] = None
    actor: Annotated[str, StaffClass]
    at: Annotated[datetime, Ref]


class RegistrationView(View):
    id: Annotated[int, Ref]
    crn: Annotated[str, Ref]
    type_code: Annotated[str, Risk]
    category: Annotated[str, Risk]
    level: Annotated[str | None, Risk] = None
    register_category: Annotated[str | None, Risk] = None
    registered_on: Annotated[date, Ref]
    status: Annotated[str, Ref]
    deregistered_on: Annotated[date | None, Ref] = None
    notes: Annotated[str | None, RiskNarrative] = None
    history: list[RegistrationHistoryView] = []


class RegistrationList(Outbound):
    registrations: list[RegistrationView]


# --- organisation -----------------------------------------------------------------------------


class TeamView(View):
    code: Annotated[str, Ref]
    name: Annotated[str, Ref]
    pdu_code: Annotated[str, Ref]


class PduView(View):
    code: Annotated[str, Ref]
    name: Annotated[str, Ref]
    region_code: Annotated[str, Ref]


class RegionView(Outbound):
    code: Annotated[str, Ref]
    name: Annotated[str, Ref]
    pdus: list[PduView]


class RegionList(Outbound):
    regions: list[RegionView]


class PduDetail(Outbound):
    code: Annotated[str, Ref]
    name: Annotated[str, Ref]
    region_code: Annotated[str, Ref]
    teams: list[TeamView]


class NewStaff(Strict):
    code: Annotated[str, Field(min_length=3, max_length=20, pattern=r"^[A-Z0-9]+$")]
    first_name: Name
    last_name: Name
    grade: Grade
    team_code: Code
    contracted_hours: DecimalHours
    email: Email | None = None
    phone: Phone | None = None


class StaffChanges(Strict):
    first_name: Name | None = None
    last_name: Name | None = None
    grade: Grade | None = None
    team_code: Code | None = None
    contracted_hours: DecimalHours | None = None
    email: Email | None = None
    phone: Phone | None = None
    active: bool | None = None


class StaffView(View):
    code: Annotated[str, Ref]
    first_name: Annotated[str, StaffClass]
    last_name: Annotated[str, StaffClass]
    grade: Annotated[str, StaffClass]
    team_code: Annotated[str, Ref]
    contracted_hours: Annotated[float, StaffClass]
    email: Annotated[str | None, StaffClass] = None
    phone: Annotated[str | None, StaffClass] = None
    active: Annotated[bool, Ref]


class StaffList(Outbound):
    staff: list[StaffView]


class NewReduction(Strict):
    hours: DecimalHours
    reason: Text
    start_date: CourtDate
    end_date: CourtDate | None = None

    @model_validator(mode="after")
    def _dates(self):
        if self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date must not precede start_date")
        return self


class ReductionView(View):
    id: Annotated[int, Ref]
    staff_code: Annotated[str, Ref]
    hours: Annotated[float, StaffClass]
    reason: Annotated[str, StaffClass]
    start_date: Annotated[date, StaffClass]
    end_date: Annotated[date | None, StaffClass] = None


class NewCourtReport(Strict):
    kind: Literal["STANDARD", "FAST"]
    requested_on: PastDate


class CourtReportCompletion(Strict):
    completed_on: PastDate


class CourtReportView(View):
    id: Annotated[int, Ref]
    staff_code: Annotated[str, StaffClass]
    kind: Annotated[str, Ref]
    points: Annotated[int, Ref]
    requested_on: Annotated[date, Ref]
    completed_on: Annotated[date | None, Ref] = None


class CourtReportList(Outbound):
    court_reports: list[CourtReportView]


class ReductionList(Outbound):
    reductions: list[ReductionView]


class CapacityBasis(Outbound):
    """What a capacity figure was computed from (docs/domain.md, "Allocation and caseload")."""

    rule: Annotated[str, Ref]
    case_points: Annotated[int, Ref]
    court_report_points: Annotated[int, Ref]
    total_points: Annotated[int, Ref]
    contracted_hours: Annotated[float, StaffClass]
    reduction_hours: Annotated[float, StaffClass]
    available_points: Annotated[float, Ref]
    people_held: Annotated[int, Ref]


class WorkloadView(Outbound):
    staff_code: Annotated[str, Ref]
    grade: Annotated[str, StaffClass]
    team_code: Annotated[str, Ref]
    contracted_hours: Annotated[float, StaffClass]
    reduction_hours: Annotated[float, StaffClass]
    available_points: Annotated[float, Ref]
    total_points: Annotated[int, Ref]
    cases: Annotated[int, Ref]
    active_risk_cases: Annotated[int, Ref]
    capacity_percent: Annotated[float | None, Ref]
    court_report_points: Annotated[int, Ref] = 0
    capacity_basis: CapacityBasis | None = None


# --- allocation -------------------------------------------------------------------------------


class DueDateBasis(Outbound):
    rule: Annotated[str, Ref]
    sentence_date: Annotated[date, SentenceClass]
    working_days: Annotated[int, Ref]
    days_not_counted: Annotated[list[date], Ref]  # weekends and bank holidays skipped


class CaseView(Outbound):
    id: Annotated[int, Ref]
    crn: Annotated[str, Ref]
    sentence_id: Annotated[int, Ref]
    pdu_code: Annotated[str, Ref]
    case_type: Annotated[str, SentenceClass]
    tier: Annotated[str | None, Risk] = None
    points: Annotated[int, Risk]  # weighed from the tier: tells the tier
    upw_only: Annotated[bool, SentenceClass]
    status: Annotated[str, Ref]
    sentence_date: Annotated[date, SentenceClass]
    due_date: Annotated[date, Ref]
    due_status: Annotated[str | None, Ref]
    staff_code: Annotated[str | None, StaffClass] = None
    team_code: Annotated[str | None, Ref] = None
    allocated_at: Annotated[datetime | None, Ref] = None
    name: Annotated[str | None, Identity] = None
    # The person is on a restriction: only the staff named on it may see the case or be given it.
    restricted: Annotated[bool, Ref] = False
    # An allocated case whose holder's grade no longer fits (e.g. RoSH high added after it went to a PSO).
    grade_fits: Annotated[bool | None, Risk] = None
    flags: Annotated[list[str], Risk] = []
    due_date_basis: DueDateBasis | None = None


class QueuePage(Outbound):
    pdu_code: Annotated[str, Ref]
    on: Annotated[date, Ref]
    content: list[CaseView]
    page: Annotated[int, Ref]
    size: Annotated[int, Ref]
    total_elements: Annotated[int, Ref]
    # Unallocated cases of the PDU this caller may not see (restricted away from them, or excluding them):
    # the PDU knows they are waiting without learning whose they are.
    hidden_cases: Annotated[int, Ref] = 0


class RecommendationView(Outbound):
    staff_code: Annotated[str, StaffClass]
    name: Annotated[str, StaffClass]
    grade: Annotated[str, StaffClass]
    team_code: Annotated[str, Ref]
    capacity_percent: Annotated[float | None, StaffClass]
    projected_capacity_percent: Annotated[float | None, StaffClass]
    active_risk_cases: Annotated[int, StaffClass]
    previous_practitioner: Annotated[bool, StaffClass]
    over_case_limit: Annotated[bool, StaffClass]
    current_holder: Annotated[bool, StaffClass] = False
    # Why this practitioner stands where they do, e.g. "PO required: RoSH high", "would reach 9.5% (now 6.6%)".
    reasons: Annotated[list[str], StaffClass] = []
    capacity_basis: CapacityBasis | None = None


class Recommendations(Outbound):
    case_id: Annotated[int, Ref]
    crn: Annotated[str, Ref]
    suitable_grades: Annotated[list[str], Risk]
    case_points: Annotated[int, Risk]
    practitioners: list[RecommendationView]


class AllocationRequest(Strict):
    staff_code: Code
    reason: Text | None = None
    override_reason: Text | None = None


class AllocationView(View):
    id: Annotated[int, Ref]
    case_id: Annotated[int, Ref]
    crn: Annotated[str, Ref]
    kind: Annotated[str, Ref]
    staff_code: Annotated[str, StaffClass]
    team_code: Annotated[str, Ref]
    pdu_code: Annotated[str, Ref]
    previous_staff_code: Annotated[str | None, StaffClass] = None
    reason: Annotated[str | None, CaseNotes] = None
    override_reason: Annotated[str | None, CaseNotes] = None
    allocated_by: Annotated[str, StaffClass]
    at: Annotated[datetime, Ref]


class ManagerView(Outbound):
    crn: Annotated[str, Ref]
    allocated: Annotated[bool, Ref]
    staff_code: Annotated[str | None, StaffClass] = None
    first_name: Annotated[str | None, StaffClass] = None
    last_name: Annotated[str | None, StaffClass] = None
    grade: Annotated[str | None, StaffClass] = None
    email: Annotated[str | None, StaffClass] = None
    phone: Annotated[str | None, StaffClass] = None
    team_code: Annotated[str | None, Ref] = None
    team_name: Annotated[str | None, Ref] = None
    pdu_code: Annotated[str | None, Ref] = None
    allocated_at: Annotated[datetime | None, Ref] = None


class HandoverBasis(Outbound):
    rule: Annotated[str, Ref]
    sentence_date: Annotated[date, SentenceClass]
    length: Annotated[str, SentenceClass]
    short_sentence: Annotated[bool, SentenceClass]
    release_date_source: Annotated[str | None, SentenceClass] = None  # which custody date was used
    released_on: Annotated[date | None, SentenceClass] = None


class HandoverView(Outbound):
    crn: Annotated[str, Ref]
    sentence_id: Annotated[int | None, Ref] = None
    responsible: Annotated[str | None, Ref]
    handover_date: Annotated[date | None, SentenceClass] = None  # follows from the release date
    release_date: Annotated[date | None, SentenceClass] = None
    basis: HandoverBasis | None = None


class HandoverJobResult(Outbound):
    on: Annotated[date, Ref]
    moved: Annotated[list[str], Ref]


# --- contacts and enforcement -----------------------------------------------------------------


class NewContact(Strict):
    contact_type: ContactType
    contact_date: AppointmentDate
    sentence_id: Id | None = None
    outcome: Outcome | None = None
    staff_code: Code | None = None
    notes: Notes4000 | None = None


class OutcomeRequest(Strict):
    outcome: Outcome
    notes: Notes4000 | None = None


class ContactView(View):
    id: Annotated[int, Ref]
    crn: Annotated[str, Ref]
    sentence_id: Annotated[int | None, Ref] = None
    contact_type: Annotated[str, Ref]
    face_to_face: Annotated[bool, Ref]
    contact_date: Annotated[date, Ref]
    outcome: Annotated[str | None, SentenceClass] = None
    staff_code: Annotated[str | None, StaffClass] = None
    notes: Annotated[str | None, CaseNotes] = None
    breach_id: Annotated[int | None, Ref] = None


class ContactList(Outbound):
    contacts: list[ContactView]


class BreachView(View):
    id: Annotated[int, Ref]
    crn: Annotated[str, Ref]
    sentence_id: Annotated[int | None, Ref] = None
    raised_on: Annotated[date, Ref]
    reason: Annotated[str, SentenceClass]
    contact_ids: Annotated[list[int], Ref]
    status: Annotated[str, Ref]


class PeriodView(Outbound):
    start: Annotated[date, Ref]
    end: Annotated[date, Ref]
    kind: Annotated[str, Ref]
    contacts: Annotated[int, SentenceClass]  # attended face to face
    planned: Annotated[int, SentenceClass] = 0  # booked face to face, no outcome yet
    status: Annotated[str, SentenceClass]


class ComplianceBasis(Outbound):
    rule: Annotated[str, Ref]
    supervision_start: Annotated[date, SentenceClass]
    released_on: Annotated[date | None, SentenceClass] = None
    attended_face_to_face: Annotated[list[date], SentenceClass]  # the contacts counted


class CaseCompliance(Outbound):
    case_id: Annotated[int, Ref]
    sentence_id: Annotated[int, Ref]
    case_type: Annotated[str, SentenceClass]
    compliant: Annotated[bool, SentenceClass]
    periods: list[PeriodView]
    basis: ComplianceBasis | None = None


class ComplianceView(Outbound):
    crn: Annotated[str, Ref]
    on: Annotated[date, Ref]
    cases: list[CaseCompliance]


class NewDrugTest(Strict):
    requirement_id: Id
    test_date: PastDate
    result: DrugResult
    substances: Annotated[list[Annotated[str, line(50)]], Field(max_length=20)] = []


class DrugTestView(View):
    id: Annotated[int, Ref]
    crn: Annotated[str, Ref]
    requirement_id: Annotated[int | None, Ref] = None
    test_date: Annotated[date, Ref]
    result: Annotated[str, SentenceClass]
    substances: Annotated[list[str], Health]
    flagged_for_enforcement: Annotated[bool, SentenceClass]
    police_partner_notifiable: Annotated[bool, Ref]
