from pydantic_settings import SettingsConfigDict

from probation_shared.settings import PlatformSettings


class ReferMonitorSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="REFER_MONITOR_", extra="ignore")

    service_name: str = "refer-monitor"
    database_url: str = "sqlite+aiosqlite:///./.run/data/refer-monitor.db"
    public_base_url: str = "http://127.0.0.1:8003"
