"""Request and response bodies. Personal fields carry their data class for the shared redaction policy;
the provider and police views are separate models that structurally hold no victim fields."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from probation_shared.redaction import Classified, DataClass

Level = Literal["LOW", "MEDIUM", "HIGH", "VERY_HIGH"]
CommunityGroup = Literal["children", "public", "knownAdult", "staff"]
CustodyGroup = Literal["children", "public", "knownAdult", "staff", "prisoners"]
RiskToSelfKind = Literal["suicide", "selfHarm", "custody", "hostel", "vulnerability"]
Levels = Annotated[Any, Classified(DataClass.RISK_LEVELS)]
Narrative = Annotated[Any, Classified(DataClass.RISK_NARRATIVE)]
Victims = Annotated[Any, Classified(DataClass.VICTIM_DETAILS)]
Offence = Annotated[Any, Classified(DataClass.OFFENCE)]
Text = Field(default=None, max_length=5000)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Assessments


class SectionInput(Strict):
    answers: dict[str, str] = Field(default_factory=dict)
    linkedToHarm: bool | None = None
    linkedToReoffending: bool | None = None


class AssessmentUpdate(Strict):
    sections: dict[str, SectionInput]


class NarrativeInput(Strict):
    whoIsAtRisk: str | None = Text
    natureOfRisk: str | None = Text
    imminence: str | None = Text
    increasingFactors: str | None = Text
    mitigatingFactors: str | None = Text


class RiskToSelfInput(Strict):
    current: bool = False
    previous: bool = False
    details: str | None = Text


class VictimInput(Strict):
    name: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    relationship: str | None = Field(default=None, max_length=200)


class RoshInput(Strict):
    community: dict[CommunityGroup, Level] = Field(default_factory=dict)
    custody: dict[CustodyGroup, Level] | None = None
    narrative: NarrativeInput | None = None
    riskToSelf: dict[RiskToSelfKind, RiskToSelfInput] | None = None
    victims: list[VictimInput] | None = Field(default=None, max_length=50)


class CompleteAssessment(Strict):
    rosh: RoshInput | None = None


class RoshReRating(RoshInput):
    reason: str = Field(min_length=1, max_length=2000)


class SectionView(BaseModel):
    code: str
    title: str
    answers: Annotated[dict[str, str], Classified(DataClass.RISK_NARRATIVE)]
    score: int | None
    severity: str | None
    identifiedNeed: bool
    linkedToHarm: bool
    linkedToReoffending: bool
    complete: bool


class AssessmentView(BaseModel):
    id: str
    crn: str
    version: int
    status: str
    asAt: datetime | None = None
    createdBy: str
    createdAt: datetime
    completedBy: str | None
    completedAt: datetime | None
    sections: list[SectionView]


class AssessmentSummary(BaseModel):
    id: str
    version: int
    status: str
    createdAt: datetime
    completedAt: datetime | None


class QuestionView(BaseModel):
    id: str
    text: str
    answers: list[str]


class SectionDefinition(BaseModel):
    code: str
    title: str
    scored: bool
    standardThreshold: int | None
    severeThreshold: int | None
    questions: list[QuestionView]


# RoSH and risk summaries


class VictimView(BaseModel):
    name: str
    address: str | None
    relationship: str | None


class RoshVersionView(BaseModel):
    version: int
    source: str
    assessmentId: str | None
    overall: Levels
    community: Levels
    custody: Levels = None
    narrative: Narrative
    riskToSelf: Narrative
    victims: Annotated[list[VictimView], Classified(DataClass.VICTIM_DETAILS)]
    reason: str | None
    author: str
    createdAt: datetime


class Mappa(BaseModel):
    level: str | None
    category: str | None


class RiskSummaryView(BaseModel):
    """Everything, for probation staff (and service tokens)."""

    crn: str
    view: Literal["full"] = "full"
    rosh: RoshVersionView | None
    mappa: Annotated[Mappa | None, Classified(DataClass.RISK_LEVELS)]
    tier: Annotated[str | None, Classified(DataClass.RISK_LEVELS)]


class ProviderRiskSummary(BaseModel):
    """What a provider caseworker with an active referral may see: no victim fields at all."""

    crn: str
    view: Literal["provider"] = "provider"
    version: int | None
    overall: Levels
    community: Levels
    custody: Levels = None
    groupsAtRisk: Levels
    natureOfRisk: Narrative
    whoIsAtRisk: Narrative
    riskToSelfConcerns: Narrative
    updatedAt: datetime | None


class PoliceRiskSummary(BaseModel):
    """IOM / MAPPA police partners: levels and MAPPA only."""

    crn: str
    view: Literal["police"] = "police"
    version: int | None
    overall: Levels
    community: Levels
    custody: Levels = None
    mappa: Annotated[Mappa | None, Classified(DataClass.RISK_LEVELS)]


# Scores


class Ogrs3Request(Strict):
    sex: Literal["MALE", "FEMALE"]
    dateOfBirth: date
    convictionDate: date
    followUpStart: date
    totalSanctions: int = Field(ge=1, le=999)
    ageAtFirstSanction: int = Field(ge=0, le=130)
    offenceCode: str = Field(min_length=1, max_length=10)


class Ogrs3View(BaseModel):
    oneYear: int
    twoYear: int
    band: str
    ageAtConviction: int
    ageAtFollowUp: int
    offenceGroup: str
    offenceWeight: float


class RecordedScoreRequest(Strict):
    rsr: Decimal | None = Field(default=None, ge=0, le=Decimal("99.99"), decimal_places=2)
    ospC: Decimal | None = Field(default=None, ge=0, le=Decimal("99.99"), decimal_places=2)
    ospCBand: Literal["LOW", "MEDIUM", "HIGH", "VERY_HIGH"] | None = None
    ospI: Decimal | None = Field(default=None, ge=0, le=Decimal("99.99"), decimal_places=2)
    ospIBand: Literal["LOW", "MEDIUM", "HIGH"] | None = None


class ScoreView(BaseModel):
    kind: str
    value: float
    oneYear: int | None = None
    band: str
    inputs: Annotated[dict, Classified(DataClass.OFFENCE)]
    recordedBy: str
    recordedAt: datetime


class ScoresView(BaseModel):
    crn: str
    ogrs3: ScoreView | None
    rsr: ScoreView | None
    ospC: ScoreView | None
    ospI: ScoreView | None


# Tiers


class TierView(BaseModel):
    calculationId: str
    crn: str
    tier: Annotated[str, Classified(DataClass.RISK_LEVELS)]
    previousTier: Annotated[str | None, Classified(DataClass.RISK_LEVELS)]
    changed: bool
    protectLevel: Annotated[str, Classified(DataClass.RISK_LEVELS)]
    protectPoints: Annotated[int, Classified(DataClass.RISK_LEVELS)]
    changeLevel: Annotated[int, Classified(DataClass.RISK_LEVELS)]
    changePoints: Annotated[int | None, Classified(DataClass.RISK_LEVELS)]
    inputs: Annotated[dict, Classified(DataClass.RISK_NARRATIVE)]
    breakdown: Annotated[dict, Classified(DataClass.RISK_NARRATIVE)]
    trigger: str
    calculatedAt: datetime


class TierHistoryView(BaseModel):
    crn: str
    calculations: list[TierView]


class TierCounts(BaseModel):
    counts: dict[str, int]
    total: int


# PSR


class PsrRequest(Strict):
    offenceCode: str = Field(min_length=1, max_length=10)
    offenceDescription: str = Field(min_length=1, max_length=500)


class PsrOverride(Strict):
    sentenceType: Literal["COMMUNITY_ORDER", "SUSPENDED_SENTENCE_ORDER", "CUSTODY", "FINE", "DISCHARGE"]
    requirements: list[Literal["RAR", "UPW", "DRR", "ATR", "MHTR", "CURFEW", "AAMR"]] = Field(default_factory=list)
    reason: str = Field(min_length=1, max_length=2000)


class PsrView(BaseModel):
    id: str
    crn: str
    offenceCode: Offence
    offenceDescription: Offence
    inputs: Annotated[dict, Classified(DataClass.RISK_NARRATIVE)]
    options: Annotated[list, Classified(DataClass.RISK_NARRATIVE)]
    recommended: Annotated[dict | None, Classified(DataClass.RISK_NARRATIVE)]
    override: Annotated[dict | None, Classified(DataClass.RISK_NARRATIVE)]
    createdBy: str
    createdAt: datetime
