"""One settings base for every service; each service subclasses it with its own env prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
        options: dict = {"bootstrap_servers": self.kafka_bootstrap_servers, "security_protocol": self.kafka_security_protocol}
        if self.kafka_sasl_mechanism:
            options.update(
                sasl_mechanism=self.kafka_sasl_mechanism,
                sasl_plain_username=self.kafka_sasl_username,
                sasl_plain_password=self.kafka_sasl_password,
            )
        if self.kafka_security_protocol.endswith("SSL"):
            from aiokafka.helpers import create_ssl_context

            options["ssl_context"] = create_ssl_context(cafile=str(self.kafka_ssl_cafile) if self.kafka_ssl_cafile else None)
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
    consumer_max_attempts: int = 3
    # Messages handled in one transaction (one commit) when they arrive together.
    consumer_batch_size: int = Field(default=200, ge=1, le=5000)
    consumer_retry_backoff_seconds: float = 0.05

    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    log_level: str = "INFO"
    log_json: bool = True

    def topic(self, name: str) -> str:
        """The physical topic name for a logical one."""
        return f"{self.kafka_topic_prefix}{name}"
