"""Two small services for the fault tests, run as real processes: a writer whose every accepted
write queues one event (transactional outbox), and a reader whose handler applies each event.

    python -m tests.faults.chain writer serve --port 8100
    python -m tests.faults.chain reader serve --port 8101

Settings come from the environment (`FAULT_WRITER_...`, `FAULT_READER_...`) like any service's.
Reconciliation reads the two databases: `writes` (accepted) against `applied` (effects).
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, Integer, String, Table
from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.auth import Role, require_roles
from probation_shared.db import Session, create_base
from probation_shared.events import DomainEvent, add_event, new_event, platform_tables
from probation_shared.events.consumer import Subscription
from probation_shared.redaction import Classified, DataClass, Outbound, redacted_response
from probation_shared.service import ServiceSpec
from probation_shared.settings import PlatformSettings

TOPIC = "fault.writes"

WriterBase = create_base()
WRITER_TABLES = platform_tables(WriterBase.metadata)
WRITES = Table("writes", WriterBase.metadata, Column("n", Integer, primary_key=True))

ReaderBase = create_base()
READER_TABLES = platform_tables(ReaderBase.metadata)
# No unique constraint on purpose: an event applied twice must show as two rows.
APPLIED = Table(
    "applied",
    ReaderBase.metadata,
    Column("id", Integer, primary_key=True),
    Column("n", Integer),
    Column("event_id", String(36)),
)


class WriterSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="FAULT_WRITER_", extra="ignore")
    service_name: str = "faultwriter"


class ReaderSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="FAULT_READER_", extra="ignore")
    service_name: str = "faultreader"


class Write(BaseModel):
    n: int


router = APIRouter()


class Accepted(Outbound):
    n: Annotated[int, Classified(DataClass.REFERENCE)]


@router.post("/writes", status_code=201, response_model=Accepted)
async def accept(body: Write, session: Session, principal=require_roles(Role.PRACTITIONER)):
    await session.execute(WRITES.insert().values(n=body.n))
    crn = f"X{abs(body.n) % 7:06d}"
    await add_event(
        session,
        WRITER_TABLES.outbox,
        TOPIC,
        new_event("fault.write.accepted", crn=crn, additional_information={"n": body.n}),
    )
    return redacted_response(Accepted(n=body.n), principal.roles, status_code=201)


async def apply(session: AsyncSession, event: DomainEvent) -> None:
    n = event.additionalInformation["n"]
    delay = float(os.environ.get("FAULT_READER_HANDLER_DELAY", "0"))
    if delay:
        await asyncio.sleep(delay)  # a handler with some work in it: batches take a while
    if n < 0 and os.environ.get("FAULT_READER_POISON_FIXED") != "1":
        raise RuntimeError("negative writes are not understood by this version")
    await session.execute(APPLIED.insert().values(n=n, event_id=str(event.eventId)))


WRITER = ServiceSpec(
    name="faultwriter",
    settings_class=WriterSettings,
    metadata=WriterBase.metadata,
    tables=WRITER_TABLES,
    migrations_dir=None,
    routers=[router],
)
READER = ServiceSpec(
    name="faultreader",
    settings_class=ReaderSettings,
    metadata=ReaderBase.metadata,
    tables=READER_TABLES,
    migrations_dir=None,
    subscriptions=[Subscription("writes", [TOPIC], handlers={"fault.write.accepted": apply})],
)

if __name__ == "__main__":
    from probation_shared.cli import service_main

    which, *rest = sys.argv[1:]
    sys.exit(service_main({"writer": WRITER, "reader": READER}[which], rest))
