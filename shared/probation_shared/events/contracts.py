"""Typed contracts for the `additionalInformation` of each published event type and version.

A publisher declares its contracts beside its builders:

    @contract("probation-case.address.created", description="An address has been created")
    class AddressChanged(Outbound):
        addressId: Annotated[int, Classified(DataClass.REFERENCE)]

and builds the payload with `AddressChanged(addressId=7).info()`. Every field carries a data class like any
outbound model; the bus is read by services, so the payload is rendered for the service audience, and a
payload that leaves the platform (a partner notification) is rendered for its reader with `render`.
`docs/events.md` is checked against the registry by the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..redaction import SERVICE_AUDIENCE, Outbound, classes_of, render


@dataclass(frozen=True)
class EventContract:
    event_type: str
    version: int
    model: type[Outbound]
    description: str


CONTRACTS: dict[tuple[str, int], EventContract] = {}

M = TypeVar("M", bound=type[Outbound])


def contract(*event_types: str, version: int = 1, description: str = "") -> Callable[[M], M]:
    """Register `model` as the `additionalInformation` of each of `event_types` at `version`."""

    def register(model: M) -> M:
        classes_of(model)  # an unclassified field fails here, at import
        for event_type in event_types:
            key = (event_type, version)
            if key in CONTRACTS and CONTRACTS[key].model is not model:
                raise ValueError(f"{event_type} v{version} already has a contract ({CONTRACTS[key].model.__name__})")
            CONTRACTS[key] = EventContract(event_type, version, model, description)
        return model

    return register


def info(payload: Outbound) -> dict[str, Any]:
    """The event's `additionalInformation`, as services on the bus receive it."""
    return render(payload, SERVICE_AUDIENCE)
