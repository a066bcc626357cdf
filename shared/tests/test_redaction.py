from typing import Annotated

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from probation_shared.auth import Role
from probation_shared.redaction import (
    MASK,
    POLICY,
    Audience,
    Classified,
    DataClass,
    Outbound,
    UnclassifiedField,
    UnrenderedOutput,
    Visibility,
    check_outbound,
    decide,
    explain,
    redact_data,
    render,
    spec_for,
    visibility,
)

Ref = Annotated[str, Classified(DataClass.REFERENCE)]


class Victim(Outbound):
    name: Annotated[str, Classified(DataClass.VICTIM_DETAILS)]
    relationship: Annotated[str, Classified(DataClass.VICTIM_DETAILS)]


class Address(Outbound):
    line1: Annotated[str, Classified(DataClass.CONTACT_DETAILS)]
    postcode: Annotated[str, Classified(DataClass.CONTACT_DETAILS)]
    kind: Ref


class Record(Outbound):
    crn: Ref
    name: Annotated[str, Classified(DataClass.IDENTITY)]
    addresses: list[Address]
    victims: list[Victim] = []
    risk_narrative: Annotated[str | None, Classified(DataClass.RISK_NARRATIVE)] = None
    health: Annotated[list[str], Classified(DataClass.HEALTH)] = []


RECORD = Record(
    crn="X123456",
    name="Sam Smith",
    addresses=[
        Address(line1="1 High St", postcode="AB1 2CD", kind="MAIN"),
        Address(line1="2 Low Rd", postcode="EF3 4GH", kind="PREVIOUS"),
    ],
    victims=[Victim(name="Jo Bloggs", relationship="ex-partner")],
    risk_narrative="Risk to known adults when drinking",
    health=["depression"],
)


def test_every_role_has_a_verdict_for_every_data_class():
    for role in Role:
        assert set(POLICY[role]) == set(DataClass), role


def test_practitioner_sees_everything():
    assert render(RECORD, {Role.PRACTITIONER}) == BaseModel.model_dump(
        RECORD, mode="json", context={"probation_audience": Audience.of({Role.SERVICE})}
    )


def test_provider_loses_victims_and_health_inside_nested_lists_but_keeps_contact_details():
    out = render(RECORD, {Role.PROVIDER_CASEWORKER})
    assert out["addresses"][1] == {"line1": "2 Low Rd", "postcode": "EF3 4GH", "kind": "PREVIOUS"}
    assert out["victims"] == [{}]
    assert "health" not in out
    assert "Jo Bloggs" not in str(out) and "ex-partner" not in str(out)


def test_health_reaches_a_provider_only_with_consent_and_victims_never():
    consenting = Audience.of({Role.PROVIDER_CASEWORKER}, {DataClass.HEALTH, DataClass.VICTIM_DETAILS})
    out = render(RECORD, consenting)
    assert out["health"] == ["depression"]
    assert out["victims"] == [{}]  # consent cannot lift what the policy removes outright


def test_auditor_sees_masked_contact_details_in_every_list_element():
    out = render(RECORD, {Role.AUDITOR})
    assert out["name"] == "Sam Smith"
    assert [a["postcode"] for a in out["addresses"]] == [MASK, MASK]
    assert [a["kind"] for a in out["addresses"]] == ["MAIN", "PREVIOUS"]
    assert out["health"] == [MASK]


def test_commissioner_gets_no_personal_data_at_all():
    out = render(RECORD, {Role.COMMISSIONER})
    assert out == {"crn": "X123456", "addresses": [{"kind": "MAIN"}, {"kind": "PREVIOUS"}], "victims": [{}]}


def test_most_permissive_role_wins_when_a_token_holds_several():
    assert visibility({Role.COMMISSIONER, Role.AUDITOR}, DataClass.CONTACT_DETAILS) is Visibility.MASKED
    assert visibility({Role.POLICE_PARTNER, Role.PRACTITIONER}, DataClass.VICTIM_DETAILS) is Visibility.VISIBLE
    assert visibility(set(), DataClass.IDENTITY) is Visibility.REMOVED


def test_an_outbound_model_cannot_be_serialised_without_an_audience():
    with pytest.raises(Exception) as caught:
        RECORD.model_dump()
    assert isinstance(caught.value, UnrenderedOutput) or "render(model, audience)" in str(caught.value)


def test_an_unclassified_field_is_refused_demonstrated():
    """The check every route, contract and notification model goes through: plant an unclassified field
    (a nested one too) and it fails."""

    class Leaky(Outbound):
        crn: Ref
        victimName: str

    class Inner(Outbound):
        healthNotes: str

    class Outer(Outbound):
        crn: Ref
        view: Inner

    class NotOutbound(BaseModel):
        crn: str

    for model in (Leaky, Outer, list[Outer], Outer | None):
        with pytest.raises(UnclassifiedField):
            check_outbound(model)
    with pytest.raises(UnclassifiedField):
        check_outbound(NotOutbound)
    assert check_outbound(list[Record]) == [Record]


def test_plain_data_keeps_only_what_the_spec_names():
    spec = spec_for(Record)
    payload = {
        "crn": "X1",
        "victims": [{"name": "A", "relationship": "B"}],
        "risk_narrative": "x",
        "victimName": "Jo",
        "view": {"healthNotes": "y"},
    }
    assert redact_data(payload, spec, {Role.POLICE_PARTNER}) == {"crn": "X1", "victims": [{}]}
    out = redact_data(payload, spec, {Role.PROVIDER_CASEWORKER})
    assert out["risk_narrative"] == "x"
    assert "victimName" not in out and "view" not in out


def test_explain_names_each_withheld_field_and_why():
    preview = explain(RECORD, {Role.PROVIDER_CASEWORKER})
    reasons = {(w.field, w.reason) for w in preview.withheld}
    assert ("victims[].name", "policy") in reasons
    assert ("health", "consent-missing") in reasons
    assert all(not w.field.startswith("addresses") for w in preview.withheld)
    assert preview.shown == render(RECORD, {Role.PROVIDER_CASEWORKER})
    auditor = explain(RECORD, {Role.AUDITOR})
    assert ("addresses[].postcode", "masked") in {(w.field, w.reason) for w in auditor.withheld}


# --- properties of the policy ---------------------------------------------------------------------

roles = st.frozensets(st.sampled_from(list(Role)), max_size=4)
consents = st.frozensets(st.sampled_from(list(DataClass)))
classes = st.sampled_from(list(DataClass))


@settings(max_examples=300)
@given(roles=roles, consents=consents, data_class=classes)
def test_victim_details_never_reach_a_partner_whatever_the_consents(roles, consents, data_class):
    partners = roles - {Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER, Role.PRISON_OFFENDER_MANAGER, Role.SERVICE}
    verdict, _ = decide(Audience(partners, consents), DataClass.VICTIM_DETAILS)
    assert verdict is not Visibility.VISIBLE


@settings(max_examples=300)
@given(roles=roles, consents=consents, data_class=classes)
def test_consent_only_ever_widens_and_only_health(roles, consents, data_class):
    without, _ = decide(Audience(roles), data_class)
    with_consent, _ = decide(Audience(roles, consents), data_class)
    assert with_consent >= without
    if with_consent != without:
        assert data_class is DataClass.HEALTH and Role.PROVIDER_CASEWORKER in roles


@settings(max_examples=300)
@given(extra=roles, base=roles, data_class=classes)
def test_adding_a_role_never_narrows_what_is_seen(extra, base, data_class):
    assert decide(Audience(base | extra), data_class)[0] >= decide(Audience(base), data_class)[0]


@settings(max_examples=200)
@given(
    role=st.sampled_from(list(Role)),
    name=st.text(min_size=1, max_size=20),
    postcode=st.text(min_size=1, max_size=10),
    narrative=st.none() | st.text(max_size=30),
)
def test_rendering_removes_exactly_the_removed_classes(role, name, postcode, narrative):
    record = Record(
        crn="X1", name=name, addresses=[Address(line1="l", postcode=postcode, kind="MAIN")], risk_narrative=narrative
    )
    out = render(record, {role})
    for key, data_class in (("name", DataClass.IDENTITY), ("risk_narrative", DataClass.RISK_NARRATIVE)):
        verdict = visibility({role}, data_class)
        value = getattr(record, key)
        if verdict is Visibility.REMOVED:
            assert key not in out
        elif verdict is Visibility.MASKED:
            assert out[key] == (None if value is None else MASK)
        else:
            assert out[key] == value
