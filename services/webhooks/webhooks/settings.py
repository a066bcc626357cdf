from pydantic_settings import SettingsConfigDict

from probation_shared.settings import PlatformSettings


class WebhooksSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="WEBHOOKS_", extra="ignore")

    service_name: str = "webhooks"
    database_url: str = "sqlite+aiosqlite:///./.run/data/webhooks.db"
    public_base_url: str = "http://127.0.0.1:8005"
