"""OGRS3 against docs/domain.md: the acceptance case, hand-derived cases, rounding and validation."""

from datetime import date

import pytest

from probation_shared.domain_error import DomainError
from risk_assessment.domain import ogrs3


def calc(
    sex="MALE",
    dob=date(1980, 1, 1),
    conviction=date(2020, 1, 1),
    follow=date(2040, 1, 1),
    sanctions=1,
    first=40,
    code="027/00",
):
    return ogrs3.calculate(ogrs3.Ogrs3Input(sex, dob, conviction, follow, sanctions, first, code))


def test_acceptance_case():
    result = calc()
    assert (result.one_year, result.two_year, result.band) == (7, 13, "LOW")
    assert (result.age_at_conviction, result.age_at_follow_up) == (40, 60)


@pytest.mark.parametrize(
    "inputs, expected",
    [
        # female 25 at follow-up (24 at conviction: the day before her birthday), 5 sanctions, first at 15, theft
        (("FEMALE", date(1990, 6, 15), date(2015, 6, 14), date(2015, 6, 15), 5, 15, "038/00"), (45, 63, "MEDIUM")),
        # 29 February birthday: 18 on 28 Feb 2019, 19 on 1 Mar; x = -0.6251 + 0.46306 + 1.25112 ln(12/16) - 0.1239
        (("MALE", date(2000, 2, 29), date(2019, 2, 28), date(2019, 3, 1), 12, 12, "028/01"), (68, 81, "HIGH")),
        # first sanction: status 0.12614, copas 1.25112 ln(1/10); robbery -0.6348; age 15 → 0.07578
        (("MALE", date(1995, 1, 1), date(2010, 1, 1), date(2010, 6, 1), 1, 15, "034/00"), (13, 23, "LOW")),
        (("FEMALE", date(1960, 5, 5), date(2020, 5, 5), date(2021, 5, 5), 40, 14, "195/99"), (26, 41, "LOW")),
        (("MALE", date(2003, 3, 3), date(2020, 3, 3), date(2020, 4, 1), 20, 10, "038/00"), (94, 97, "VERY_HIGH")),
    ],
)
def test_derived_cases(inputs, expected):
    result = ogrs3.calculate(ogrs3.Ogrs3Input(*inputs))
    assert (result.one_year, result.two_year, result.band) == expected


def test_age_gender_bands_are_inclusive_at_their_upper_ages():
    assert ogrs3.age_gender_weight(10, "MALE") == 0
    assert ogrs3.age_gender_weight(11, "FEMALE") == 0.785
    assert ogrs3.age_gender_weight(12, "MALE") == 0.08392
    assert ogrs3.age_gender_weight(17, "MALE") == -0.0616
    assert ogrs3.age_gender_weight(18, "FEMALE") == -0.8975
    assert ogrs3.age_gender_weight(49, "MALE") == -1.4997
    assert ogrs3.age_gender_weight(50, "MALE") == -2.0253
    assert ogrs3.age_gender_weight(95, "FEMALE") == -2.4498


@pytest.mark.parametrize(
    "p, percent",
    [
        (0.064995, 6),  # a binary 0.0649949999… → 0.06499 → 6 (as ARNS; the decimal reading would give 7)
        (0.0649951, 7),  # → 0.06500 → 6.5000000000000002… → 7
        (0.145, 14),  # → 0.145 as a double is 0.1449999… → 14.49999… → 14
        (0.0649949, 6),
        (0.125, 13),
        (0.12499, 12),
        (0.001, 1),  # clamped
        (0.004, 1),
        (0.994995, 99),  # 0.99500 → 99.5 → 100 → clamped to 99
        (0.9999, 99),
    ],
)
def test_rounding_follows_the_arns_arithmetic(p, percent):
    assert ogrs3.round_percent(p) == percent


@pytest.mark.parametrize(
    "two_year, band",
    [
        (1, "LOW"),
        (49, "LOW"),
        (50, "MEDIUM"),
        (74, "MEDIUM"),
        (75, "HIGH"),
        (89, "HIGH"),
        (90, "VERY_HIGH"),
        (99, "VERY_HIGH"),
    ],
)
def test_bands(two_year, band):
    assert ogrs3.band(two_year) == band


@pytest.mark.parametrize("code", ["088/00", "111/00", "141/00"])
def test_codes_that_need_the_exact_offence_are_rejected(code):
    with pytest.raises(DomainError) as err:
        calc(code=code)
    assert err.value.code == "NEED_DETAILS_OF_EXACT_OFFENCE"
    assert err.value.field_errors[0].field == "offenceCode"
    assert "exact offence" in err.value.detail


def test_the_three_exact_offence_codes_are_all_the_table_has():
    assert sorted(k for k, v in ogrs3.offence_weights().items() if v.error_code) == [(88, 0), (111, 0), (141, 0)]


@pytest.mark.parametrize(
    "kwargs, field, code",
    [
        (
            {"dob": date(2012, 1, 2), "conviction": date(2022, 1, 1), "follow": date(2023, 1, 1), "first": 9},
            "convictionDate",
            "AGE_AT_CURRENT_CONVICTION_LESS_THAN_TEN",
        ),
        ({"first": 41}, "ageAtFirstSanction", "AGE_AT_FIRST_SANCTION_AFTER_AGE_AT_CURRENT_CONVICTION"),
        ({"code": "999/99"}, "offenceCode", "unknown-offence-code"),
        ({"code": "27-00"}, "offenceCode", "invalid-offence-code"),
        ({"code": "950/01"}, "offenceCode", "offence-without-ogrs3-weight"),
        ({"sanctions": 0}, "totalSanctions", "total-sanctions-below-1"),
        ({"sex": "NOT_KNOWN"}, "sex", "unsupported-sex"),
    ],
)
def test_validation_names_the_field(kwargs, field, code):
    with pytest.raises(DomainError) as err:
        calc(**kwargs)
    assert [(e.field, e.code) for e in err.value.field_errors] == [(field, code)]


def test_several_invalid_inputs_are_all_reported():
    with pytest.raises(DomainError) as err:
        calc(first=50, code="088/00")
    assert {e.field for e in err.value.field_errors} == {"ageAtFirstSanction", "offenceCode"}


def test_age_at_conviction_of_exactly_ten_is_allowed():
    result = calc(dob=date(2010, 1, 1), conviction=date(2020, 1, 1), follow=date(2020, 1, 1), first=10, code="038/00")
    assert result.age_at_conviction == 10


def _arns_percent(p: float) -> int:
    """ARNS's NumbersUtils, re-derived with exact fractions: BigDecimal(double).setScale(5, HALF_UP).toDouble(),
    then BigDecimal(that).multiply(100).setScale(0, HALF_UP).toInt(), then 0 → 1 and > 99 → 99."""
    from fractions import Fraction
    from math import floor

    def half_up(x: Fraction, places: int) -> Fraction:
        scale = 10**places
        return Fraction(floor(x * scale + Fraction(1, 2)), scale)  # every p here is positive

    five = float(half_up(Fraction(p), 5))
    whole = int(half_up(Fraction(five) * 100, 0))
    return 1 if whole <= 0 else 99 if whole > 99 else whole


def test_rounding_agrees_with_arns_on_a_dense_grid_including_exact_half_percent_boundaries():
    """Grid: every 5-decimal value k/100000 for k in 1..99999, each as the nearest double and its two
    neighbouring doubles (so both sides of every half-percent and half-5th-decimal boundary), plus every
    half-5th-decimal midpoint (k + 0.5)/100000."""
    import math

    grid = []
    for k in range(1, 100000):
        x = k / 100000
        grid += [x, math.nextafter(x, 0), math.nextafter(x, 1), (k + 0.5) / 100000]
    mismatches = [p for p in grid if ogrs3.round_percent(p) != _arns_percent(p)]
    assert not mismatches, mismatches[:5]


@pytest.mark.parametrize("sanctions", [1, 2, 5, 20, 60])
@pytest.mark.parametrize("first_age", [10, 14, 18, 25, 40])
@pytest.mark.parametrize("sex", ["MALE", "FEMALE"])
def test_whole_calculation_agrees_with_arns_across_ages_and_offences(sanctions, first_age, sex):
    """Grid: ages at conviction 18–80 (follow-up the same day), sanctions and first-sanction ages as
    parametrised, every offence code with a weight: both percentages as ARNS would round them."""
    import math

    for code, entry in list(ogrs3.offence_weights().items())[::7]:
        if entry.weight is None or entry.error_code:
            continue
        for age in range(max(18, first_age), 81, 3):
            born = date(2025 - age, 1, 1)
            inputs = ogrs3.Ogrs3Input(
                sex, born, date(2025, 6, 1), date(2025, 6, 1), sanctions, first_age, f"{code[0]:03d}/{code[1]:02d}"
            )
            result = ogrs3.calculate(inputs)
            x = result.x
            one, two = math.exp(ogrs3.ONE_YEAR_INTERCEPT + x), math.exp(ogrs3.TWO_YEAR_INTERCEPT + x)
            assert result.one_year == _arns_percent(one / (1 + one))
            assert result.two_year == _arns_percent(two / (1 + two))
