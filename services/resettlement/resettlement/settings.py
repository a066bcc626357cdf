from pydantic_settings import SettingsConfigDict

from probation_shared.settings import PlatformSettings


class ResettlementSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="RESETTLEMENT_", extra="ignore")

    service_name: str = "resettlement"
    database_url: str = "sqlite+aiosqlite:///./.run/data/resettlement.db"
    public_base_url: str = "http://127.0.0.1:8004"
