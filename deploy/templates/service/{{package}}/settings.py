from pydantic_settings import SettingsConfigDict

from probation_shared.settings import PlatformSettings


class {{Class}}Settings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="{{PREFIX}}", extra="ignore")

    service_name: str = "{{name}}"
    database_url: str = "sqlite+aiosqlite:///./.run/data/{{name}}.db"
    public_base_url: str = "http://127.0.0.1:{{port}}"
