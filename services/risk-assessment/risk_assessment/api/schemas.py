"""Request and response bodies. Personal fields carry their data class for the shared redaction policy;
the provider and police views are separate models that structurally hold no victim fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from probation_shared.limits import CourtDate, DateOfBirth, OrderEndDate, free_text, line, pattern
from probation_shared.redaction import Classified, DataClass, Outbound

Level = Literal["LOW", "MEDIUM", "HIGH", "VERY_HIGH"]
CommunityGroup = Literal["children", "public", "knownAdult", "staff"]
CustodyGroup = Literal["children", "public", "knownAdult", "staff", "prisoners"]
RiskToSelfKind = Literal["suicide", "selfHarm", "custody", "hostel", "vulnerability"]
Levels = Annotated[Any, Classified(DataClass.RISK_LEVELS)]
Narrative = Annotated[Any, Classified(DataClass.RISK_NARRATIVE)]
Health = Annotated[Any, Classified(DataClass.HEALTH)]
Victims = Annotated[Any, Classified(DataClass.VICTIM_DETAILS)]
Offence = Annotated[Any, Classified(DataClass.OFFENCE)]
Ref = Annotated[Any, Classified(DataClass.REFERENCE)]
Staff = Annotated[Any, Classified(DataClass.STAFF)]
Narrative5000 = Annotated[str, free_text(5000)]
Text = Field(default=None)
Key = Annotated[str, pattern(r"^[A-Za-z0-9_.-]{1,50}$", 50)]
# Field names of provider-bound text, as other services flatten them: "needs[0]", "desired_outcomes[1]".
TextField = Annotated[str, pattern(r"^[A-Za-z0-9_.\[\]-]{1,80}$", 80)]
OffenceCode = Annotated[str, pattern(r"^[A-Za-z0-9/]{1,10}$", 10)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Assessments


class SectionInput(Strict):
    answers: Annotated[dict[Key, Annotated[str, free_text(5000, min_length=0)]], Field(max_length=100)] = Field(
        default_factory=dict
    )
    linkedToHarm: bool | None = None
    linkedToReoffending: bool | None = None


class AssessmentUpdate(Strict):
    sections: Annotated[dict[Key, SectionInput], Field(max_length=20)]


class NarrativeInput(Strict):
    whoIsAtRisk: Narrative5000 | None = Text
    natureOfRisk: Narrative5000 | None = Text
    imminence: Narrative5000 | None = Text
    increasingFactors: Narrative5000 | None = Text
    mitigatingFactors: Narrative5000 | None = Text
    # Written for providers, and the only narrative they see: checked against every victim ever recorded.
    providerSummary: Narrative5000 | None = Text


class RiskToSelfInput(Strict):
    current: bool = False
    previous: bool = False
    details: Narrative5000 | None = Text


class VictimInput(Strict):
    name: Annotated[str, line(200)]
    address: Annotated[str, free_text(500)] | None = None
    relationship: Annotated[str, line(200)] | None = None
    phone: Annotated[str, line(50)] | None = None
    email: Annotated[str, line(200)] | None = None


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class RoshInput(Strict):
    community: dict[CommunityGroup, Level] = Field(default_factory=dict)
    # Left out: the custody ratings are carried over. `null`: every custody rating is cleared. A group
    # set to `null`: that group's rating is cleared.
    custody: dict[CustodyGroup, Level | None] | None = None
    narrative: NarrativeInput | None = None
    riskToSelf: dict[RiskToSelfKind, RiskToSelfInput] | None = None
    victims: list[VictimInput] | None = Field(default=None, max_length=50)


class CompleteAssessment(Strict):
    rosh: RoshInput | None = None


class RoshReRating(RoshInput):
    reason: Annotated[str, free_text(2000)]

    _reason_not_blank = field_validator("reason")(_not_blank)


class SectionView(Outbound):
    code: Ref
    title: Ref
    answers: Annotated[dict[str, str], Classified(DataClass.RISK_NARRATIVE)]
    score: Narrative
    severity: Narrative
    identifiedNeed: Narrative
    linkedToHarm: Narrative
    linkedToReoffending: Narrative
    complete: Ref


class AssessmentView(Outbound):
    id: Ref
    crn: Ref
    version: Ref
    status: Ref
    asAt: Ref = None
    createdBy: Staff
    createdAt: Ref
    completedBy: Staff
    completedAt: Ref
    sections: list[SectionView]


class AssessmentSummary(Outbound):
    id: Ref
    version: Ref
    status: Ref
    createdAt: Ref
    completedAt: Ref


class QuestionView(Outbound):
    id: Ref
    text: Ref
    answers: Ref


class SectionDefinition(Outbound):
    code: Ref
    title: Ref
    scored: Ref
    standardThreshold: Ref
    severeThreshold: Ref
    questions: list[QuestionView]


# RoSH and risk summaries


class VictimView(Outbound):
    name: Victims
    address: Victims
    relationship: Victims
    phone: Victims = None
    email: Victims = None


class RoshVersionView(Outbound):
    version: Ref
    source: Ref
    assessmentId: Ref
    overall: Levels
    community: Levels
    custody: Levels = None
    narrative: Narrative
    riskToSelf: Health
    victims: Annotated[list[VictimView], Classified(DataClass.VICTIM_DETAILS)]
    reason: Narrative
    author: Staff
    createdAt: Ref


class Mappa(Outbound):
    level: Levels
    category: Levels


class RiskSummaryView(Outbound):
    """Everything, for probation staff (and service tokens)."""

    crn: Ref
    view: Annotated[Literal["full"], Classified(DataClass.REFERENCE)] = "full"
    rosh: RoshVersionView | None
    mappa: Annotated[Mappa | None, Classified(DataClass.RISK_LEVELS)]
    tier: Annotated[str | None, Classified(DataClass.RISK_LEVELS)]


class RiskToSelfFlag(Outbound):
    kind: Health
    current: Health
    previous: Health


class ProviderRiskSummary(Outbound):
    """What a provider caseworker with an active referral may see: levels, the groups at risk, the summary
    written for providers, and (HEALTH, with consent) risk-to-self flags. No victim fields at all, and none
    of the narrative written for probation staff."""

    crn: Ref
    view: Annotated[Literal["provider"], Classified(DataClass.REFERENCE)] = "provider"
    version: Ref
    overall: Levels
    community: Levels
    custody: Levels = None
    groupsAtRisk: Levels
    summary: Narrative
    riskToSelf: Annotated[list[RiskToSelfFlag], Classified(DataClass.HEALTH)]
    updatedAt: Ref


class PoliceRiskSummary(Outbound):
    """IOM / MAPPA police partners: levels and MAPPA only."""

    crn: Ref
    view: Annotated[Literal["police"], Classified(DataClass.REFERENCE)] = "police"
    version: Ref
    overall: Levels
    community: Levels
    custody: Levels = None
    mappa: Annotated[Mappa | None, Classified(DataClass.RISK_LEVELS)]


class WithheldField(Outbound):
    field: Ref
    dataClass: Ref
    reason: Ref


class RiskSummaryPreview(Outbound):
    """What an audience would be shown of the risk summary, and what it would not, with why."""

    crn: Ref
    audience: Ref
    shown: Annotated[dict[str, Any] | None, Classified(DataClass.REFERENCE)]
    withheld: list[WithheldField]


class ProviderTextCheck(Strict):
    texts: Annotated[dict[TextField, Annotated[str, free_text(5000, min_length=0)]], Field(max_length=50)]


class VictimIdentifierMatch(Outbound):
    field: Ref
    kind: Ref
    matched: Victims


class ProviderTextCheckResult(Outbound):
    matches: list[VictimIdentifierMatch]


# Scores


class Ogrs3Request(Strict):
    sex: Literal["MALE", "FEMALE"]
    dateOfBirth: DateOfBirth
    convictionDate: CourtDate
    followUpStart: OrderEndDate
    totalSanctions: int = Field(ge=1, le=999)
    ageAtFirstSanction: int = Field(ge=0, le=130)
    offenceCode: OffenceCode


class Ogrs3View(Outbound):
    oneYear: Levels
    twoYear: Levels
    band: Levels
    ageAtConviction: Offence
    ageAtFollowUp: Offence
    offenceGroup: Offence
    offenceWeight: Offence
    # What it was computed from: the inputs as given, and the terms of x = ageGender + status + copas + offence.
    inputs: Annotated[dict | None, Classified(DataClass.OFFENCE)] = None
    terms: Annotated[dict | None, Classified(DataClass.OFFENCE)] = None


class RecordedScoreRequest(Strict):
    rsr: Decimal | None = Field(default=None, ge=0, le=Decimal("99.99"), decimal_places=2)
    ospC: Decimal | None = Field(default=None, ge=0, le=Decimal("99.99"), decimal_places=2)
    ospCBand: Literal["LOW", "MEDIUM", "HIGH", "VERY_HIGH"] | None = None
    ospI: Decimal | None = Field(default=None, ge=0, le=Decimal("99.99"), decimal_places=2)
    ospIBand: Literal["LOW", "MEDIUM", "HIGH"] | None = None


class ScoreView(Outbound):
    kind: Ref
    value: Levels
    oneYear: Levels = None
    band: Levels
    inputs: Annotated[dict, Classified(DataClass.OFFENCE)]
    recordedBy: Staff
    recordedAt: Ref
    # OGRS3 only: the terms it was computed from (recomputed from the stored inputs).
    terms: Annotated[dict | None, Classified(DataClass.OFFENCE)] = None


class ScoresView(Outbound):
    crn: Ref
    ogrs3: ScoreView | None
    rsr: ScoreView | None
    ospC: ScoreView | None
    ospI: ScoreView | None


# Tiers


class TierView(Outbound):
    calculationId: Ref
    crn: Ref
    tier: Annotated[str, Classified(DataClass.RISK_LEVELS)]
    previousTier: Annotated[str | None, Classified(DataClass.RISK_LEVELS)]
    changed: Levels
    protectLevel: Annotated[str, Classified(DataClass.RISK_LEVELS)]
    protectPoints: Annotated[int, Classified(DataClass.RISK_LEVELS)]
    changeLevel: Annotated[int, Classified(DataClass.RISK_LEVELS)]
    changePoints: Annotated[int | None, Classified(DataClass.RISK_LEVELS)]
    inputs: Annotated[dict, Classified(DataClass.RISK_NARRATIVE)]
    breakdown: Annotated[dict, Classified(DataClass.RISK_NARRATIVE)]
    trigger: Ref
    calculatedAt: Ref
    # The A–G tier of the same calculation (null on calculations from before it existed).
    tierAG: Annotated[str | None, Classified(DataClass.RISK_LEVELS)] = None
    tierAGProvisional: Annotated[bool | None, Classified(DataClass.RISK_LEVELS)] = None
    previousTierAG: Annotated[str | None, Classified(DataClass.RISK_LEVELS)] = None
    tierAGChanged: Annotated[bool | None, Classified(DataClass.RISK_LEVELS)] = None
    tierAGInputs: Annotated[dict | None, Classified(DataClass.RISK_NARRATIVE)] = None
    tierAGBreakdown: Annotated[dict | None, Classified(DataClass.RISK_NARRATIVE)] = None


class TierHistoryView(Outbound):
    crn: Ref
    calculations: list[TierView]


class TierCounts(Outbound):
    """Aggregates only: what a commissioner may see."""

    counts: Annotated[dict[str, int], Classified(DataClass.REFERENCE)]
    total: Annotated[int, Classified(DataClass.REFERENCE)]


# PSR


class PsrRequest(Strict):
    offenceCode: OffenceCode
    offenceDescription: Annotated[str, line(500)]


class PsrOverride(Strict):
    sentenceType: Literal["COMMUNITY_ORDER", "SUSPENDED_SENTENCE_ORDER", "CUSTODY", "FINE", "DISCHARGE"]
    requirements: list[Literal["RAR", "UPW", "DRR", "ATR", "MHTR", "CURFEW", "AAMR"]] = Field(default_factory=list)
    reason: Annotated[str, free_text(2000)]

    _reason_not_blank = field_validator("reason")(_not_blank)


class PsrView(Outbound):
    id: Ref
    crn: Ref
    offenceCode: Offence
    offenceDescription: Offence
    inputs: Annotated[dict, Classified(DataClass.RISK_NARRATIVE)]
    options: Annotated[list, Classified(DataClass.RISK_NARRATIVE)]
    recommended: Annotated[dict | None, Classified(DataClass.RISK_NARRATIVE)]
    override: Annotated[dict | None, Classified(DataClass.RISK_NARRATIVE)]
    createdBy: Staff
    createdAt: Ref
