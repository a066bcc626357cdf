from pydantic import Field
from pydantic_settings import SettingsConfigDict

from probation_shared.settings import PlatformSettings


class ResettlementSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="RESETTLEMENT_", extra="ignore")

    service_name: str = "resettlement"
    database_url: str = "sqlite+aiosqlite:///./.run/data/resettlement.db"
    public_base_url: str = "http://127.0.0.1:8004"

    # How often the pack job looks for people newly within the pack window or with a pack version due.
    pack_job_interval_seconds: float = Field(default=300.0, gt=0)
    # Processes rendering packs (None: the renderer's default).
    pack_render_workers: int | None = Field(default=None, ge=1, le=32)
