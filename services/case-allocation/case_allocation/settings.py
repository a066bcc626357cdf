from pydantic_settings import SettingsConfigDict

from probation_shared.settings import PlatformSettings


class CaseAllocationSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="CASE_ALLOCATION_", extra="ignore")

    service_name: str = "case-allocation"
    database_url: str = "sqlite+aiosqlite:///./.run/data/case-allocation.db"
    public_base_url: str = "http://127.0.0.1:8001"

    # `seed` loads regions, PDUs, teams and staff; with this flag also hundreds of staff and thousands of cases.
    seed_demo_volume: bool = False
    seed_demo_staff_per_team: int = 8
    seed_demo_people: int = 10_000
    # The OMiC handover job runs in the process that runs the workers, this often (it acts once per day).
    handover_job_interval_seconds: float = 3600.0
