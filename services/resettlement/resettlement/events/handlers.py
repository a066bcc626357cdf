"""Handlers of the case-allocation events resettlement consumes: custodial sentences and managers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import DomainEvent
from probation_shared.events.consumer import Subscription
from probation_shared.events.topics import CASE_ALLOCATION

from ..workflows import projection


def _owner(event: DomainEvent) -> str:
    """case-allocation's base URL, as its own detailUrl gives it (`{base}/people/{crn}/...`)."""
    return (event.detailUrl or "").split("/people/", 1)[0]


async def on_sentence(session: AsyncSession, event: DomainEvent) -> None:
    """sentence.created / .amended of a custodial sentence: its release dates, and what follows from them."""
    if not event.crn or not event.detailUrl or not event.additionalInformation.get("custodial"):
        return
    await projection.sentence_changed(session, event.crn, event.detailUrl, _owner(event))


async def on_manager(session: AsyncSession, event: DomainEvent) -> None:
    if not event.crn or not event.detailUrl:
        return
    await projection.manager_changed(session, event.crn, _owner(event))


SUBSCRIPTION = Subscription(
    name="resettlement-case-allocation",
    topics=[CASE_ALLOCATION],
    handlers={
        "probation-case.sentence.created": on_sentence,
        "probation-case.sentence.amended": on_sentence,
        "person.community.manager.allocated": on_manager,
        "person.community.manager.transferred": on_manager,
    },
)
