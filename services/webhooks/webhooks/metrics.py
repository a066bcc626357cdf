"""Webhook series on the service's own registry (so `/metrics` shows them beside the platform's)."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from prometheus_client import Counter, Gauge, Histogram

from probation_shared.metrics import ServiceMetrics


class WebhookMetrics:
    def __init__(self, service_metrics: ServiceMetrics) -> None:
        registry = service_metrics.registry
        self.attempts = Counter("webhook_attempts", "Delivery attempts, by outcome", ["outcome"], registry=registry)
        self.deliveries = Counter(
            "webhook_deliveries",
            "Attempts' consequences: DELIVERED, PENDING (retry scheduled), DEAD, CANCELLED",
            ["result"],
            registry=registry,
        )
        self.latency = Histogram(
            "webhook_attempt_duration_seconds",
            "Attempt latency (resolve, connect, send, read)",
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.retry_queue = Gauge(
            "webhook_retry_queue_depth", "Pending messages that have failed at least once", registry=registry
        )
        self.pending = Gauge("webhook_pending_messages", "Messages waiting for delivery", registry=registry)
        self.dead = Gauge("webhook_dead_letters", "Messages whose retries are spent", registry=registry)
        self.oldest = Gauge(
            "webhook_oldest_pending_age_seconds", "Age of the oldest pending message", registry=registry
        )

    @classmethod
    def on(cls, service_metrics: ServiceMetrics | None) -> WebhookMetrics | None:
        if service_metrics is None:
            return None
        found = _BY_SERVICE.get(service_metrics)
        if found is None:
            found = _BY_SERVICE[service_metrics] = cls(service_metrics)
        return found

    def attempt(self, outcome: str, seconds: float) -> None:
        self.attempts.labels(outcome=outcome).inc()
        self.latency.observe(seconds)

    def decided(self, result: str) -> None:
        self.deliveries.labels(result=result).inc()

    def queue(self, figures: dict[str, float]) -> None:
        self.retry_queue.set(figures["retrying"])
        self.pending.set(figures["pending"])
        self.dead.set(figures["dead"])
        self.oldest.set(figures["oldest_age"])


# One set of series per service registry (a registry refuses the same name twice).
_BY_SERVICE: WeakKeyDictionary[ServiceMetrics, WebhookMetrics] = WeakKeyDictionary()
