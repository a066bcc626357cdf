"""Handlers of the events refer-monitor consumes from case-allocation and risk-assessment: each event type
is routed to its use case in `workflows/person_updates.py`."""

from __future__ import annotations

from probation_shared.events.consumer import Subscription
from probation_shared.events.topics import CASE_ALLOCATION, RISK_ASSESSMENT

from ..workflows.person_updates import (
    on_address,
    on_addresses,
    on_enforcement,
    on_handover,
    on_manager,
    on_person_details,
    on_registration,
    on_rosh_changed,
    on_sentence,
    on_tier_changed,
)

CASE_EVENTS = Subscription(
    name="case-events",
    topics=[CASE_ALLOCATION],
    handlers={
        "probation-case.engagement.created": on_person_details,
        "probation-case.personal-details.updated": on_person_details,
        "probation-case.address.created": on_address,
        "probation-case.address.updated": on_address,
        "probation-case.address.deleted": on_address,
        "person.community.manager.allocated": on_manager,
        "person.community.manager.transferred": on_manager,
        "probation-case.registration.added": on_registration,
        "probation-case.registration.updated": on_registration,
        "probation-case.registration.deregistered": on_registration,
        "enforcement.breach.raised": on_enforcement,
        "offender-management.handover.changed": on_handover,
        "probation-case.sentence.created": on_sentence,
        "probation-case.sentence.amended": on_sentence,
        "probation-case.sentence.terminated": on_sentence,
    },
    # Address changes arrive by the hundred a second: a run of them in a fetched batch is read and
    # written together (the per-event handlers above still handle a run that fails, event by event).
    batch_handlers={
        "probation-case.address.created": on_addresses,
        "probation-case.address.updated": on_addresses,
        "probation-case.address.deleted": on_addresses,
    },
)

RISK_EVENTS = Subscription(
    name="risk-events",
    topics=[RISK_ASSESSMENT],
    handlers={
        "risk-assessment.rosh.changed": on_rosh_changed,
        "tier.calculation.changed": on_tier_changed,
    },
)
