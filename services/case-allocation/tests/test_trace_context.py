"""A request's trace reaches the events it queues whether or not spans are made (no span processor is the
local default; then the instrumentation's request span is skipped and only its context is passed on)."""

import pytest
from sqlalchemy import select

from case_allocation.db.models import PLATFORM
from probation_shared import tracing
from probation_shared.tracing import trace_id_of

INCOMING = "00-" + "5e" * 16 + "-" + "a1" * 8 + "-01"


@pytest.mark.parametrize("listened", [False, True])
async def test_the_incoming_trace_reaches_the_outbox(api, monkeypatch, listened):
    monkeypatch.setattr(tracing, "_listened", lambda: listened)
    headers = {**api.h(), "traceparent": INCOMING}
    response = await api.client.post(
        "/people",
        json={"first_name": "Ada", "last_name": "Byron", "date_of_birth": "1985-12-10", "sex": "FEMALE"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    crn = response.json()["crn"]
    async with api.service.database.unit_of_work() as session:
        rows = (
            await session.execute(select(PLATFORM.outbox.c.headers).where(PLATFORM.outbox.c.message_key == crn))
        ).all()
    assert rows
    for (row_headers,) in rows:
        assert trace_id_of(row_headers["traceparent"]) == "5e" * 16
        assert row_headers["traceparent"] != INCOMING  # a span of its own in that trace
