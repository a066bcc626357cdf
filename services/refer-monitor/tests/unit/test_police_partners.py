"""Police partner notifications: who is in scope and which force hears (pure rules), and properties over the
policy that the police rendering never carries a field the POLICE_PARTNER column removes."""

from __future__ import annotations

import json
from typing import Annotated, Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import create_model

from probation_shared.privacy import POLICY, Classified, DataClass, Outbound, Visibility, render, spec_for
from probation_shared.roles import Role
from refer_monitor.domain.police import direction, forces_for, police_registrations
from refer_monitor.events.police_contracts import (
    POLICE_AUDIENCE,
    OffenderManager,
    PoliceDrugTest,
    PoliceNotification,
    PolicePayload,
    PoliceRegistration,
    PoliceRiskChange,
    police_notification_data,
)

POLICE = POLICY[Role.POLICE_PARTNER]
REMOVED = {dc for dc, v in POLICE.items() if v is Visibility.REMOVED}


def test_only_active_iom_and_mappa_registrations_put_a_person_in_scope():
    listed = [
        {"type_code": "MAPP", "status": "ACTIVE", "level": "M2", "register_category": "M1", "notes": "x"},
        {"type_code": "IIOM", "status": "DEREGISTERED", "level": None, "register_category": None},
        {"type_code": "RHRH", "status": "ACTIVE"},
        {"type_code": "ADVP", "status": "ACTIVE"},
    ]
    assert police_registrations(listed) == [{"type": "MAPP", "category": "M1", "level": "M2"}]
    assert police_registrations([{"type_code": "RHRH", "status": "ACTIVE"}]) == []
    assert police_registrations([{"type_code": "IIOM", "status": "ACTIVE"}]) == [
        {"type": "IIOM", "category": None, "level": None}
    ]


def test_a_case_goes_to_the_forces_covering_its_pdu_and_no_other():
    areas = {"met-police": ["LON01", "LON02"], "kent-police": ["KSS01"], "city-police": ["LON02"]}
    assert forces_for(areas, "LON01") == ["met-police"]
    assert forces_for(areas, "LON02") == ["city-police", "met-police"]
    assert forces_for(areas, "NE01") == []
    assert forces_for(areas, None) == []  # no allocated PDU: no one
    assert forces_for({}, "LON01") == []


def test_direction_of_a_rosh_change():
    assert direction("MEDIUM", "HIGH") == "RAISED"
    assert direction("VERY_HIGH", "LOW") == "LOWERED"
    assert direction(None, "HIGH") == "CHANGED"
    assert direction("HIGH", "HIGH") == "CHANGED"


def _paths(data: Any, spec: Any, prefix: str = "") -> list[tuple[str, DataClass]]:
    """(path, data class) of every leaf present in rendered `data`, read through the model's spec."""
    found: list[tuple[str, DataClass]] = []
    for item in data if isinstance(data, list) else [data]:
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            rule = spec[key]
            if isinstance(rule, DataClass):
                found.append((f"{prefix}{key}", rule))
            elif value is not None:
                found.extend(_paths(value, rule, f"{prefix}{key}."))
    return found


MARK = "SECRET-"
text = st.text(alphabet="abcXYZ019 -", min_size=0, max_size=12).map(lambda s: MARK + s)
maybe_text = st.none() | text
substance = st.text(alphabet="abcXYZ019 -", min_size=0, max_size=12).map(lambda s: "SUBSTANCE-" + s)
notifications = st.builds(
    PoliceNotification,
    forceId=st.sampled_from(["met-police", "kent-police"]),
    notificationType=st.sampled_from(["probation-case.drug-test.recorded", "risk-assessment.rosh.changed"]),
    payload=st.builds(
        PolicePayload,
        crn=st.from_regex(r"[A-Z][0-9]{6}", fullmatch=True),
        registrations=st.lists(
            st.builds(
                PoliceRegistration, type=st.sampled_from(["MAPP", "IIOM"]), category=maybe_text, level=maybe_text
            ),
            max_size=3,
        ),
        offenderManager=st.none() | st.builds(OffenderManager, name=maybe_text, email=maybe_text, pduCode=maybe_text),
        drugTest=st.none()
        | st.builds(
            PoliceDrugTest,
            testId=st.integers(1, 10**9),
            result=st.sampled_from(["POSITIVE", "NEGATIVE", "REFUSED"]),
            substances=st.lists(substance, max_size=4),
        ),
        riskChange=st.none()
        | st.builds(PoliceRiskChange, overallLevel=maybe_text, previousLevel=maybe_text, version=st.none()),
    ),
)


@settings(max_examples=200, deadline=None)
@given(notifications)
def test_the_police_rendering_holds_only_what_the_police_column_lets_through(notification: PoliceNotification):
    rendered = police_notification_data(notification.forceId, notification.notificationType, notification.payload)
    assert rendered == render(notification, POLICE_AUDIENCE)
    for path, data_class in _paths(rendered, spec_for(PoliceNotification)):
        assert POLICE[data_class] is Visibility.VISIBLE, f"{path} ({data_class.value}) reached the police"
    # The substances found (HEALTH) never leave, however many and whatever they say.
    dumped = json.dumps(rendered)
    if notification.payload.drugTest and notification.payload.drugTest.substances:
        assert "SUBSTANCE-" in json.dumps(render(notification, {Role.PRACTITIONER}))  # it was there to remove
    assert "SUBSTANCE-" not in dumped


@st.composite
def classified_models(draw) -> tuple[type[Outbound], dict[str, str]]:
    """A made-up outbound model: fields of random data classes, every value a unique marker."""
    classes = draw(st.lists(st.sampled_from(list(DataClass)), min_size=1, max_size=12))
    fields = {f"f{i}": (Annotated[str, Classified(dc)], ...) for i, dc in enumerate(classes)}
    model = create_model("Made", __base__=Outbound, **fields)  # type: ignore[call-overload]
    return model, {name: f"value-of-{name}-end" for name in fields}


@settings(max_examples=200, deadline=None)
@given(classified_models())
def test_any_outbound_model_rendered_for_the_police_loses_every_field_the_policy_removes(made):
    model, values = made
    rendered = render(model(**values), {Role.POLICE_PARTNER})
    spec = spec_for(model)
    for name, value in values.items():
        if spec[name] in REMOVED:
            assert name not in rendered and value not in json.dumps(rendered)
        else:
            assert rendered[name] == value
