"""One typed settings object, read from the environment (``ARREARS_*``)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///arrears.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ARREARS_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Asia/Shanghai"  # the portfolio's zone: what "today" means
    # 失联 (lost contact): this many attempts in a row on any channel without reaching anyone
    lost_contact_attempts: int = 10
    # the strategy `arrears init` activates when none is active yet
    default_strategy: str = "cn-consumer"
    # the policy packs `arrears init` activates for every product when none is active
    compliance_packs: str = "cn,house"
    # who the borrower hears from, in each language, and where they can pay or ask
    lender_name: str = "Arrears Demo Finance"
    lender_name_zh: str = "示例消费金融"
    support_phone: str = "400-800-0000"
    portal_url: str = "http://127.0.0.1:8000/portal"


def load_settings(database_url: str | None = None) -> Settings:
    """Settings from the environment, with an explicit ``--db`` URL taking precedence."""
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings
