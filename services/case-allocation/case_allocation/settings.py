from pydantic_settings import SettingsConfigDict

from probation_shared.settings import PlatformSettings


class CaseAllocationSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="CASE_ALLOCATION_", extra="ignore")

    service_name: str = "case-allocation"
    database_url: str = "sqlite+aiosqlite:///./.run/data/case-allocation.db"
    public_base_url: str = "http://127.0.0.1:8001"
