"""One settings base for every service; each service subclasses it with its own env prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Room left under the broker's message limit for the record's framing and batch overhead.
EVENT_HEADROOM_BYTES = 16 * 1024


class PlatformSettings(BaseSettings):
    """Settings every service has. A subclass sets `env_prefix`, e.g. `CASE_ALLOCATION_`."""

    model_config = SettingsConfigDict(env_prefix="PLATFORM_", extra="ignore")

    service_name: str = "service"
    version: str = "0.1.0"
    environment: str = "local"

    database_url: str = "sqlite+aiosqlite:///./.run/data/service.db"
    database_echo: bool = False

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Off for the embedded Tansu broker, which rejects idempotent producers; on for real Kafka.
    kafka_idempotent_producer: bool = False
    # Lets several environments (or test runs) share one cluster without seeing each other's topics.
    kafka_topic_prefix: str = ""
    kafka_security_protocol: str = "PLAINTEXT"  # SASL_SSL on a real cluster (Strimzi SCRAM users)
    kafka_sasl_mechanism: str | None = None  # e.g. SCRAM-SHA-512
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None
    kafka_ssl_cafile: Path | None = None  # the cluster CA, to verify the brokers

    def kafka_connection(self) -> dict:
        """What every aiokafka client of this service needs to reach and authenticate to the brokers."""
        options: dict = {
            "bootstrap_servers": self.kafka_bootstrap_servers,
            "security_protocol": self.kafka_security_protocol,
        }
        if self.kafka_sasl_mechanism:
            options.update(
                sasl_mechanism=self.kafka_sasl_mechanism,
                sasl_plain_username=self.kafka_sasl_username,
                sasl_plain_password=self.kafka_sasl_password,
            )
        if self.kafka_security_protocol.endswith("SSL"):
            from aiokafka.helpers import create_ssl_context

            options["ssl_context"] = create_ssl_context(
                cafile=str(self.kafka_ssl_cafile) if self.kafka_ssl_cafile else None
            )
        return options

    auth_issuer: str = "probation-platform"
    auth_audience: str = "probation-platform"
    auth_jwks_url: str | None = None
    auth_public_key_file: Path | None = None
    auth_leeway_seconds: int = 30
    # Service-to-service calls: a token from the identity provider, or (local/test) one minted with the dev key.
    service_token: str | None = None
    auth_dev_private_key_file: Path | None = None

    public_base_url: str = "http://127.0.0.1:8000"

    # True: outbox relay and consumers run inside the API process (local default).
    run_workers: bool = True
    relay_batch_size: int = 500
    relay_poll_interval_seconds: float = 0.5
    # The broker's limit for one message (Kafka's `message.max.bytes`, ~1 MiB by default); also the
    # producer's largest request. An event whose row would exceed it less headroom for the key,
    # headers and record overhead is refused when it is written (see `event_max_bytes`).
    kafka_max_message_bytes: int = Field(default=1_048_576, ge=64 * 1024)

    # A handler that fails is retried with exponential backoff and jitter for this long, then its
    # event is dead-lettered. Transient infrastructure failures (database or broker unavailable,
    # timeouts, serialization conflicts) do not count: they are waited out, never dead-lettered.
    consumer_retry_budget_seconds: float = Field(default=60.0, ge=0)
    # Optional cap on handler attempts as well (None: the budget alone decides).
    consumer_max_attempts: int | None = Field(default=None, ge=1)
    consumer_retry_backoff_seconds: float = Field(default=0.1, gt=0)  # first retry; doubles each time
    consumer_retry_backoff_max_seconds: float = Field(default=10.0, gt=0)
    consumer_transient_backoff_max_seconds: float = Field(default=30.0, gt=0)
    # Messages handled in one transaction (one commit) when they arrive together.
    consumer_batch_size: int = Field(default=200, ge=1, le=5000)
    # aiokafka consumer limits. The consumer keeps polling (its partitions paused) while a batch is
    # handled, so a slow handler or a long retry never exceeds `max_poll_interval`.
    consumer_max_poll_interval_ms: int = Field(default=300_000, ge=1000)
    consumer_max_poll_records: int | None = Field(default=None, ge=1)
    consumer_session_timeout_ms: int = Field(default=10_000, ge=1000)
    consumer_heartbeat_interval_ms: int = Field(default=3_000, ge=100)
    consumer_poll_timeout_ms: int = Field(default=200, ge=0)

    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    log_level: str = "INFO"
    log_json: bool = True

    @property
    def event_max_bytes(self) -> int:
        """The largest outbox event (payload + key + headers) accepted at write time."""
        return self.kafka_max_message_bytes - EVENT_HEADROOM_BYTES

    def topic(self, name: str) -> str:
        """The physical topic name for a logical one."""
        return f"{self.kafka_topic_prefix}{name}"
