"""`render_rows_json` (a list page from rows, no model per row) gives exactly `render_json`'s bytes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field, field_validator

from probation_shared.auth import Role
from probation_shared.redaction import Audience, Classified, DataClass, Outbound, render_json, render_rows_json

D = DataClass


class Row(Outbound):
    id: Annotated[str, Classified(D.REFERENCE)]
    name: Annotated[str | None, Classified(D.IDENTITY)]
    born: Annotated[date | None, Classified(D.IDENTITY)]
    at: Annotated[datetime | None, Classified(D.REFERENCE)]
    needs: Annotated[list[str], Classified(D.HEALTH)]
    offence: Annotated[str | None, Classified(D.OFFENCE)]
    extra: Annotated[dict[str, int] | None, Classified(D.RISK_NARRATIVE)]
    staff: Annotated[str | None, Classified(D.STAFF), Field(max_length=20)] = None


class Checked(Outbound):
    """A validator of its own: not flat, so it takes the general path (and the validator still runs)."""

    code: Annotated[str, Classified(D.REFERENCE)]

    @field_validator("code")
    @classmethod
    def upper(cls, value: str) -> str:
        return value.upper()


class Inner(Outbound):
    line1: Annotated[str, Classified(D.CONTACT_DETAILS)]


class Nested(Outbound):
    id: Annotated[str, Classified(D.REFERENCE)]
    address: Inner | None


text = st.text(max_size=12)
rows = st.lists(
    st.fixed_dictionaries(
        {
            "id": text,
            "name": st.none() | text,
            "born": st.none() | st.dates(),
            "at": st.none() | st.datetimes(timezones=st.just(UTC)) | st.datetimes(),
            "needs": st.lists(text, max_size=3),
            "offence": st.none() | text,
            "extra": st.none() | st.dictionaries(text, st.integers(), max_size=2),
            "staff": st.none() | st.text(max_size=20),
        }
    ),
    max_size=6,
)
audiences = st.builds(
    Audience.of,
    st.sets(st.sampled_from(list(Role)), min_size=1, max_size=2),
    st.sets(st.sampled_from(list(DataClass)), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(rows, audiences)
def test_the_same_bytes_as_rendering_a_model_per_row(data, audience):
    assert render_rows_json(Row, data, audience) == render_json([Row.model_validate(r) for r in data], audience)


def test_masked_fields_are_masked_as_the_model_renders_them():
    data = [
        {
            "id": "a",
            "name": "Ada",
            "born": date(1990, 1, 2),
            "at": datetime(2026, 1, 1, tzinfo=UTC),
            "needs": ["x", "y"],
            "offence": "theft",
            "extra": {"k": 1},
            "staff": None,
        }
    ]
    auditor = Audience.of([Role.AUDITOR])
    assert render_rows_json(Row, data, auditor) == render_json([Row.model_validate(r) for r in data], auditor)
    assert b'"needs":["***","***"]' in render_rows_json(Row, data, auditor)


def test_rows_are_validated_like_the_model():
    too_long = {
        "id": "a",
        "name": None,
        "born": None,
        "at": None,
        "needs": [],
        "offence": None,
        "extra": None,
        "staff": "x" * 21,
    }
    with pytest.raises(ValueError):
        render_rows_json(Row, [too_long], [Role.PRACTITIONER])
    with pytest.raises(ValueError):  # every field must be given
        render_rows_json(Row, [{"id": "a"}], [Role.PRACTITIONER])


def test_models_that_are_not_flat_take_the_general_path():
    assert render_rows_json(Checked, [{"code": "abc"}], [Role.PRACTITIONER]) == b'[{"code":"ABC"}]'
    nested = [{"id": "1", "address": {"line1": "1 High St"}}]
    for role in (Role.PRACTITIONER, Role.COMMISSIONER):
        assert render_rows_json(Nested, nested, [role]) == render_json(
            [Nested.model_validate(r) for r in nested], [role]
        )
