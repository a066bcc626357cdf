"""Acceptance: one trace follows an address change from the HTTP request in case-allocation, through its
outbox and the relay's publish, to the refer-monitor consumer that updates the referral."""

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from probation_shared.auth import Role
from probation_shared.testing.plugin import eventually
from probation_shared.tracing import configure_tracing
from refer_monitor.db import queries as q
from refer_monitor.service import SPEC

case_allocation = pytest.importorskip("case_allocation.service")


@pytest.fixture
def spans():
    configure_tracing("test")
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    yield exporter
    processor.shutdown()


async def test_one_trace_from_address_change_to_referral_update(start_service, upstream, tokens, h, spans):
    cases = await start_service(case_allocation.SPEC)
    rm = await start_service(SPEC, case_allocation_url=h.CASE_URL, risk_assessment_url=h.RISK_URL)
    rm.app.state.http.mount(
        {
            h.CASE_URL: httpx.ASGITransport(app=cases.app),
            h.RISK_URL: httpx.ASGITransport(app=upstream.risk_app()),
            rm.settings.public_base_url: httpx.ASGITransport(app=rm.app),
        }
    )
    await SPEC.seed(rm.database, rm.settings)
    api = h.Api(rm, tokens, upstream)
    staff = tokens.headers(Role.PRACTITIONER)
    person = await cases.client.post(
        "/people",
        json={"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "1985-12-10", "sex": "FEMALE"},
        headers=staff,
    )
    crn = person.json()["crn"]
    address = await cases.client.post(
        f"/people/{crn}/addresses",
        headers=staff,
        json={
            "status": "MAIN",
            "line1": "12 High Street",
            "town": "Durham",
            "postcode": "DH1 1AA",
            "start_date": "2024-01-01",
        },
    )
    assert address.status_code == 201, address.text

    async def projection_has(postcode):
        async with rm.database.unit_of_work() as session:
            found = await q.get_person(session, crn)
            return found is not None and (found.address or {}).get("postcode") == postcode

    await eventually(lambda: projection_has("DH1 1AA"), timeout=30)
    upstream.add_person(crn)
    async with rm.database.unit_of_work() as session:
        (await q.person_for_update(session, crn)).practitioner = {
            "staff_code": "N07A001",
            "name": "Pat Jones",
            "email": "pat.jones@probation.example",
            "phone": "0191 000 0000",
        }
    referral = (
        await api.client.post(
            "/referrals",
            json={"crn": crn, "intervention_id": h.ACC_INTERVENTION, "desired_outcomes": ["Housing"]},
            headers=api.practitioner(),
        )
    ).json()
    assert (await api.client.post(f"/referrals/{referral['id']}/send", headers=api.practitioner())).status_code == 200
    reader = api.provider("harbour-housing", h.ACC)

    spans.clear()
    moved = await cases.client.patch(
        f"/people/{crn}/addresses/{address.json()['id']}",
        json={"line1": "3 New Road", "town": "Leeds", "postcode": "LS1 4AP"},
        headers=staff,
    )
    assert moved.status_code == 200, moved.text
    request_span = next(
        s
        for s in spans.get_finished_spans()
        if s.kind == SpanKind.SERVER and s.attributes.get("http.route", "").startswith("/people/{crn}/addresses")
    )
    trace_id = request_span.context.trace_id

    async def view_moved():
        view = (await api.client.get(f"/referrals/{referral['id']}", headers=reader)).json()["provider_view"]
        return (view["contact"]["address"] or {}).get("postcode") == "LS1 4AP"

    await eventually(view_moved, timeout=30)

    def in_trace(kind):
        return [s for s in spans.get_finished_spans() if s.kind == kind and s.context.trace_id == trace_id]

    async def consumer_spans_done():
        return any("address" in str(s.attributes.get("event.type", "")) for s in in_trace(SpanKind.CONSUMER))

    await eventually(consumer_spans_done, timeout=10)
    by_id = {s.context.span_id: s for s in spans.get_finished_spans()}
    publishes = in_trace(SpanKind.PRODUCER)
    assert publishes, "the relay's publish is in the request's trace"
    assert any(
        by_id.get(p.parent.span_id) is not None and by_id[p.parent.span_id].context.trace_id == trace_id
        for p in publishes
    )
    consumed = [s for s in in_trace(SpanKind.CONSUMER) if "address" in str(s.attributes.get("event.type", ""))]
    # refer-monitor's consumer span is the child of the relay's producer span
    assert any(c.parent is not None and c.parent.span_id in {p.context.span_id for p in publishes} for c in consumed)
    assert any(
        c.attributes.get("messaging.consumer.group.name", "").startswith("refer") or "refer" in str(c.attributes)
        for c in consumed
    )
    # the referral update's SQL ran inside the consumer's span, so in the same trace
    assert any(
        s.kind == SpanKind.CLIENT and s.context.trace_id == trace_id and s.attributes.get("db.system")
        for s in spans.get_finished_spans()
    )
