"""Prometheus metrics, one registry per service app (several apps may share a test process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


def watch_pool(metrics: ServiceMetrics, engine) -> None:
    """Pool saturation, read at scrape time: in use and the most the pool allows (QueuePool; others read 0)."""
    pool = engine.sync_engine.pool
    metrics.db_pool_in_use.set_function(lambda: float(pool.checkedout()) if hasattr(pool, "checkedout") else 0.0)
    metrics.db_pool_capacity.set_function(
        lambda: float(pool.size() + max(pool._max_overflow, 0)) if hasattr(pool, "_max_overflow") else 0.0
    )


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        labels = {"service": service}
        self.http_requests = Counter(
            "http_requests", "HTTP requests served", ["method", "route", "status"], registry=self.registry
        )
        self.http_latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.outbox_backlog = Gauge("outbox_backlog", "Outbox events not yet published", registry=self.registry)
        self.outbox_oldest_age = Gauge(
            "outbox_oldest_unsent_age_seconds",
            "Age of the oldest outbox event not yet published (0 when none)",
            registry=self.registry,
        )
        self.outbox_published = Counter("outbox_published", "Outbox events published", registry=self.registry)
        self.relay_errors = Counter("outbox_relay_errors", "Relay publish failures", registry=self.registry)
        self.consumer_lag = Gauge(
            "consumer_lag", "Messages behind the end of the topic", ["consumer"], registry=self.registry
        )
        self.events_consumed = Counter(
            "events_consumed", "Events handled", ["consumer", "outcome"], registry=self.registry
        )
        self.consumer_paused = Gauge(
            "consumer_paused",
            "1 while the consumer waits out a transient infrastructure failure",
            ["consumer"],
            registry=self.registry,
        )
        self.consumer_transient_failures = Counter(
            "consumer_transient_failures",
            "Transient infrastructure failures met while consuming",
            ["consumer"],
            registry=self.registry,
        )
        self.consumer_handler_retries = Counter(
            "consumer_handler_retries", "Retries of an event whose handler failed", ["consumer"], registry=self.registry
        )
        self.dead_letters = Counter(
            "dead_letters", "Events moved to a dead-letter topic", ["consumer"], registry=self.registry
        )
        self.db_pool_in_use = Gauge(
            "db_pool_connections_in_use", "Database connections checked out of the pool", registry=self.registry
        )
        self.db_pool_capacity = Gauge(
            "db_pool_connections_max",
            "Connections the pool may hold (size + overflow; 0 when unbounded)",
            registry=self.registry,
        )
        self.info = Gauge("service_info", "Service identity", ["service"], registry=self.registry)
        self.info.labels(**labels).set(1)
