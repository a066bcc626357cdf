"""The typed `additionalInformation` of every event case-allocation publishes (docs/events.md).

Each field carries a data class like any outbound model; the bus is read by services, so `info(...)`
renders for the service audience. Events carry identifiers and codes only: the detail is behind
`detailUrl`, where this service renders it for the caller's role. Field names are the documented ones:
consumers in other services read them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from probation_shared.events.contracts import contract
from probation_shared.redaction import Classified, DataClass, Outbound

Ref = Classified(DataClass.REFERENCE)
SentenceClass = Classified(DataClass.SENTENCE)
Risk = Classified(DataClass.RISK_LEVELS)
StaffClass = Classified(DataClass.STAFF)


@contract(
    "probation-case.engagement.created",
    "probation-case.personal-details.updated",
    description="A person was registered, or their personal details changed: nothing beyond the identifiers",
)
class NoDetail(Outbound):
    pass


@contract(
    "probation-case.address.created",
    "probation-case.address.updated",
    "probation-case.address.deleted",
    description="An address has been created, updated or deleted",
)
class AddressChanged(Outbound):
    addressId: Annotated[int, Ref]


@contract(
    "probation-case.sentence.created",
    "probation-case.sentence.amended",
    "probation-case.sentence.terminated",
    description="A sentence has been created, amended or terminated",
)
class SentenceChanged(Outbound):
    sentenceId: Annotated[int, Ref]
    sentenceType: Annotated[str, SentenceClass]
    custodial: Annotated[bool, SentenceClass]
    mandateForChange: Annotated[bool, SentenceClass]


@contract(
    "probation-case.requirement.created",
    "probation-case.requirement.terminated",
    description="A requirement has been created or terminated",
)
class RequirementChanged(Outbound):
    sentenceId: Annotated[int, Ref]
    requirementId: Annotated[int, Ref]
    requirementType: Annotated[str, SentenceClass]
    mandateForChange: Annotated[bool, SentenceClass]


@contract(
    "probation-case.registration.added",
    "probation-case.registration.updated",
    "probation-case.registration.deregistered",
    description="A registration has been added, updated or deregistered",
)
class RegistrationChanged(Outbound):
    registrationId: Annotated[int, Ref]
    registerTypeCode: Annotated[str, Risk]
    registerLevel: Annotated[str | None, Risk]
    registerCategory: Annotated[str | None, Risk]


@contract(
    "person.community.manager.allocated",
    "person.community.manager.transferred",
    description="A community manager has been allocated or transferred",
)
class ManagerChanged(Outbound):
    staffCode: Annotated[str, StaffClass]
    teamCode: Annotated[str, Ref]
    pduCode: Annotated[str, Ref]


@contract("offender-management.handover.changed", description="Responsibility for a person in custody has changed")
class HandoverChanged(Outbound):
    responsible: Annotated[str, Ref]
    handoverDate: Annotated[date | None, SentenceClass]


@contract("enforcement.breach.raised", description="A breach has been raised")
class BreachRaised(Outbound):
    breachId: Annotated[int, Ref]


@contract("probation-case.drug-test.recorded", description="A drug test result has been recorded")
class DrugTestRecorded(Outbound):
    testId: Annotated[int, Ref]
    result: Annotated[str, SentenceClass]
    policePartnerNotifiable: Annotated[bool, Ref]


@contract(
    "probation-case.limited-access.changed",
    description=(
        "A restriction or exclusion was added to or removed from a person's limited-access list "
        "(by a LIMITED_ACCESS_ADMIN)"
    ),
)
class LimitedAccessChanged(Outbound):
    limitId: Annotated[int, Ref]
    kind: Annotated[Literal["RESTRICTION", "EXCLUSION"], Ref]
    change: Annotated[Literal["added", "removed"], Ref]
    staffCode: Annotated[str, StaffClass]
