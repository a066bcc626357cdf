from pydantic import Field
from pydantic_settings import SettingsConfigDict

from probation_shared.settings import PlatformSettings

# Standard Webhooks' suggested schedule: retries spread over about a day.
DEFAULT_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000]


class WebhooksSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="WEBHOOKS_", extra="ignore")

    service_name: str = "webhooks"
    database_url: str = "sqlite+aiosqlite:///./.run/data/webhooks.db"
    public_base_url: str = "http://127.0.0.1:8005"

    # Seconds to wait before each retry; the delivery fails for good after the last one.
    retry_schedule_seconds: list[float] = Field(default_factory=lambda: list(DEFAULT_RETRY_SCHEDULE))
    max_retry_after_seconds: float = 86_400
    delivery_timeout_seconds: float = 10
    delivery_poll_seconds: float = 1.0
    delivery_batch_size: int = 100
    delivery_concurrency: int = 20
    # Only https endpoints, unless local development allows plain http (e.g. to localhost).
    allow_insecure_endpoints: bool = False
