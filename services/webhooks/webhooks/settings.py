import base64
import hashlib

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from probation_shared.settings import PlatformSettings

from .domain.backoff import DEFAULT_JITTER, DEFAULT_SCHEDULE

# Standard Webhooks' suggested spread: retries over about a day (kept as the name older configs use).
DEFAULT_RETRY_SCHEDULE = list(DEFAULT_SCHEDULE)
# Local and test runs only: a fixed key so a developer's database survives restarts. Any other
# environment must set WEBHOOKS_SECRET_ENCRYPTION_KEYS (see docs/webhooks.md).
DEV_ENCRYPTION_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"probation-platform local webhooks key").digest()
).decode()
DEV_ENVIRONMENTS = {"local", "test", "dev", "development", "compose", "ci"}


class WebhooksSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="WEBHOOKS_", extra="ignore")

    service_name: str = "webhooks"
    database_url: str = "sqlite+aiosqlite:///./.run/data/webhooks.db"
    public_base_url: str = "http://127.0.0.1:8005"

    # Fernet keys (urlsafe base64, 32 bytes), comma-separated: the first encrypts, every one decrypts, so
    # a key is rotated by putting the new one first, `POST /admin/webhooks/reencrypt`, then dropping the old.
    secret_encryption_keys: str = ""
    # How long a rotated-out signing secret stays valid (deliveries are signed with both meanwhile).
    secret_rotation_overlap_seconds: float = 86_400

    # Seconds to wait before each retry (each drawn from ±jitter of it); then a dead letter.
    retry_schedule_seconds: list[float] = Field(default_factory=lambda: list(DEFAULT_RETRY_SCHEDULE))
    retry_jitter: float = Field(default=DEFAULT_JITTER, ge=0, le=1)
    max_retry_after_seconds: float = 86_400
    # An endpoint whose every attempt has failed for this long is disabled and its owner told.
    auto_disable_after_seconds: float = 86_400

    # One deadline for a whole attempt: resolve, connect, send, read.
    delivery_timeout_seconds: float = 10
    max_response_body_bytes: int = 65_536  # read at most this much of a reply
    stored_response_body_bytes: int = 2_048  # kept with the attempt, for the provider to inspect
    # A claim is leased for this long; it must outlast the attempt deadline (checked below).
    claim_lease_seconds: float = 60
    delivery_poll_seconds: float = 1.0
    delivery_batch_size: int = 100
    delivery_concurrency: int = 64  # attempts in flight in one worker
    per_endpoint_concurrency: int = 8  # of which at most this many to one endpoint (fairness)

    # Local development only: plain http, and addresses (CIDRs) admitted although not public.
    allow_insecure_endpoints: bool = False
    endpoint_allowlist: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _checked(self):
        if self.claim_lease_seconds <= self.delivery_timeout_seconds:
            raise ValueError("claim_lease_seconds must be longer than delivery_timeout_seconds")
        if self.environment not in DEV_ENVIRONMENTS:
            if self.endpoint_allowlist or self.allow_insecure_endpoints:
                raise ValueError(
                    "endpoint_allowlist and allow_insecure_endpoints are for local development and tests only"
                )
            if not self.secret_encryption_keys:
                raise ValueError("set WEBHOOKS_SECRET_ENCRYPTION_KEYS: endpoint secrets are encrypted at rest")
        return self

    def encryption_keys(self) -> list[str]:
        return [k.strip() for k in self.secret_encryption_keys.split(",") if k.strip()] or [DEV_ENCRYPTION_KEY]
