"""OGRS3, the two-year proven reoffending predictor, as HMPPS's ARNS actuarial service computes it.

The three validation codes ARNS defines keep its names (AGE_AT_CURRENT_CONVICTION_LESS_THAN_TEN,
AGE_AT_FIRST_SANCTION_AFTER_AGE_AT_CURRENT_CONVICTION, NEED_DETAILS_OF_EXACT_OFFENCE).

Pure functions: no I/O beyond loading the packaged offence-weight table once.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from probation_shared.domain_error import DomainError, ErrorCollector

WEIGHTS_FILE = Path(__file__).parent / "data" / "ogrs3-offence-weights.csv"
OFFENCE_CODE = re.compile(r"^(\d{1,3})/(\d{1,2})$")

# Upper bounds (inclusive) of each age band and its coefficient, by sex.
_AGE_BANDS = (11, 13, 15, 17, 20, 24, 29, 34, 39, 49)
_AGE_GENDER = {
    "MALE": (0.0, 0.08392, 0.07578, -0.0616, -0.6251, -1.0515, -1.1667, -1.326, -1.368, -1.4997, -2.0253),
    "FEMALE": (0.785, 0.61385, 0.66952, -0.9592, -0.8975, -1.0285, -1.0528, -1.1291, -1.4219, -1.5247, -2.4498),
}
COPAS_FACTOR = 1.25112
STATUS_FIRST = 0.12614
STATUS_REPEAT = 0.46306
ONE_YEAR_INTERCEPT = 1.40256
TWO_YEAR_INTERCEPT = 2.1217

_FIVE_DP = Decimal("0.00001")
_WHOLE = Decimal("1")


@dataclass(frozen=True)
class OffenceWeight:
    category: int
    subcategory: int
    weight: float | None
    group: str
    error_code: str | None


@dataclass(frozen=True)
class Ogrs3Input:
    sex: str
    date_of_birth: date
    conviction_date: date
    follow_up_start: date
    total_sanctions: int
    age_at_first_sanction: int
    offence_code: str


@dataclass(frozen=True)
class Ogrs3Result:
    one_year: int
    two_year: int
    band: str
    age_at_conviction: int
    age_at_follow_up: int
    offence_group: str
    offence_weight: float
    x: float
    age_gender_weight: float = 0.0
    status_weight: float = 0.0
    copas: float = 0.0

    def terms(self) -> dict:
        """The terms x is the sum of, and the intercepts, so the result can be checked by hand."""
        return {
            "ageGenderWeight": self.age_gender_weight,
            "statusWeight": self.status_weight,
            "copas": self.copas,
            "offenceWeight": self.offence_weight,
            "x": self.x,
            "oneYearIntercept": ONE_YEAR_INTERCEPT,
            "twoYearIntercept": TWO_YEAR_INTERCEPT,
        }


@lru_cache(maxsize=1)
def offence_weights() -> dict[tuple[int, int], OffenceWeight]:
    table: dict[tuple[int, int], OffenceWeight] = {}
    with WEIGHTS_FILE.open(newline="") as f:
        for row in csv.DictReader(f):
            key = (int(row["ho_category"]), int(row["ho_subcategory"]))
            weight = float(row["ogrs3_weight"]) if row["ogrs3_weight"].strip() else None
            table[key] = OffenceWeight(
                key[0], key[1], weight, row["ogrs3_offence_group"], row["error_code"].strip() or None
            )
    return table


def whole_years(born: date, on: date) -> int:
    """Completed years of age on a date (a 29 February birthday falls on 1 March in other years)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_gender_weight(age: int, sex: str) -> float:
    coefficients = _AGE_GENDER[sex]
    for index, upper in enumerate(_AGE_BANDS):
        if age <= upper:
            return coefficients[index]
    return coefficients[-1]


def round_percent(p: float) -> int:
    """Probability → whole percent as the ARNS actuarial service computes it, clamped to 1–99.

    ARNS takes the double's exact binary value (Java's `BigDecimal(double)`, as Python's `Decimal(float)`),
    rounds it half-up to 5 decimals, turns that back into a double, and then rounds that double's exact
    value × 100 half-up. So 0.064995 (a binary 0.0649949999…) gives 6, and 0.14500 (a binary 0.1449999…)
    gives 14: the same arithmetic, bit for bit, not the decimal reading of the figures."""
    five_dp = float(Decimal(p).quantize(_FIVE_DP, rounding=ROUND_HALF_UP))
    percent = int((Decimal(five_dp) * 100).quantize(_WHOLE, rounding=ROUND_HALF_UP))
    return min(max(percent, 1), 99)


def band(two_year_percent: int) -> str:
    if two_year_percent >= 90:
        return "VERY_HIGH"
    if two_year_percent >= 75:
        return "HIGH"
    if two_year_percent >= 50:
        return "MEDIUM"
    return "LOW"


def _logistic(value: float) -> float:
    # Written as ARNS writes it (e^x / (1 + e^x)), so the double it yields is the same to the last bit.
    e = math.exp(value)
    return e / (1.0 + e)


def lookup_offence(code: str, field: str = "offenceCode") -> OffenceWeight:
    match = OFFENCE_CODE.match(code.strip()) if isinstance(code, str) else None
    if not match:
        raise DomainError.on(field, "invalid-offence-code", f"{code!r} is not a Home Office offence code like 027/00.")
    entry = offence_weights().get((int(match.group(1)), int(match.group(2))))
    if entry is None:
        raise DomainError.on(field, "unknown-offence-code", f"{code} is not in the OGRS3 offence table.")
    if entry.error_code == "NEED_DETAILS_OF_EXACT_OFFENCE":
        raise DomainError.on(
            field,
            "NEED_DETAILS_OF_EXACT_OFFENCE",
            f"{code} covers several offences with different OGRS3 weights: give the code of the exact offence.",
        )
    if entry.weight is None:
        raise DomainError.on(field, "offence-without-ogrs3-weight", f"{code} has no OGRS3 weight ({entry.group}).")
    return entry


def calculate(inputs: Ogrs3Input) -> Ogrs3Result:
    """OGRS3 one- and two-year percentages and band; DomainError naming each invalid field."""
    errors = ErrorCollector()
    if inputs.sex not in _AGE_GENDER:
        errors.add("sex", "OGRS3 is defined for MALE or FEMALE only.", "unsupported-sex")
    age_at_conviction = whole_years(inputs.date_of_birth, inputs.conviction_date)
    age_at_follow_up = whole_years(inputs.date_of_birth, inputs.follow_up_start)
    if age_at_conviction < 10:
        errors.add(
            "convictionDate",
            f"Age at conviction is {age_at_conviction}; it must be at least 10.",
            "AGE_AT_CURRENT_CONVICTION_LESS_THAN_TEN",
        )
    if age_at_follow_up < 10:
        errors.add(
            "followUpStart",
            f"Age at the start of follow-up is {age_at_follow_up}; it must be at least 10.",
            "age-at-follow-up-below-10",
        )
    if inputs.total_sanctions < 1:
        errors.add(
            "totalSanctions", "Total sanctions include the current one, so at least 1.", "total-sanctions-below-1"
        )
    if inputs.age_at_first_sanction < 0:
        errors.add("ageAtFirstSanction", "Age at first sanction cannot be negative.", "negative-age")
    elif age_at_conviction >= 10 and inputs.age_at_first_sanction > age_at_conviction:
        errors.add(
            "ageAtFirstSanction",
            f"The first sanction (age {inputs.age_at_first_sanction}) cannot come after the current "
            f"conviction (age {age_at_conviction}).",
            "AGE_AT_FIRST_SANCTION_AFTER_AGE_AT_CURRENT_CONVICTION",
        )
    try:
        offence = lookup_offence(inputs.offence_code)
    except DomainError as exc:
        errors.errors.extend(exc.field_errors)
        offence = None
    if len(errors.errors) == 1:
        only = errors.errors[0]
        raise DomainError(only.code or "invalid", only.message, errors.errors)
    errors.raise_if_any("invalid-ogrs3-inputs", "OGRS3 cannot be calculated")
    assert offence is not None and offence.weight is not None

    copas = COPAS_FACTOR * math.log(inputs.total_sanctions / (10 + age_at_conviction - inputs.age_at_first_sanction))
    status = STATUS_FIRST if inputs.total_sanctions == 1 else STATUS_REPEAT
    age_gender = age_gender_weight(age_at_follow_up, inputs.sex)
    x = age_gender + status + copas + offence.weight
    one_year = round_percent(_logistic(ONE_YEAR_INTERCEPT + x))
    two_year = round_percent(_logistic(TWO_YEAR_INTERCEPT + x))
    return Ogrs3Result(
        one_year,
        two_year,
        band(two_year),
        age_at_conviction,
        age_at_follow_up,
        offence.group,
        offence.weight,
        x,
        age_gender,
        status,
        copas,
    )
