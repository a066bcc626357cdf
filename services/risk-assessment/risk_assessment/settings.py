from pydantic_settings import SettingsConfigDict

from probation_shared.settings import PlatformSettings


class RiskAssessmentSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="RISK_ASSESSMENT_", extra="ignore")

    service_name: str = "risk-assessment"
    database_url: str = "sqlite+aiosqlite:///./.run/data/risk-assessment.db"
    public_base_url: str = "http://127.0.0.1:8002"
