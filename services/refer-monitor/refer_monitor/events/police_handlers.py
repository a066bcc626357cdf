"""The police partner consumer: drug-test results and RoSH changes, routed to `workflows/police.py`.
Its own consumer group, so the provider-view projection (CASE_EVENTS, RISK_EVENTS) is untouched by it."""

from __future__ import annotations

from probation_shared.events.consumer import Subscription
from probation_shared.events.topics import CASE_ALLOCATION, RISK_ASSESSMENT

from ..workflows.police import on_drug_test_recorded, on_rosh_changed

POLICE_EVENTS = Subscription(
    name="police-partners",
    topics=[CASE_ALLOCATION, RISK_ASSESSMENT],
    handlers={
        "probation-case.drug-test.recorded": on_drug_test_recorded,
        "risk-assessment.rosh.changed": on_rosh_changed,
    },
)
