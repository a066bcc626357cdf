"""The ten criminogenic need sections: questions, answer scoring, section scores and severity.

Thresholds and answer scores are those of docs/domain.md. The questions follow the OASys layout
(section numbers kept in the question ids).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from probation_shared.domain_error import ErrorCollector


class AnswerScale(str, enum.Enum):
    NONE_SOME_SIGNIFICANT = "NONE_SOME_SIGNIFICANT"
    YES_NO = "YES_NO"
    NEVER_PREVIOUSLY_CURRENTLY = "NEVER_PREVIOUSLY_CURRENTLY"


ANSWER_SCORES: dict[AnswerScale, dict[str, int]] = {
    AnswerScale.NONE_SOME_SIGNIFICANT: {"NONE": 0, "SOME": 1, "SIGNIFICANT": 2},
    AnswerScale.YES_NO: {"YES": 2, "NO": 0},
    AnswerScale.NEVER_PREVIOUSLY_CURRENTLY: {"NEVER": 0, "PREVIOUSLY": 1, "CURRENTLY": 2},
}


class Severity(str, enum.Enum):
    NO_NEED = "NO_NEED"
    STANDARD = "STANDARD"
    SEVERE = "SEVERE"


SEVERITY_POINTS = {Severity.NO_NEED: 0, Severity.STANDARD: 1, Severity.SEVERE: 2}


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    scale: AnswerScale


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    questions: tuple[Question, ...]
    thresholds: tuple[int, int] | None  # (standard, severe); None: recorded but unscored
    tier_weight: int

    @property
    def scored(self) -> bool:
        return self.thresholds is not None

    @property
    def max_score(self) -> int:
        return sum(max(ANSWER_SCORES[q.scale].values()) for q in self.questions)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


NSS, YN, NPC = AnswerScale.NONE_SOME_SIGNIFICANT, AnswerScale.YES_NO, AnswerScale.NEVER_PREVIOUSLY_CURRENTLY


def _q(qid: str, text: str, scale: AnswerScale = NSS) -> Question:
    return Question(qid, text, scale)


SECTIONS: tuple[Section, ...] = (
    Section(
        "ACCOMMODATION",
        "Accommodation",
        (
            _q("3.3", "Currently of no fixed abode or in transient accommodation", YN),
            _q("3.4", "Suitability of accommodation"),
            _q("3.5", "Permanence of accommodation"),
            _q("3.6", "Suitability of location of accommodation"),
        ),
        (2, 7),
        1,
    ),
    Section(
        "EDUCATION_TRAINING_EMPLOYMENT",
        "Education, training and employability",
        (
            _q("4.2", "Unemployed, or will be on release", YN),
            _q("4.3", "Employment history"),
            _q("4.4", "Work related skills"),
            _q("4.5", "Attitude to employment"),
            _q("4.7", "Educational attainment and basic skills"),
        ),
        (3, 7),
        1,
    ),
    Section(
        "RELATIONSHIPS",
        "Relationships",
        (
            _q("6.1", "Current relationship with close family members"),
            _q("6.3", "Experience of childhood"),
            _q("6.4", "Current relationship with partner"),
            _q("6.7", "Perpetrator of domestic violence", YN),
            _q("6.9", "Concerns about parenting responsibilities", YN),
        ),
        (2, 5),
        1,
    ),
    Section(
        "LIFESTYLE_ASSOCIATES",
        "Lifestyle and associates",
        (
            _q("7.2", "Regular activities encourage offending"),
            _q("7.3", "Easily influenced by criminal associates"),
            _q("7.4", "Manipulative or predatory lifestyle"),
            _q("7.5", "Recklessness and risk-taking behaviour"),
        ),
        (2, 5),
        1,
    ),
    Section(
        "DRUG_MISUSE",
        "Drug misuse",
        (
            _q("8.1", "Drugs ever misused", NPC),
            _q("8.4", "Level of drug use"),
            _q("8.5", "Ever injected drugs", NPC),
            _q("8.6", "Motivation to tackle drug misuse"),
            _q("8.8", "Drug use and obtaining drugs a major activity"),
        ),
        (2, 8),
        1,
    ),
    Section(
        "ALCOHOL_MISUSE",
        "Alcohol misuse",
        (
            _q("9.1", "Is current use a problem"),
            _q("9.2", "Binge drinking or excessive use in the last six months"),
            _q("9.3", "Level of alcohol misuse in the past"),
            _q("9.5", "Violent behaviour related to alcohol use"),
            _q("9.6", "Motivation to tackle alcohol misuse"),
        ),
        (4, 7),
        1,
    ),
    Section(
        "THINKING_BEHAVIOUR",
        "Thinking and behaviour",
        (
            _q("11.2", "Impulsivity"),
            _q("11.3", "Aggressive or controlling behaviour"),
            _q("11.4", "Temper control"),
            _q("11.6", "Problem solving skills"),
            _q("11.7", "Awareness of consequences"),
            _q("11.9", "Understands other people's views"),
        ),
        (4, 7),
        2,
    ),
    Section(
        "ATTITUDES",
        "Attitudes",
        (
            _q("12.1", "Pro-criminal attitudes"),
            _q("12.3", "Attitude towards staff"),
            _q("12.4", "Attitude towards supervision or licence"),
            _q("12.5", "Attitude to community or society"),
            _q("12.8", "Motivation to address offending behaviour"),
        ),
        (2, 7),
        2,
    ),
    Section(
        "FINANCE",
        "Financial management and income",
        (
            _q("5.2", "Financial situation"),
            _q("5.3", "Financial management"),
            _q("5.4", "Illegal earnings a source of income", YN),
        ),
        None,
        0,
    ),
    Section(
        "EMOTIONAL_WELLBEING",
        "Emotional well-being",
        (
            _q("10.1", "Difficulties coping"),
            _q("10.2", "Current psychological problems or depression"),
            _q("10.5", "Self-harm, attempted suicide or suicidal thoughts", NPC),
        ),
        None,
        0,
    ),
)

SECTIONS_BY_CODE: dict[str, Section] = {s.code: s for s in SECTIONS}
SCORED_SECTIONS: tuple[Section, ...] = tuple(s for s in SECTIONS if s.scored)


def severity(section: Section, score: int) -> Severity | None:
    if section.thresholds is None:
        return None
    standard, severe = section.thresholds
    if score >= severe:
        return Severity.SEVERE
    if score >= standard:
        return Severity.STANDARD
    return Severity.NO_NEED


@dataclass(frozen=True)
class SectionResult:
    code: str
    score: int | None
    severity: Severity | None
    identified_need: bool
    linked_to_harm: bool
    linked_to_reoffending: bool
    complete: bool


def validate_answers(
    section_code: str, answers: Mapping[str, str], field_prefix: str, errors: ErrorCollector
) -> Section | None:
    """Check one section's answers against its questions and scales; records each bad field."""
    section = SECTIONS_BY_CODE.get(section_code)
    if section is None:
        errors.add(
            field_prefix,
            f"Unknown section {section_code!r}; sections are {', '.join(SECTIONS_BY_CODE)}.",
            "unknown-section",
        )
        return None
    for question_id, answer in answers.items():
        question = section.question(question_id)
        field = f"{field_prefix}.answers.{question_id}"
        if question is None:
            errors.add(field, f"Section {section_code} has no question {question_id!r}.", "unknown-question")
        elif answer not in ANSWER_SCORES[question.scale]:
            allowed = ", ".join(ANSWER_SCORES[question.scale])
            errors.add(
                field, f"{answer!r} is not an answer to question {question_id}; allowed: {allowed}.", "invalid-answer"
            )
    return section


def score_section(
    section: Section, answers: Mapping[str, str], linked_to_harm: bool = False, linked_to_reoffending: bool = False
) -> SectionResult:
    """Section score (sum of answer scores), severity and identified need. Answers must be valid."""
    complete = all(q.id in answers for q in section.questions)
    if not section.scored:
        return SectionResult(section.code, None, None, False, linked_to_harm, linked_to_reoffending, complete)
    score = sum(ANSWER_SCORES[q.scale][answers[q.id]] for q in section.questions if q.id in answers)
    level = severity(section, score)
    return SectionResult(
        section.code, score, level, level is not Severity.NO_NEED, linked_to_harm, linked_to_reoffending, complete
    )


def answer_score(section_code: str, question_id: str, answers: Mapping[str, str]) -> int:
    section = SECTIONS_BY_CODE[section_code]
    question = section.question(question_id)
    if question is None or question_id not in answers:
        return 0
    return ANSWER_SCORES[question.scale][answers[question_id]]


@dataclass(frozen=True)
class WomensFactors:
    parenting_concern: bool
    impulsivity_or_temper_concern: bool


def womens_factors(all_answers: Mapping[str, Mapping[str, str]]) -> WomensFactors:
    """Parenting concern: 6.9 answered YES. Impulsivity or temper control: 11.2 or 11.4 scored above 0."""
    relationships = all_answers.get("RELATIONSHIPS", {})
    thinking = all_answers.get("THINKING_BEHAVIOUR", {})
    return WomensFactors(
        parenting_concern=answer_score("RELATIONSHIPS", "6.9", relationships) > 0,
        impulsivity_or_temper_concern=answer_score("THINKING_BEHAVIOUR", "11.2", thinking) > 0
        or answer_score("THINKING_BEHAVIOUR", "11.4", thinking) > 0,
    )
