"""A test-only service whose handlers make delivery observable: each handled event adds a row."""

from __future__ import annotations

import enum
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import Column, Integer, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.audit import record_access
from probation_shared.auth import Role, require_roles
from probation_shared.db import Session, create_base
from probation_shared.errors import Problem
from probation_shared.events import DomainEvent, add_event, new_event, platform_tables
from probation_shared.events.consumer import Subscription
from probation_shared.events.failures import TransientFailure
from probation_shared.events.topics import CASE_ALLOCATION
from probation_shared.redaction import Classified, DataClass, Outbound, redacted_response
from probation_shared.service import ServiceSpec
from probation_shared.settings import PlatformSettings

Base = create_base()
PLATFORM = platform_tables(Base.metadata)
EFFECTS = Table(
    "effects",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(36)),
    Column("kind", String(50)),
)
TOPIC = "probe.events"


class ProbeSettings(PlatformSettings):
    service_name: str = "probe"


class PoisonSwitch:
    """Lets a test make the poison handler fail, then recover (as a fixed deployment would)."""

    failing = True


async def on_good(session: AsyncSession, event: DomainEvent) -> None:
    await session.execute(EFFECTS.insert().values(event_id=str(event.eventId), kind="good"))


async def on_poison(session: AsyncSession, event: DomainEvent) -> None:
    await session.execute(EFFECTS.insert().values(event_id=str(event.eventId), kind="poison"))
    if PoisonSwitch.failing:
        raise RuntimeError("this handler always fails")


async def on_engagement(session: AsyncSession, event: DomainEvent) -> None:
    await session.execute(EFFECTS.insert().values(event_id=str(event.eventId), kind=f"engagement:{event.crn}"))


CASE_EVENTS = Subscription(
    name="case-events", topics=[CASE_ALLOCATION], handlers={"probation-case.engagement.created": on_engagement}
)

# Effects outside the database (as an HTTP call or a sent e-mail would be): a handler run leaves one
# entry here, whether or not its transaction commits.
OUTSIDE_EFFECTS: list[str] = []


async def on_counted(session: AsyncSession, event: DomainEvent) -> None:
    OUTSIDE_EFFECTS.append(str(event.eventId))
    await session.execute(EFFECTS.insert().values(event_id=str(event.eventId), kind="counted"))


class TransientSwitch:
    """Lets a test make a dependency of a handler unavailable, then available again."""

    failing = False


async def on_transient(session: AsyncSession, event: DomainEvent) -> None:
    if TransientSwitch.failing:
        raise TransientFailure("the dependency is down")
    await session.execute(EFFECTS.insert().values(event_id=str(event.eventId), kind="after-transient"))


async def on_versioned_v1(session: AsyncSession, event: DomainEvent) -> None:
    await session.execute(EFFECTS.insert().values(event_id=str(event.eventId), kind="versioned-v1"))


async def on_versioned_v2(session: AsyncSession, event: DomainEvent) -> None:
    await session.execute(EFFECTS.insert().values(event_id=str(event.eventId), kind="versioned-v2"))


async def on_many_good(session: AsyncSession, events: list[DomainEvent]) -> None:
    await session.execute(
        EFFECTS.insert(), [{"event_id": str(e.eventId), "kind": f"good-in-batch-of-{len(events)}"} for e in events]
    )


SUBSCRIPTION = Subscription(
    name="probe-events",
    topics=[TOPIC],
    handlers={
        "probe.good.happened": on_good,
        "probe.poison.happened": on_poison,
        "probe.counted.happened": on_counted,
        "probe.transient.happened": on_transient,
        "probe.versioned.happened": {1: on_versioned_v1, 2: on_versioned_v2},
    },
    batch_handlers={"probe.good.happened": on_many_good},
)


class Colour(str, enum.Enum):
    RED = "RED"
    BLUE = "BLUE"


class NewThing(BaseModel):
    name: str = Field(min_length=1)
    count: int
    colour: Colour


class ThingView(Outbound):
    name: Annotated[str, Classified(DataClass.REFERENCE)]
    count: Annotated[int | None, Classified(DataClass.REFERENCE)] = None
    colour: Annotated[Colour | None, Classified(DataClass.REFERENCE)] = None
    effects: Annotated[int | None, Classified(DataClass.REFERENCE)] = None


router = APIRouter(prefix="/things")


@router.post("", status_code=201, response_model=ThingView)
async def create_thing(body: NewThing, session: Session, principal=require_roles(Role.PRACTITIONER)):
    await session.execute(EFFECTS.insert().values(event_id="-", kind=f"thing:{body.name}"))
    return redacted_response(ThingView(**body.model_dump()), principal.roles, status_code=201)


class Published(Outbound):
    eventId: Annotated[str, Classified(DataClass.REFERENCE)]


@router.post("/{name}/events", status_code=201, response_model=Published)
async def publish_thing(name: str, session: Session, size: int = 10, principal=require_roles(Role.PRACTITIONER)):
    """Store a thing and queue one event about it carrying `size` bytes of padding."""
    await session.execute(EFFECTS.insert().values(event_id="-", kind=f"thing:{name}"))
    event = new_event(
        "probe.thing.published", crn="X000001", additional_information={"name": name, "padding": "x" * size}
    )
    await add_event(session, PLATFORM.outbox, TOPIC, event)
    return redacted_response(Published(eventId=str(event.eventId)), principal.roles, status_code=201)


@router.get("/{name}", response_model=ThingView)
async def read_thing(name: str, session: Session, principal=require_roles(Role.PRACTITIONER, Role.AUDITOR)):
    if name == "missing":
        raise Problem(404, "thing-not-found", "No such thing.")
    await record_access(
        session, PLATFORM.audit_log, principal, crn="X000001", action="read", resource=f"/things/{name}"
    )
    effects = await session.scalar(select(func.count()).select_from(EFFECTS))
    return redacted_response(ThingView(name=name, effects=effects), principal.roles)


SPEC = ServiceSpec(
    name="probe",
    settings_class=ProbeSettings,
    metadata=Base.metadata,
    tables=PLATFORM,
    migrations_dir=None,
    subscriptions=[SUBSCRIPTION, CASE_EVENTS],
    routers=[router],
)


async def effects(service, kind: str | None = None) -> int:
    async with service.database.sessions() as session:
        query = select(func.count()).select_from(EFFECTS)
        if kind:
            query = query.where(EFFECTS.c.kind == kind)
        return await session.scalar(query)
