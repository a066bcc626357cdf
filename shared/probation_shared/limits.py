"""Input limits, declared once: every request schema and path parameter uses these types, so the bounds are
enforced at the edge (422 problem+json, never a 500 from the database) and shown in OpenAPI to clients and
to the fuzzer.

- ids: the range of the 64-bit integer columns (1..2^63-1); 32-bit columns (counts, money in pence) use the
  32-bit range. A value beyond the column would overflow in the driver: refused here first.
- dates: a sane window per meaning, checked against today (`clock.today()`): the static bounds are in the
  schema (`description`), the moving ones are checked by a validator.
- text: trimmed; single-line text refuses every control character (NUL included: PostgreSQL rejects NUL in
  text), multi-line text allows only tab, LF and CR; maximum lengths match the columns.
- lists: bounded.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, Field, StringConstraints

from . import clock

INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1

# --- ids and counts --------------------------------------------------------------------------------

Id = Annotated[int, Field(ge=1, le=INT64_MAX, description="An identifier (1..2^63-1)")]
IdPath = Annotated[int, Path(ge=1, le=INT64_MAX, description="An identifier (1..2^63-1)")]
# Ids that are strings (UUIDs, references): printable, no slash tricks, bounded.
KeyPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
Key = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
]


def Count(maximum: int = INT32_MAX, minimum: int = 0):  # noqa: N802 - a type factory
    return Annotated[int, Field(ge=minimum, le=maximum)]


# Money in pence, in a 32-bit column: up to £21,474,836.47.
Pence = Annotated[int, Field(ge=0, le=INT32_MAX, description="An amount in pence (0..2^31-1)")]
VolumeCap = Annotated[int, Field(ge=1, le=1_000_000, description="Referrals a contract may take (1..1,000,000)")]
# Unpaid work: 40 to 300 hours (Sentencing Act 2020, Sch. 9 para 2).
UPW_MIN_HOURS = 40
UPW_MAX_HOURS = 300

# --- text ------------------------------------------------------------------------------------------

_SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
_MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


# Text bounds are metadata for `Annotated`, so that mypy reads the type: `Annotated[str, line(200)]`. (A call
# in an annotation, `name: Line(200)`, works at run time but is no type to mypy.)


def line(max_length: int, min_length: int = 1) -> StringConstraints:
    """One line of text (a name, a title, a reason): trimmed, no control characters."""
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=_SINGLE_LINE)


def free_text(max_length: int, min_length: int = 1) -> StringConstraints:
    """Free text (notes, narrative): trimmed, tab and line breaks allowed, no other control character."""
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=_MULTI_LINE)


def pattern(regex: str, max_length: int) -> StringConstraints:
    """A code with a fixed shape (the pattern excludes control characters by construction)."""
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length, pattern=regex)


# The same as whole types, for run-time use (TypeAdapter) and code not yet converted; mypy rejects them in
# annotations.
def Line(max_length: int, min_length: int = 1):  # noqa: N802 - a type factory
    return Annotated[str, line(max_length, min_length)]


def FreeText(max_length: int, min_length: int = 1):  # noqa: N802 - a type factory
    return Annotated[str, free_text(max_length, min_length)]


def Pattern(regex: str, max_length: int):  # noqa: N802 - a type factory
    return Annotated[str, pattern(regex, max_length)]


PersonName = Annotated[str, line(100)]


def Bounded(item, max_length: int, min_length: int = 0):  # noqa: N802 - a type factory
    return Annotated[list[item], Field(min_length=min_length, max_length=max_length)]


# --- dates -----------------------------------------------------------------------------------------


def _window(name: str, earliest: date, years_ahead: int | None, *, past_only: bool = False):
    def check(value: date) -> date:
        day = value.date() if isinstance(value, datetime) else value
        today = clock.today()
        if day < earliest:
            raise ValueError(f"{name} must not be before {earliest.isoformat()}")
        if past_only and day >= today:
            raise ValueError(f"{name} must be in the past")
        if years_ahead is not None and day > _add_years(today, years_ahead):
            raise ValueError(f"{name} must not be more than {years_ahead} year(s) ahead")
        return value

    return AfterValidator(check)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _not_future(name: str, earliest: date):
    def check(value: date) -> date:
        if value < earliest:
            raise ValueError(f"{name} must not be before {earliest.isoformat()}")
        if value > clock.today():
            raise ValueError(f"{name} must not be in the future")
        return value

    return AfterValidator(check)


DateOfBirth = Annotated[
    date,
    _window("date of birth", date(1900, 1, 2), None, past_only=True),
    Field(description="After 1900-01-01 and in the past"),
]
# Court, conviction, sentence and release dates, registrations, requirement starts: 1970 to a year ahead.
CourtDate = Annotated[date, _window("date", date(1970, 1, 1), 1), Field(description="1970-01-01 to a year from today")]
# End dates of orders and licences run further: 1970 to 30 years ahead.
OrderEndDate = Annotated[
    date, _window("date", date(1970, 1, 1), 30), Field(description="1970-01-01 to 30 years from today")
]
# Something that has happened (a termination, a deregistration, a drug test, a contact already held).
PastDate = Annotated[date, _not_future("date", date(1970, 1, 1)), Field(description="1970-01-01 to today")]
# Appointments, contacts and deadlines: 2000 to two years ahead.
AppointmentDate = Annotated[
    date, _window("date", date(2000, 1, 1), 2), Field(description="2000-01-01 to two years from today")
]
AppointmentTime = Annotated[
    datetime, _window("time", date(2000, 1, 1), 2), Field(description="2000-01-01 to two years from today")
]
# Contract periods and other planning dates.
PlanningDate = Annotated[
    date, _window("date", date(2000, 1, 1), 10), Field(description="2000-01-01 to ten years from today")
]
# A point in time to read history as at (query parameters).
AsAt = Annotated[datetime, _window("time", date(1970, 1, 1), 1)]
ReadDate = Annotated[date, _window("date", date(1970, 1, 1), 10)]

# Sentence lengths: nothing beyond life-length determinate terms.
MAX_SENTENCE_DAYS = 100 * 366


def length_in_days(value: int, unit: str) -> int:
    return value * {"DAYS": 1, "WEEKS": 7, "MONTHS": 31, "YEARS": 366}[unit]


DecimalHours = Annotated[Decimal, Field(gt=0, le=60, max_digits=5, decimal_places=2)]

__all__ = [
    "INT32_MAX",
    "INT64_MAX",
    "Id",
    "IdPath",
    "Key",
    "KeyPath",
    "Count",
    "Pence",
    "VolumeCap",
    "UPW_MIN_HOURS",
    "UPW_MAX_HOURS",
    "Line",
    "line",
    "FreeText",
    "free_text",
    "Pattern",
    "pattern",
    "PersonName",
    "Bounded",
    "DateOfBirth",
    "CourtDate",
    "OrderEndDate",
    "PastDate",
    "AppointmentDate",
    "AppointmentTime",
    "PlanningDate",
    "AsAt",
    "ReadDate",
    "MAX_SENTENCE_DAYS",
    "length_in_days",
    "DecimalHours",
]
