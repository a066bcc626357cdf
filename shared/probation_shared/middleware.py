"""One pure-ASGI middleware: correlation id, trace context, request metrics and the body size limit."""

from __future__ import annotations

import time
import uuid

from .errors import problem_response
from .logging import bind_correlation_id, clear_context
from .metrics import ServiceMetrics
from .tracing import context_only_span, current_traceparent, new_traceparent


class PlatformMiddleware:
    def __init__(self, app, metrics: ServiceMetrics, max_body_bytes: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if any(k == b"authorization" and len(v) > MAX_AUTHORIZATION_BYTES for k, v in scope["headers"]) or (
            sum(len(k) + len(v) for k, v in scope["headers"]) > MAX_HEADERS_TOTAL_BYTES
        ):
            return await _headers_too_large(scope, receive, send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
            return await self._too_large(scope, receive, send)

        correlation_id = headers.get("x-correlation-id") or str(uuid.uuid4())
        bind_correlation_id(correlation_id)
        token = current_traceparent.set(new_traceparent(headers.get("traceparent")))

        started = time.perf_counter()
        status_holder = {"status": 500}
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge()
            return message

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-correlation-id", correlation_id.encode())]
            await send(message)

        # The request's trace context while it is handled (a context-only span when no span is made).
        with context_only_span(headers.get("traceparent")):
            try:
                await self.app(scope, limited_receive, send_with_headers)
            except _BodyTooLarge:
                status_holder["status"] = 413
                await self._too_large(scope, receive, send)
            finally:
                route = scope.get("route")
                path = getattr(route, "path", "unmatched")
                self.metrics.http_requests.labels(scope["method"], path, str(status_holder["status"])).inc()
                self.metrics.http_latency.labels(scope["method"], path).observe(time.perf_counter() - started)
                current_traceparent.reset(token)
                clear_context()

    async def _too_large(self, scope, receive, send):
        response = problem_response(413, "payload-too-large", detail=f"The body exceeds {self.max_body_bytes} bytes.")
        await response(scope, receive, send)


# A bearer token of this platform is well under 2 KiB: an Authorization header over 8 KiB is refused before any
# token parsing, and all headers together over 128 KiB, with 431 problem+json. Behind uvicorn on httptools (the
# production server) the application sees every header block; on h11, a block over 16 KiB is refused by the
# server itself with a plain "400 Invalid HTTP request" (h11_max_incomplete_event_size).
MAX_AUTHORIZATION_BYTES = 8 * 1024
MAX_HEADERS_TOTAL_BYTES = 128 * 1024


async def _headers_too_large(scope, receive, send):
    response = problem_response(
        431,
        "headers-too-large",
        detail=(
            f"The Authorization header exceeds {MAX_AUTHORIZATION_BYTES} bytes, or all headers "
            f"{MAX_HEADERS_TOTAL_BYTES} bytes."
        ),
    )
    await response(scope, receive, send)


class _BodyTooLarge(Exception):
    pass
