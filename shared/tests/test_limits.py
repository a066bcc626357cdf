"""The shared input limits: what each type refuses, and that OpenAPI shows the bounds."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import pytest
from pydantic import TypeAdapter, ValidationError

from probation_shared import clock
from probation_shared.limits import (
    INT64_MAX,
    AppointmentDate,
    CourtDate,
    DateOfBirth,
    FreeText,
    Id,
    Line,
    PastDate,
    Pence,
    free_text,
    line,
    pattern,
)


def _refuses(kind, value) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(kind).validate_python(value)


def test_text_is_trimmed_and_free_of_control_characters():
    assert TypeAdapter(Line(10)).validate_python("  Ada ") == "Ada"
    for bad in ("", "   ", "a\x00b", "a\nb", "a\x7fb", "x" * 11):
        _refuses(Line(10), bad)
    assert TypeAdapter(FreeText(20)).validate_python("line one\nline\ttwo") == "line one\nline\ttwo"
    _refuses(FreeText(20), "nul\x00")


def test_the_annotated_forms_bound_text_the_same_way():
    # The forms the schemas use (mypy reads them as str): the same bounds as the whole types above.
    assert TypeAdapter(Annotated[str, line(10)]).validate_python("  Ada ") == "Ada"
    for bad in ("", "a\nb", "x" * 11):
        _refuses(Annotated[str, line(10)], bad)
    assert TypeAdapter(Annotated[str, free_text(20)]).validate_python("one\ntwo") == "one\ntwo"
    _refuses(Annotated[str, free_text(20)], "x" * 21)
    assert TypeAdapter(Annotated[str, free_text(5, min_length=0)]).validate_python("") == ""
    _refuses(Annotated[str, pattern(r"^[A-Z]{2}$", 2)], "A1")


def test_ids_and_money_stay_within_their_columns():
    assert TypeAdapter(Id).validate_python(INT64_MAX) == INT64_MAX
    for bad in (0, -1, INT64_MAX + 1, 2**64):
        _refuses(Id, bad)
    _refuses(Pence, 10**19)
    schema = TypeAdapter(Id).json_schema()
    assert schema["minimum"] == 1 and schema["maximum"] == INT64_MAX


def test_dates_have_a_window_per_meaning():
    today = clock.today()
    for bad in ("0001-01-01", "1900-01-01", today.isoformat(), "9999-12-31"):
        _refuses(DateOfBirth, bad)
    assert TypeAdapter(DateOfBirth).validate_python("1985-12-10") == date(1985, 12, 10)
    _refuses(CourtDate, (today + timedelta(days=400)).isoformat())
    _refuses(CourtDate, "1969-12-31")
    _refuses(PastDate, (today + timedelta(days=1)).isoformat())
    _refuses(AppointmentDate, "0001-01-01")
    assert TypeAdapter(AppointmentDate).validate_python((today + timedelta(days=300)).isoformat())
