from typing import Annotated

from pydantic import BaseModel

from probation_shared.auth import Role
from probation_shared.redaction import MASK, POLICY, Classified, DataClass, Visibility, redact, redact_data, spec_for, visibility


class Victim(BaseModel):
    name: Annotated[str, Classified(DataClass.VICTIM_DETAILS)]
    relationship: Annotated[str, Classified(DataClass.VICTIM_DETAILS)]


class Address(BaseModel):
    line1: Annotated[str, Classified(DataClass.CONTACT_DETAILS)]
    postcode: Annotated[str, Classified(DataClass.CONTACT_DETAILS)]
    kind: str


class Record(BaseModel):
    crn: str
    name: Annotated[str, Classified(DataClass.IDENTITY)]
    addresses: list[Address]
    victims: list[Victim] = []
    risk_narrative: Annotated[str | None, Classified(DataClass.RISK_NARRATIVE)] = None
    health: Annotated[list[str], Classified(DataClass.HEALTH)] = []


RECORD = Record(
    crn="X123456",
    name="Sam Smith",
    addresses=[Address(line1="1 High St", postcode="AB1 2CD", kind="MAIN"), Address(line1="2 Low Rd", postcode="EF3 4GH", kind="PREVIOUS")],
    victims=[Victim(name="Jo Bloggs", relationship="ex-partner")],
    risk_narrative="Risk to known adults when drinking",
    health=["depression"],
)


def test_every_role_has_a_verdict_for_every_data_class():
    for role in Role:
        assert set(POLICY[role]) == set(DataClass), role


def test_practitioner_sees_everything():
    assert redact(RECORD, {Role.PRACTITIONER}) == RECORD.model_dump(mode="json")


def test_provider_loses_victims_and_health_inside_nested_lists_but_keeps_contact_details():
    out = redact(RECORD, {Role.PROVIDER_CASEWORKER})
    assert out["addresses"][1] == {"line1": "2 Low Rd", "postcode": "EF3 4GH", "kind": "PREVIOUS"}
    assert out["victims"] == [{}]
    assert "health" not in out
    assert "Jo Bloggs" not in str(out) and "ex-partner" not in str(out)


def test_auditor_sees_masked_contact_details_in_every_list_element():
    out = redact(RECORD, {Role.AUDITOR})
    assert out["name"] == "Sam Smith"
    assert [a["postcode"] for a in out["addresses"]] == [MASK, MASK]
    assert [a["kind"] for a in out["addresses"]] == ["MAIN", "PREVIOUS"]  # unclassified metadata stays
    assert out["health"] == [MASK]


def test_commissioner_gets_no_personal_data_at_all():
    out = redact(RECORD, {Role.COMMISSIONER})
    assert out == {"crn": "X123456", "addresses": [{"kind": "MAIN"}, {"kind": "PREVIOUS"}], "victims": [{}]}


def test_most_permissive_role_wins_when_a_token_holds_several():
    assert visibility({Role.COMMISSIONER, Role.AUDITOR}, DataClass.CONTACT_DETAILS) is Visibility.MASKED
    assert visibility({Role.POLICE_PARTNER, Role.PRACTITIONER}, DataClass.VICTIM_DETAILS) is Visibility.VISIBLE
    assert visibility(set(), DataClass.IDENTITY) is Visibility.REMOVED


def test_plain_event_payloads_use_the_same_policy():
    spec = spec_for(Record)
    payload = {"crn": "X1", "victims": [{"name": "A", "relationship": "B"}], "risk_narrative": "x"}
    assert redact_data(payload, spec, {Role.POLICE_PARTNER}) == {"crn": "X1", "victims": [{}]}
    assert redact_data(payload, spec, {Role.PROVIDER_CASEWORKER})["risk_narrative"] == "x"
