"""The A–G tier against the examples in hmpps-tier's own tests.

Reproduced from `ministryofjustice/hmpps-tier` (read at commit affac98a):
- `src/test/kotlin/.../service/calculation/TierCalculatorTest.kt`: every case (not supervised, missing ARP / CSRP,
  the 30-cell ARP × CSRP matrix, ignored DC-SRP without a usable band, DC-SRP bands and MEDIUM thresholds, the
  unsupported MEDIUM score, MAPPA × RoSH, medium RoSH without MAPPA, lifer release dates, the domestic abuse /
  stalking / child protection flags, the sexual offence rule, no downgrade, and the provisional examples for
  static ARP/CSRP and missing RoSH with and without MAPPA).
- `src/test/kotlin/.../service/calculation/ProvisionalStatusCalculatorTest.kt`: every case, through the step
  results it gives (`provisional_reasons` takes the same inputs).
- `src/test/kotlin/.../integration/v3/TierCalculationV3Test.kt`: G for zero predictors, C for ARP 75 / CSRP 1.0,
  A for MAPPA M2 with very high RoSH, A for ARP 99 / CSRP 10, F for a child protection registration.
Their fixtures use a male, no RoSH unless stated, MAPPA category M1 when "hasMappa", dynamic ARP and CSRP scoring 0
by default, and LOW bands on both (unused by the rules).
"""

from datetime import date
from decimal import Decimal

import pytest

from probation_shared.domain_error import DomainError
from risk_assessment.domain import tier_ag
from risk_assessment.domain.rosh import RiskLevel
from risk_assessment.domain.tier_ag import BandedPredictor, Predictor, ScoreType, Step, Tier, TierAGInputs

TODAY = date(2026, 6, 9)
D, S = ScoreType.DYNAMIC, ScoreType.STATIC


def inputs(
    arp="0.0",
    csrp="0.0",
    arp_type=D,
    csrp_type=D,
    dc=None,
    *,
    has_mappa=False,
    rosh=None,
    lifer=False,
    released=None,
    domestic_abuse=False,
    stalking=False,
    child_protection=False,
    sexual_offence=False,
    active=True,
):
    return TierAGInputs(
        has_active_event=active,
        arp=None if arp is None else Predictor(Decimal(arp), arp_type),
        csrp=None if csrp is None else Predictor(Decimal(csrp), csrp_type),
        dc_srp=dc,
        rosh=rosh,
        mappa_category="M1" if has_mappa else None,
        lifer_ipp=lifer,
        latest_release_date=released,
        domestic_abuse=domestic_abuse,
        stalking=stalking,
        child_protection=child_protection,
        sexual_offence_history=sexual_offence,
    )


def sexual(score, band=None):
    return BandedPredictor(Decimal(str(score)), band)


def calc(i):
    r = tier_ag.calculate(i, TODAY)
    return r.tier, r.provisional


def tier_of(i):
    return tier_ag.calculate(i, TODAY).tier


# TierCalculatorTest


def test_no_active_event_is_not_supervised():
    assert tier_of(inputs(active=False)) == "NOT_SUPERVISED"


@pytest.mark.parametrize("arp, csrp", [("90.0", None), (None, "3.2")])
def test_missing_arp_or_csrp_is_missing(arp, csrp):
    result = tier_ag.calculate(inputs(arp, csrp), TODAY)
    assert (result.tier, result.provisional) == ("MISSING", False)


MATRIX = [
    (90.0, 6.9, "A"), (75.0, 6.9, "A"), (50.0, 6.9, "B"), (25.0, 6.9, "B"), (15.0, 6.9, "B"), (0.0, 6.9, "B"),
    (90.0, 3.0, "A"), (75.0, 3.0, "B"), (50.0, 3.0, "C"), (25.0, 3.0, "C"), (15.0, 3.0, "C"), (0.0, 3.0, "C"),
    (90.0, 1.0, "B"), (75.0, 1.0, "C"), (50.0, 1.0, "D"), (25.0, 1.0, "E"), (15.0, 1.0, "E"), (0.0, 1.0, "E"),
    (90.0, 0.5, "C"), (75.0, 0.5, "D"), (50.0, 0.5, "E"), (25.0, 0.5, "E"), (15.0, 0.5, "F"), (0.0, 0.5, "F"),
    (90.0, 0.0, "D"), (75.0, 0.0, "D"), (50.0, 0.0, "E"), (25.0, 0.0, "F"), (15.0, 0.0, "F"), (0.0, 0.0, "G"),
]  # fmt: skip


@pytest.mark.parametrize("arp, csrp, expected", MATRIX)
def test_every_arp_csrp_cell(arp, csrp, expected):
    assert tier_of(inputs(str(arp), str(csrp))) == expected


def test_matrix_just_below_each_threshold_falls_to_the_next_row_and_column():
    assert tier_ag.reoffending_tier(Decimal("89.99"), Decimal("6.89")) == Tier.B  # row 3.0+, column 75+


@pytest.mark.parametrize(
    "dc", [BandedPredictor(Decimal("2.11"), None), BandedPredictor(Decimal("2.11"), "NOT_APPLICABLE")]
)
def test_dc_srp_without_a_usable_band_is_ignored(dc):
    assert tier_of(inputs("75.0", "1.0", dc=dc)) == "C"


def test_dc_srp_of_zero_is_ignored():
    assert tier_of(inputs(dc=sexual(0, "VERY_HIGH"))) == "G"


@pytest.mark.parametrize(
    "score, band, expected",
    [
        (5.31, "VERY_HIGH", "A"), (0.01, "VERY_HIGH", "A"), (2.11, "HIGH", "B"), (1.50, "HIGH", "B"),
        (5.31, "HIGH", "B"),
        (1.12, "MEDIUM", "C"), (3.36, "MEDIUM", "C"), (2.11, "MEDIUM", "D"), (0.60, "MEDIUM", "D"), (0.02, "LOW", "E"),
    ],
)  # fmt: skip
def test_direct_contact_sexual_reoffending(score, band, expected):
    assert tier_of(inputs(dc=sexual(score, band))) == expected


def test_medium_dc_srp_below_the_supported_thresholds_is_refused():
    with pytest.raises(DomainError) as e:
        tier_ag.calculate(inputs(dc=sexual(0.59, "MEDIUM")), TODAY)
    assert e.value.field_errors[0].field == "dcSrp"


@pytest.mark.parametrize(
    "has_mappa, rosh, expected",
    [
        (True, RiskLevel.VERY_HIGH, "A"), (True, RiskLevel.HIGH, "C"), (True, RiskLevel.MEDIUM, "D"),
        (True, RiskLevel.LOW, "E"), (True, None, "E"),
        (False, RiskLevel.VERY_HIGH, "C"), (False, RiskLevel.HIGH, "D"), (False, RiskLevel.MEDIUM, "G"),
        (False, RiskLevel.LOW, "G"), (False, None, "G"),
    ],
)  # fmt: skip
def test_mappa_and_rosh(has_mappa, rosh, expected):
    assert tier_of(inputs(has_mappa=has_mappa, rosh=rosh)) == expected


def test_medium_rosh_without_mappa_keeps_the_reoffending_tier():
    assert tier_of(inputs("90.0", "1.0", rosh=RiskLevel.MEDIUM)) == "B"


def _years_ago(years, days=0):
    from datetime import timedelta

    return TODAY.replace(year=TODAY.year - years) + timedelta(days=days)


@pytest.mark.parametrize(
    "lifer, released, expected",
    [
        (True, _years_ago(0, -1), "B"), (True, _years_ago(1, 1), "B"), (True, _years_ago(1), "B"),
        (True, _years_ago(1, -1), "D"), (True, _years_ago(2), "D"), (True, _years_ago(5, 1), "D"),
        (True, _years_ago(5), "D"), (True, _years_ago(5, -1), "E"),
        (True, _years_ago(6), "E"), (True, None, "G"), (False, None, "G"), (False, _years_ago(0, -1), "G"),
    ],
)  # fmt: skip
def test_lifer_and_release_date(lifer, released, expected):
    assert tier_of(inputs(lifer=lifer, released=released)) == expected


def test_lifer_year_before_29_february_is_28_february():
    assert tier_ag.lifer_tier(True, date(2023, 2, 28), date(2024, 2, 29)) == Tier.B
    assert tier_ag.lifer_tier(True, date(2023, 2, 27), date(2024, 2, 29)) == Tier.D


@pytest.mark.parametrize(
    "da, st, cp, expected",
    [
        (False, False, False, "G"), (True, False, False, "E"), (False, True, False, "F"), (False, False, True, "F"),
        (True, True, False, "E"), (True, False, True, "E"), (False, True, True, "F"), (True, True, True, "E"),
    ],
)  # fmt: skip
def test_domestic_abuse_stalking_child_protection(da, st, cp, expected):
    assert tier_of(inputs(domestic_abuse=da, stalking=st, child_protection=cp)) == expected


def test_sexual_offence_rule():
    assert calc(inputs(rosh=RiskLevel.MEDIUM, sexual_offence=True)) == ("E", False)


def test_higher_tier_from_earlier_rules_is_not_downgraded():
    i = inputs(
        "95.0",
        "6.9",
        dc=sexual(5.31, "VERY_HIGH"),
        has_mappa=True,
        rosh=RiskLevel.HIGH,
        lifer=True,
        released=_years_ago(2),
        domestic_abuse=True,
        stalking=True,
        child_protection=True,
    )
    assert tier_of(i) == "A"


def test_both_static_is_provisional_unless_dc_srp_or_mappa_rosh_gives_a():
    assert calc(inputs("90.0", "6.9", S, S, rosh=RiskLevel.HIGH)) == ("A", True)
    assert calc(inputs("90.0", "6.9", S, S, dc=sexual(0.01, "VERY_HIGH"), rosh=RiskLevel.HIGH)) == ("A", False)
    assert calc(inputs("90.0", "6.9", S, S, has_mappa=True, rosh=RiskLevel.VERY_HIGH)) == ("A", False)


def test_static_arp_dynamic_csrp_is_provisional_unless_another_step_reaches_the_row_maximum():
    assert calc(inputs("0.0", "0.5", S, D, rosh=RiskLevel.MEDIUM)) == ("F", True)
    assert calc(inputs("0.0", "0.5", S, D, has_mappa=True, rosh=RiskLevel.HIGH)) == ("C", False)


def test_dynamic_arp_static_csrp_is_provisional_unless_another_step_reaches_the_column_maximum():
    assert calc(inputs("25.0", "0.0", D, S, rosh=RiskLevel.MEDIUM)) == ("F", True)
    assert calc(inputs("25.0", "0.0", D, S, dc=sexual(2.11, "HIGH"), rosh=RiskLevel.MEDIUM)) == ("B", False)


def test_missing_rosh_with_mappa_is_provisional_unless_dynamic_predictors_or_dc_srp_give_a():
    assert calc(inputs("50.0", "6.9", has_mappa=True)) == ("B", True)
    assert calc(inputs("90.0", "6.9", has_mappa=True)) == ("A", False)
    assert calc(inputs("0.0", "0.0", dc=sexual(0.01, "VERY_HIGH"), has_mappa=True)) == ("A", False)
    assert calc(inputs("90.0", "0.5", dc=sexual(1.12, "MEDIUM"), has_mappa=True, lifer=True, released=TODAY)) == (
        "B",
        True,
    )


def test_missing_rosh_without_mappa_is_provisional_unless_a_step_reaches_c_or_a_recent_lifer_b():
    assert calc(inputs("75.0", "0.0")) == ("D", True)
    assert calc(inputs("90.0", "0.5")) == ("C", False)
    assert calc(inputs("50.0", "6.9")) == ("B", False)
    assert calc(inputs("0.0", "0.0", dc=sexual(1.12, "MEDIUM"))) == ("C", False)
    assert calc(inputs("0.0", "0.0", dc=sexual(0.60, "MEDIUM"))) == ("D", True)
    assert calc(inputs(lifer=True, released=TODAY)) == ("B", False)
    assert calc(inputs(sexual_offence=True)) == ("E", True)


# ProvisionalStatusCalculatorTest: (rosh, mappa, arp, csrp, arp type, csrp type, step results) → provisional


def provisional(rosh, predictors, steps, mappa=False):
    arp, csrp, arp_type, csrp_type = predictors
    i = inputs(arp, csrp, arp_type, csrp_type, rosh=rosh, has_mappa=mappa)
    return bool(tier_ag.provisional_reasons(i, steps))


R, SR, MR, L, DA, ST, SO = (
    Step.REOFFENDING,
    Step.SEXUAL_REOFFENDING,
    Step.MAPPA_ROSH,
    Step.LIFER_IPP,
    Step.DOMESTIC_ABUSE,
    Step.STALKING,
    Step.SEXUAL_OFFENCES,
)
ZERO = ("0.0", "0.0", D, D)


@pytest.mark.parametrize(
    "rosh, mappa, predictors, steps, expected",
    [
        (RiskLevel.MEDIUM, False, ZERO, {R: Tier.G}, False),
        (RiskLevel.HIGH, False, ("90.0", "6.9", S, S), {R: Tier.A, MR: Tier.D}, True),
        (RiskLevel.HIGH, False, ("90.0", "6.9", S, S), {R: Tier.A, SR: Tier.A}, False),
        (RiskLevel.HIGH, False, ("90.0", "6.9", S, S), {R: Tier.A, MR: Tier.A}, False),
        (RiskLevel.MEDIUM, False, ("0.0", "0.5", S, D), {R: Tier.F, SO: Tier.E}, True),
        (RiskLevel.MEDIUM, False, ("0.0", "0.5", S, D), {R: Tier.F, MR: Tier.C}, False),
        (RiskLevel.MEDIUM, False, ("25.0", "0.0", D, S), {R: Tier.F, ST: Tier.F}, True),
        (RiskLevel.MEDIUM, False, ("25.0", "0.0", D, S), {R: Tier.F, SR: Tier.B}, False),
        (None, True, ("50.0", "6.9", D, D), {R: Tier.B}, True),
        (None, True, ("90.0", "6.9", D, D), {R: Tier.A}, False),
        (None, True, ZERO, {R: Tier.G, SR: Tier.A}, False),
        (None, True, ("90.0", "0.5", D, D), {R: Tier.C, L: Tier.B, SR: Tier.C}, True),
        (None, False, ("75.0", "0.0", D, D), {R: Tier.D}, True),
        (None, False, ("90.0", "0.5", D, D), {R: Tier.C}, False),
        (None, False, ("50.0", "6.9", D, D), {R: Tier.B}, False),
        (None, False, ZERO, {R: Tier.G, SR: Tier.D}, True),
        (None, False, ZERO, {R: Tier.G, SR: Tier.C}, False),
        (None, False, ZERO, {R: Tier.G, L: Tier.D}, True),
        (None, False, ZERO, {R: Tier.G, L: Tier.B}, False),
        (None, False, ("90.0", "6.9", S, S), {R: Tier.A}, True),
        (None, False, ("90.0", "6.9", S, D), {R: Tier.A}, True),
        (None, False, ("0.0", "6.9", D, S), {R: Tier.A}, True),
        (None, True, ZERO, {MR: Tier.A}, True),
        (None, False, ZERO, {R: Tier.G, SO: Tier.E, DA: Tier.E}, True),
    ],
)
def test_provisional_status(rosh, mappa, predictors, steps, expected):
    assert provisional(rosh, predictors, steps, mappa) is expected


# TierCalculationV3Test (integration examples, through the pure calculation)


def test_v3_integration_examples():
    assert tier_of(inputs()) == "G"
    assert tier_of(inputs("75.0", "1.0")) == "C"
    assert (
        tier_of(
            TierAGInputs(
                arp=Predictor(Decimal(0), D),
                csrp=Predictor(Decimal(0), D),
                mappa_category="M2",
                rosh=RiskLevel.VERY_HIGH,
            )
        )
        == "A"
    )
    assert tier_of(inputs("99.0", "10.0")) == "A"
    assert tier_of(inputs(child_protection=True)) == "F"


def test_breakdown_names_each_step_and_why_provisional():
    result = tier_ag.calculate(inputs("75.0", "0.0"), TODAY)
    assert result.breakdown["steps"]["REOFFENDING"] == "D"
    assert result.breakdown["decidedBy"] == ["REOFFENDING"]
    assert result.breakdown["provisionalReasons"] == [
        "no RoSH is recorded and without MAPPA no other step reaches tier C"
    ]
