"""OpenTelemetry tracing: one trace from the HTTP request through the outbox, Kafka and every consumer.

`configure_tracing` installs the SDK's tracer provider once per process (the API's `create_app` and the
`worker` command call it) and instruments httpx; `instrument_app` and `instrument_engine` add the
FastAPI and SQLAlchemy instrumentations. Spans are exported only when the standard OpenTelemetry
variables ask for it: `OTEL_TRACES_EXPORTER` (`otlp`, `console` or `none`) or, without it, any
`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (OTLP over HTTP; the exporter reads
the rest of the `OTEL_EXPORTER_OTLP_*` variables itself). Locally nothing is exported, but the ids are
still real, so logs and the `traceparent` headers carry them; with nothing to receive them, SQL statement,
producer and consumer spans are not made at all (only their contexts are passed on), as they cost about as
much as the work they would describe.

The outbox row's `traceparent` header is the context of the span active when the event was queued (the
request's, or the consumer's that handled an event); the relay publishes each row in a PRODUCER span
that is a child of it and sends that span's context in the Kafka headers; the consumer handles the event
in a CONSUMER span that is a child of the producer span. aiokafka has no instrumentation of its own here,
so those two are this module's spans (`producer_span`, `consumer_span`).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import random
import re
import secrets
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
# The trace context of work that runs outside any span (kept for code that reads it directly).
current_traceparent: contextvars.ContextVar[str | None] = contextvars.ContextVar("traceparent", default=None)
TRACER_NAME = "probation_shared"

_configured = False
_httpx_instrumented = False


def exporter_from_environment(environ: Mapping[str, str] | None = None):
    """The span exporter the standard `OTEL_*` variables ask for, or None (the local default)."""
    env = os.environ if environ is None else environ
    choice = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if not choice:
        choice = (
            "otlp"
            if env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            else "none"
        )
    if choice == "none":
        return None
    if choice == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if choice == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    raise ValueError(f"OTEL_TRACES_EXPORTER={choice!r} is not supported here (otlp, console or none)")


def configure_tracing(service_name: str) -> None:
    """Install the SDK tracer provider (once per process) and instrument httpx."""
    global _configured, _httpx_instrumented
    if not _configured:
        _configured = True
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        if not isinstance(trace.get_tracer_provider(), TracerProvider):
            # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, win over the service's own name.
            resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service_name)})
            provider = TracerProvider(resource=resource)
            exporter = exporter_from_environment()
            if exporter is not None:
                provider.add_span_processor(BatchSpanProcessor(exporter))
            trace.set_tracer_provider(provider)
    if not _httpx_instrumented:
        _httpx_instrumented = True
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor().instrument(tracer_provider=_WhenListened())


def instrument_app(app) -> None:
    """The FastAPI instrumentation's request spans, for requests served while something receives spans.

    Otherwise a request goes through the application's own middleware stack without the instrumentation's
    middleware, which would collect attributes and record metrics for a span nobody receives (about a tenth
    of a simple request); `PlatformMiddleware` still makes the request's trace context current."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    bare = app.build_middleware_stack
    # No spans for each ASGI send/receive message: several per request, of no use in a trace, and paid for
    # on every request.
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="health/liveness,health/readiness,metrics", exclude_spans=["receive", "send"]
    )
    instrumented = app.build_middleware_stack
    app.build_middleware_stack = lambda: _WhenListenedStack(instrumented(), bare())


class _WhenListenedStack:
    """The instrumented middleware stack while spans are received, the bare one otherwise (decided per
    request: a test may add a span processor after the app is built)."""

    def __init__(self, instrumented, bare) -> None:
        self.instrumented = instrumented
        self.bare = bare

    async def __call__(self, scope, receive, send) -> None:
        await (self.instrumented if _listened() else self.bare)(scope, receive, send)


def context_only_span(traceparent: str | None) -> contextlib.AbstractContextManager:
    """Make a child context of `traceparent` (a new trace without one) the current span when no span is
    active: nothing is recorded, but logs, outgoing calls and queued events carry the trace."""
    if trace.get_current_span().get_span_context().is_valid:
        return contextlib.nullcontext()
    return trace.use_span(trace.NonRecordingSpan(_child_context(traceparent)), end_on_exit=False)


def instrument_engine(engine) -> None:
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    # The instrumentation declares "sqlalchemy < 2.1"; its engine events work on 2.1, which we pin.
    SQLAlchemyInstrumentor().instrument(
        engine=engine.sync_engine, enable_commenter=False, skip_dep_check=True, tracer_provider=_WhenListened()
    )


class _WhenListened(trace.TracerProvider):
    """The global provider's tracers, except that a span nobody would receive (the provider has no span
    processor: nothing exported, the local default) is not made at all. A statement span costs about as
    much as the statement on SQLite; once a processor is added (an exporter, a test's), spans are made."""

    def get_tracer(self, *args, **kwargs) -> trace.Tracer:
        return _ListenedTracer(trace.get_tracer_provider().get_tracer(*args, **kwargs))


class _ListenedTracer(trace.Tracer):
    def __init__(self, inner: trace.Tracer) -> None:
        self._inner = inner

    def start_span(self, *args, **kwargs) -> trace.Span:
        if not _listened():
            return trace.INVALID_SPAN
        return self._inner.start_span(*args, **kwargs)

    @contextlib.contextmanager
    def start_as_current_span(self, *args, **kwargs) -> Iterator[trace.Span]:  # type: ignore[override]
        if not _listened():
            yield trace.INVALID_SPAN
            return
        with self._inner.start_as_current_span(*args, **kwargs) as span:
            yield span


def _listened() -> bool:
    provider = trace.get_tracer_provider()
    if isinstance(provider, trace.ProxyTracerProvider):
        return False  # no provider installed: its tracers are no-ops, their spans go nowhere
    processors = getattr(getattr(provider, "_active_span_processor", None), "_span_processors", None)
    return processors is None or bool(processors)  # not the SDK's provider: leave the decision to it


def suppress_instrumentation() -> contextlib.AbstractContextManager:
    """No instrumentation spans (SQLAlchemy, httpx) inside the block; this module's spans still start."""
    from opentelemetry.instrumentation.utils import suppress_instrumentation as suppress

    return suppress()


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def active_traceparent() -> str | None:
    """The `traceparent` of the active span, or None when no valid span is active."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return _format(span_context)  # what the W3C propagator writes; this runs for every event queued


def outbox_traceparent() -> str:
    """The trace context stored with an outbox row: the active span's, else a child of the context var."""
    return active_traceparent() or new_traceparent(current_traceparent.get())


def _context_of(headers: Mapping[str, str]):
    return propagate.extract({k: v for k, v in headers.items() if k in ("traceparent", "tracestate")})


@contextlib.contextmanager
def producer_span(topic: str, headers: Mapping[str, str], *, key: str | None = None) -> Iterator[dict[str, str]]:
    """A PRODUCER span, child of the context in `headers`; yields the headers to send (with its context).

    When nothing receives spans (no span processor: the local default) no span is made, but the headers
    still carry a child context in the same trace, so the consumer's logs and spans keep the trace id."""
    if not _listened():
        sent = {k: v for k, v in headers.items() if k != "tracestate"}
        sent["traceparent"] = _format(_child_context(headers.get("traceparent")))
        yield sent
        return
    with tracer().start_as_current_span(
        f"{topic} publish",
        context=_context_of(headers),
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.operation.type": "publish",
            "messaging.kafka.message.key": key or "",
        },
    ):
        sent = dict(headers)
        sent.pop("tracestate", None)
        propagate.inject(sent)
        yield sent


@contextlib.contextmanager
def consumer_span(
    topic: str, headers: Mapping[str, str], *, consumer: str, event_type: str = "", links: list | None = None
) -> Iterator[trace.Span]:
    """A CONSUMER span, child of the producer span whose context the message carries.

    When nothing receives spans, the active span is a context only (no attributes, nothing recorded):
    a child id in the message's trace, so logs, outgoing calls and queued events still carry the trace."""
    if not _listened():
        context_only = trace.NonRecordingSpan(_child_context(headers.get("traceparent")))
        with trace.use_span(context_only, end_on_exit=False):
            token = current_traceparent.set(_format(context_only.get_span_context()))
            try:
                yield context_only
            finally:
                current_traceparent.reset(token)
        return
    with tracer().start_as_current_span(
        f"{topic} process",
        context=_context_of(headers),
        kind=SpanKind.CONSUMER,
        links=links,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.operation.type": "process",
            "messaging.consumer.group.name": consumer,
            "event.type": event_type,
        },
    ) as span:
        token = current_traceparent.set(active_traceparent())
        try:
            yield span
        finally:
            current_traceparent.reset(token)


def link_to(headers: Mapping[str, str]) -> trace.Link | None:
    span_context = trace.get_current_span(_context_of(headers)).get_span_context()
    return trace.Link(span_context) if span_context.is_valid else None


def log_trace_ids(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: the active span's trace_id and span_id on every log line."""
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event_dict.setdefault("trace_id", format(span_context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(span_context.span_id, "016x"))
    return event_dict


def _child_context(parent: str | None) -> trace.SpanContext:
    """A new span id under `parent`'s trace (a new trace when `parent` is not a valid traceparent)."""
    match = _TRACEPARENT.match(parent or "")
    trace_id = int(match.group(1), 16) if match else 0
    flags = int(match.group(3), 16) if match else int(trace.TraceFlags.SAMPLED)
    if not trace_id:
        trace_id = random.getrandbits(128) or 1
    # Span ids need to be unique, not secret: the SDK's own generator uses `random` too.
    return trace.SpanContext(
        trace_id, random.getrandbits(64) or 1, is_remote=False, trace_flags=trace.TraceFlags(flags)
    )


def _format(span_context: trace.SpanContext) -> str:
    return f"00-{span_context.trace_id:032x}-{span_context.span_id:016x}-{int(span_context.trace_flags):02x}"


def new_traceparent(parent: str | None = None) -> str:
    """A child span id under `parent`'s trace, or a new trace when there is no valid parent."""
    match = _TRACEPARENT.match(parent or "")
    trace_id = match.group(1) if match else secrets.token_hex(16)
    return f"00-{trace_id}-{secrets.token_hex(8)}-01"


def trace_id_of(traceparent: str | None) -> str | None:
    match = _TRACEPARENT.match(traceparent or "")
    return match.group(1) if match else None
