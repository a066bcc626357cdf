from typing import Annotated

from pydantic import Field, StringConstraints
from pydantic_settings import SettingsConfigDict

from probation_shared.settings import PlatformSettings


class ReferMonitorSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="REFER_MONITOR_", extra="ignore")

    service_name: str = "refer-monitor"
    database_url: str = "sqlite+aiosqlite:///./.run/data/refer-monitor.db"
    public_base_url: str = "http://127.0.0.1:8003"

    # The owners of the data a referral snapshots (detail is also followed through each event's detailUrl).
    case_allocation_url: str = "http://127.0.0.1:8001"
    risk_assessment_url: str = "http://127.0.0.1:8002"
    # A referral is not sent with a provider-view risk summary older than this: platform policy (a referral may
    # ask for a fresher summary, never an older one).
    risk_summary_max_age_days: int = Field(default=90, ge=1, le=730)
    # Police partners (IOM / MAPPA): force id -> the PDU codes its area covers, e.g.
    # REFER_MONITOR_POLICE_FORCE_AREAS='{"durham-constabulary": ["N07DUR"]}'. A force not listed hears nothing.
    police_force_areas: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,59}$")],
        list[Annotated[str, StringConstraints(min_length=1, max_length=20)]],
    ] = {}
