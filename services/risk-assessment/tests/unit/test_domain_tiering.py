"""Needs scoring and the Unified Tiering Model against docs/domain.md."""

from decimal import Decimal

import pytest

from probation_shared.domain_error import ErrorCollector
from risk_assessment.domain import needs, tiering
from risk_assessment.domain.needs import Severity
from risk_assessment.domain.rosh import RiskLevel, overall, rsr_band
from risk_assessment.domain.tiering import TierInputs, calculate

ALL_SEVERE = {s.code: Severity.SEVERE for s in needs.SCORED_SECTIONS}
ALL_STANDARD = {s.code: Severity.STANDARD for s in needs.SCORED_SECTIONS}
NO_NEEDS = {s.code: Severity.NO_NEED for s in needs.SCORED_SECTIONS}


# Tiering acceptance


def test_rsr_23_mappa_m2_custody_no_assessment_is_a2():
    result = calculate(TierInputs(rsr=Decimal("23"), mappa_level="M2", mandate_for_change=True, needs=None))
    assert result.tier == "A2"
    assert result.protect_points == 170
    assert result.breakdown["change"]["reason"] == "NO_ASSESSMENT"


def test_same_with_ogrs_0_and_all_eight_sections_severe_is_a3():
    result = calculate(
        TierInputs(rsr=Decimal("23"), mappa_level="M2", mandate_for_change=True, needs=ALL_SEVERE, ogrs=0)
    )
    assert result.tier == "A3"
    assert result.change_points == 20  # 6 × 1 × 2 + 2 × 2 × 2


# Protect level


@pytest.mark.parametrize(
    "rsr, points",
    [(None, 0), ("0", 0), ("2.99", 0), ("3.00", 10), ("6.99", 10), ("7.00", 20), ("23", 20), ("99.99", 20)],
)
def test_rsr_points(rsr, points):
    assert tiering.rsr_points(None if rsr is None else Decimal(rsr)) == points


@pytest.mark.parametrize(
    "inputs, letter, points",
    [
        (TierInputs(), "D", 0),
        (TierInputs(rosh=RiskLevel.LOW), "D", 0),
        (TierInputs(rosh=RiskLevel.MEDIUM), "C", 10),
        (TierInputs(rosh=RiskLevel.HIGH), "B", 20),
        (TierInputs(rosh=RiskLevel.VERY_HIGH), "A", 150),
        (TierInputs(rosh=RiskLevel.HIGH, rsr=Decimal("3")), "B", 20),  # max, not sum
        (TierInputs(rosh=RiskLevel.MEDIUM, rsr=Decimal("8")), "B", 20),
        (TierInputs(mappa_level="M1"), "D", 5),
        (TierInputs(mappa_level="M1", rosh=RiskLevel.MEDIUM), "C", 15),
        (TierInputs(mappa_level="M3"), "A", 150),
        (TierInputs(rosh=RiskLevel.HIGH, mappa_level="M1", complexity_factors=frozenset({"RVLN", "STRG"})), "B", 29),
        (
            TierInputs(
                rosh=RiskLevel.HIGH,
                rsr=Decimal("7"),
                mappa_level="M1",
                complexity_factors=frozenset(tiering.COMPLEXITY_FACTORS),
            ),
            "B",
            45,
        ),
        (TierInputs(complexity_factors=frozenset({"RMDO", "ALSH", "RVLN", "RCCO", "RCPR"})), "C", 10),
        (TierInputs(complexity_factors=frozenset({"ADVP", "IIOM", "RHRH"})), "D", 0),  # not complexity factors
        (TierInputs(rosh=RiskLevel.HIGH, rsr=None, mappa_level="M2", complexity_factors=frozenset({"RCHD"})), "A", 172),
    ],
)
def test_protect_level(inputs, letter, points):
    result = calculate(inputs)
    assert (result.protect_level, result.protect_points) == (letter, points)


def test_womens_factors_count_only_for_women():
    factors = dict(
        parenting_concern=True,
        impulsivity_or_temper_concern=True,
        previous_enforcement=True,
        rosh=RiskLevel.MEDIUM,
        complexity_factors=frozenset({"RVLN", "ALSH"}),
    )
    woman = calculate(TierInputs(female=True, **factors))
    man = calculate(TierInputs(female=False, **factors))
    assert (woman.protect_points, woman.protect_level) == (20, "B")
    assert (man.protect_points, man.protect_level) == (14, "C")
    assert woman.breakdown["protect"]["womensFactors"] == {
        "parenting": 2,
        "impulsivityOrTemper": 2,
        "previousEnforcement": 2,
    }


# Change level


def test_no_mandate_for_change_is_level_0_whatever_the_needs():
    assert calculate(TierInputs(mandate_for_change=False, needs=ALL_SEVERE, ogrs=99, iom=True)).change_level == 0


@pytest.mark.parametrize(
    "needs_, ogrs, iom, points, level",
    [
        (NO_NEEDS, None, False, 0, 1),
        (NO_NEEDS, 99, False, 9, 1),
        (NO_NEEDS, 99, True, 11, 2),
        (ALL_STANDARD, 0, False, 10, 2),  # 6 × 1 + 2 × 2
        (ALL_STANDARD, 95, False, 19, 2),
        (ALL_STANDARD, 95, True, 21, 3),
        (ALL_SEVERE, 0, False, 20, 3),
        ({**NO_NEEDS, "THINKING_BEHAVIOUR": Severity.SEVERE, "ATTITUDES": Severity.SEVERE}, 19, False, 9, 1),
        ({**NO_NEEDS, "THINKING_BEHAVIOUR": Severity.SEVERE, "ATTITUDES": Severity.SEVERE}, 20, False, 10, 2),
    ],
)
def test_change_points(needs_, ogrs, iom, points, level):
    result = calculate(TierInputs(mandate_for_change=True, needs=needs_, ogrs=ogrs, iom=iom))
    assert (result.change_points, result.change_level) == (points, level)


def test_unsupervised_appends_s():
    assert (
        calculate(TierInputs(rosh=RiskLevel.HIGH, mandate_for_change=True, needs=NO_NEEDS, unsupervised=True)).tier
        == "B1S"
    )
    assert calculate(TierInputs(unsupervised=True)).tier == "D0S"


def test_inputs_serialise_for_storage():
    data = TierInputs(
        rsr=Decimal("6.5"), rosh=RiskLevel.HIGH, needs=ALL_STANDARD, complexity_factors=frozenset({"STRG", "ALSH"})
    ).to_json()
    assert data["rsr"] == "6.5" and data["rosh"] == "HIGH" and data["complexityFactors"] == ["ALSH", "STRG"]
    assert data["needs"]["ATTITUDES"] == "STANDARD"


# Needs scoring


@pytest.mark.parametrize(
    "code, standard, severe",
    [
        ("ACCOMMODATION", 2, 7),
        ("EDUCATION_TRAINING_EMPLOYMENT", 3, 7),
        ("RELATIONSHIPS", 2, 5),
        ("LIFESTYLE_ASSOCIATES", 2, 5),
        ("DRUG_MISUSE", 2, 8),
        ("ALCOHOL_MISUSE", 4, 7),
        ("THINKING_BEHAVIOUR", 4, 7),
        ("ATTITUDES", 2, 7),
    ],
)
def test_severity_thresholds(code, standard, severe):
    section = needs.SECTIONS_BY_CODE[code]
    assert section.max_score >= severe
    assert needs.severity(section, standard - 1) is Severity.NO_NEED
    assert needs.severity(section, standard) is Severity.STANDARD
    assert needs.severity(section, severe - 1) is Severity.STANDARD
    assert needs.severity(section, severe) is Severity.SEVERE


def test_weights():
    assert {s.code: s.tier_weight for s in needs.SCORED_SECTIONS} == {
        "ACCOMMODATION": 1,
        "EDUCATION_TRAINING_EMPLOYMENT": 1,
        "RELATIONSHIPS": 1,
        "LIFESTYLE_ASSOCIATES": 1,
        "DRUG_MISUSE": 1,
        "ALCOHOL_MISUSE": 1,
        "THINKING_BEHAVIOUR": 2,
        "ATTITUDES": 2,
    }
    assert {s.code for s in needs.SECTIONS if not s.scored} == {"FINANCE", "EMOTIONAL_WELLBEING"}


def test_answer_scoring_per_scale():
    accommodation = needs.SECTIONS_BY_CODE["ACCOMMODATION"]  # 3.3 yes/no, then none/some/significant
    result = needs.score_section(accommodation, {"3.3": "YES", "3.4": "SOME", "3.5": "SIGNIFICANT", "3.6": "NONE"})
    assert (result.score, result.severity, result.identified_need, result.complete) == (
        5,
        Severity.STANDARD,
        True,
        True,
    )
    drugs = needs.SECTIONS_BY_CODE["DRUG_MISUSE"]  # 8.1 and 8.5 never/previously/currently
    result = needs.score_section(drugs, {"8.1": "PREVIOUSLY", "8.5": "CURRENTLY", "8.4": "NONE"})
    assert (result.score, result.severity, result.complete) == (3, Severity.STANDARD, False)
    assert needs.score_section(drugs, {"8.1": "NEVER"}).identified_need is False


def test_unscored_sections_have_no_score():
    result = needs.score_section(needs.SECTIONS_BY_CODE["FINANCE"], {"5.2": "SIGNIFICANT"})
    assert (result.score, result.severity, result.identified_need) == (None, None, False)


def test_validation_names_unknown_sections_questions_and_answers():
    errors = ErrorCollector()
    needs.validate_answers("ACCOMODATION", {}, "sections.ACCOMODATION", errors)
    needs.validate_answers(
        "ACCOMMODATION", {"3.3": "SOME", "9.9": "NO", "3.4": "SOME"}, "sections.ACCOMMODATION", errors
    )
    assert [(e.field, e.code) for e in errors.errors] == [
        ("sections.ACCOMODATION", "unknown-section"),
        ("sections.ACCOMMODATION.answers.3.3", "invalid-answer"),
        ("sections.ACCOMMODATION.answers.9.9", "unknown-question"),
    ]


def test_womens_factors_from_answers():
    factors = needs.womens_factors(
        {"RELATIONSHIPS": {"6.9": "YES"}, "THINKING_BEHAVIOUR": {"11.2": "NONE", "11.4": "SOME"}}
    )
    assert factors == needs.WomensFactors(True, True)
    assert needs.womens_factors(
        {"RELATIONSHIPS": {"6.9": "NO"}, "THINKING_BEHAVIOUR": {"11.2": "NONE", "11.4": "NONE"}}
    ) == needs.WomensFactors(False, False)


# RoSH and RSR


def test_overall_rosh_is_the_highest_level():
    assert overall([RiskLevel.LOW, RiskLevel.VERY_HIGH, RiskLevel.MEDIUM]) is RiskLevel.VERY_HIGH
    assert overall([None, RiskLevel.LOW]) is RiskLevel.LOW
    assert overall([]) is None


@pytest.mark.parametrize(
    "score, band", [("0", "LOW"), ("2.99", "LOW"), ("3", "MEDIUM"), ("6.89", "MEDIUM"), ("6.9", "HIGH"), ("23", "HIGH")]
)
def test_rsr_bands(score, band):
    assert rsr_band(Decimal(score)) == band
