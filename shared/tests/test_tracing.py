"""Exporter choice by the OTEL_* variables, trace ids in logs, and the worker's HTTP health endpoints."""

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter

from probation_shared.tracing import exporter_from_environment, log_trace_ids, outbox_traceparent, trace_id_of


def test_no_exporter_by_default_otlp_when_an_endpoint_is_set():
    assert exporter_from_environment({}) is None
    assert isinstance(
        exporter_from_environment({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}), OTLPSpanExporter
    )
    assert isinstance(exporter_from_environment({"OTEL_TRACES_EXPORTER": "otlp"}), OTLPSpanExporter)
    assert isinstance(exporter_from_environment({"OTEL_TRACES_EXPORTER": "console"}), ConsoleSpanExporter)
    assert (
        exporter_from_environment({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"})
        is None
    )
    with pytest.raises(ValueError):
        exporter_from_environment({"OTEL_TRACES_EXPORTER": "zipkin"})


def test_logs_and_outbox_rows_carry_the_active_span():
    tracer = TracerProvider().get_tracer("t")
    with tracer.start_as_current_span("work") as span:
        ids = log_trace_ids(None, "info", {})
        traceparent = outbox_traceparent()
    assert ids["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert ids["span_id"] == format(span.get_span_context().span_id, "016x")
    assert trace_id_of(traceparent) == ids["trace_id"] and ids["span_id"] in traceparent
    assert "trace_id" not in log_trace_ids(None, "info", {}) or trace.get_current_span().get_span_context().is_valid


async def test_worker_http_server_has_health_and_metrics(tmp_path):
    from probation_shared.metrics import ServiceMetrics
    from probation_shared.service import worker_app

    class Db:
        async def ping(self):
            return None

    class Settings:
        service_name, version, environment, run_workers = "svc", "1", "test", False

    class Probe:
        async def check(self):
            return None

    class W:
        consumers = []

    app = worker_app(Settings(), Db(), ServiceMetrics("svc"), W())
    app.state.broker_probe = Probe()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://w") as client:
        assert (await client.get("/health/liveness")).json() == {"status": "UP"}
        ready = await client.get("/health/readiness")
        assert ready.status_code == 200 and ready.json()["components"]["db"]["status"] == "UP"
        assert "outbox_backlog" in (await client.get("/metrics")).text


def test_unreceived_spans_are_not_made_but_the_trace_goes_on(monkeypatch):
    """With no span processor, producer and consumer steps pass on a child context in the same trace:
    the consumer's logs, its outgoing calls and the events it queues keep the producer's trace id."""
    from probation_shared import tracing

    monkeypatch.setattr(tracing, "_listened", lambda: False)
    parent = "00-" + "ab" * 16 + "-" + "cd" * 8 + "-01"
    with tracing.producer_span("t", {"traceparent": parent, "tracestate": "x=1", "eventType": "e"}) as sent:
        pass
    assert sent["eventType"] == "e" and "tracestate" not in sent
    assert trace_id_of(sent["traceparent"]) == "ab" * 16 and sent["traceparent"] != parent
    with tracing.consumer_span("t", sent, consumer="c") as span:
        assert not span.is_recording()
        ids = log_trace_ids(None, "info", {})
        queued = outbox_traceparent()
        carrier: dict[str, str] = {}
        from opentelemetry import propagate

        propagate.inject(carrier)  # what an outgoing HTTP call carries
    assert ids["trace_id"] == "ab" * 16
    assert trace_id_of(queued) == trace_id_of(carrier["traceparent"]) == "ab" * 16
    assert tracing.current_traceparent.get() is None
    with tracing.producer_span("t", {}) as fresh:  # no context at all: a new trace, still well formed
        assert trace_id_of(fresh["traceparent"]) not in (None, "0" * 32)


def test_a_request_without_a_span_gets_a_context_only_one():
    from probation_shared import tracing

    incoming = "00-" + "12" * 16 + "-" + "34" * 8 + "-01"
    with tracing.context_only_span(incoming):
        assert log_trace_ids(None, "info", {})["trace_id"] == "12" * 16
        assert trace_id_of(tracing.active_traceparent()) == "12" * 16
    assert not trace.get_current_span().get_span_context().is_valid
    tracer = TracerProvider().get_tracer("t")
    with tracer.start_as_current_span("request") as span, tracing.context_only_span(incoming):
        assert trace.get_current_span() is span  # the instrumentation's span is left as it is
