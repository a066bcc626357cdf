import pytest
from pydantic import ValidationError

from probation_shared.events import DomainEvent, new_event


def test_envelope_round_trips_with_hmpps_field_names():
    event = new_event(
        "probation-case.engagement.created", crn="X123456", noms="A1234BC", detail_url="http://x/people/X123456"
    )
    data = event.model_dump(mode="json")
    assert set(data) == {
        "eventId",
        "eventType",
        "version",
        "occurredAt",
        "description",
        "detailUrl",
        "additionalInformation",
        "personReference",
    }
    assert data["personReference"]["identifiers"] == [
        {"type": "CRN", "value": "X123456"},
        {"type": "NOMS", "value": "A1234BC"},
    ]
    assert data["occurredAt"][-6] in "+-" or data["occurredAt"].endswith("Z")  # ISO 8601 with an offset
    again = DomainEvent.model_validate_json(event.model_dump_json())
    assert again == event and again.crn == "X123456" and again.noms == "A1234BC"


@pytest.mark.parametrize("bad", ["created", "Probation.case.Created", "a.b"])
def test_event_types_must_be_domain_entity_verb(bad):
    with pytest.raises(ValidationError):
        new_event(bad, crn="X123456")


def test_an_identifier_of_another_type_is_carried_not_fatal():
    event = new_event("probation-case.engagement.created", crn="X123456")
    data = event.model_dump(mode="json")
    data["personReference"]["identifiers"].append({"type": "PNC", "value": "2004/0012345A"})

    parsed = DomainEvent.model_validate(data)

    assert parsed.crn == "X123456" and parsed.personReference.find("PNC") == "2004/0012345A"
    assert {"type": "PNC", "value": "2004/0012345A"} in parsed.model_dump(mode="json")["personReference"]["identifiers"]
