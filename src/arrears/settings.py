"""One typed settings object, read from the environment (``ARREARS_*``) and, when
``ARREARS_CONFIG`` names one, a TOML settings file (the environment wins).

Nested groups take a double underscore in the environment: ``ARREARS_SMS__HOST``, or a
table in the file: ``[sms] host = "…"`` (docs/channels.md).
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_DATABASE_URL = "sqlite:///arrears.db"


class SmsSettings(BaseModel):
    """Where text messages go: ``dry-run`` (kept in the database) or an SMPP 3.4 SMSC."""

    provider: Literal["dry-run", "smpp"] = "dry-run"
    host: str = "127.0.0.1"
    port: int = 2775
    system_id: str = ""
    password: SecretStr = SecretStr("")
    system_type: str = ""
    source_addr: str = "arrears"
    window: int = 64  # submit_sm in flight before waiting for a response
    enquire_link_seconds: float = 30.0
    idempotency_tlv: int = 0x1400  # the vendor TLV that carries the message id
    deduplicates: bool = False  # the SMSC drops a resend with the same message id
    rate_per_second: float = 200.0


class EmailSettings(BaseModel):
    """Where e-mails go: ``dry-run`` (kept in the database) or an SMTP server."""

    provider: Literal["dry-run", "smtp"] = "dry-run"
    host: str = "127.0.0.1"
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = "collections@arrears.invalid"
    rate_per_second: float = 20.0


class DispatchSettings(BaseModel):
    """How the dispatcher paces and retries (services.dispatch.DispatchOptions)."""

    batch_size: int = 200
    lease_seconds: float = 300.0
    max_attempts: int = 6
    backoff_base_seconds: float = 30.0
    backoff_cap_seconds: float = 3600.0
    valid_hours: float = 30.0
    poll_seconds: float = 5.0  # how often a following dispatcher looks for due messages
    # a channel's cap across its providers (messages a second; absent: none), on top of
    # each provider's own ``rate_per_second``
    rate_per_second: dict[str, float] = {}


class WebSettings(BaseModel):
    """The web app (``arrears serve``): where it listens and how it keeps sessions."""

    host: str = "127.0.0.1"
    port: int = 8000
    session_hours: float = 12.0
    # Session cookies carry Secure always, except over plain HTTP to this machine
    # itself (development, the demo); behind a TLS proxy run uvicorn with its
    # forwarded-headers option so the scheme is https.
    allow_insecure_loopback: bool = True
    # which payment provider the portal's "pay" uses: the sandbox posts the payment at once
    payments: Literal["sandbox"] = "sandbox"
    run_dispatcher: bool = True  # `arrears serve` sends due messages alongside the app


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ARREARS_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Asia/Shanghai"  # the portfolio's zone: what "today" means
    # 失联 (lost contact): this many attempts in a row on any channel without reaching anyone
    lost_contact_attempts: int = 10
    # the strategy `arrears init` activates when none is active yet
    default_strategy: str = "cn-consumer"
    # the arrangement policy `arrears init` activates for every product ("*") when none is
    # active yet (docs/arrangement-policy.md)
    arrangement_policy: str = "cn-standard"
    # the policy packs `arrears init` activates for every product when none is active
    compliance_packs: str = "cn,house"
    # who the borrower hears from, in each language, and where they can pay or ask
    lender_name: str = "Arrears Demo Finance"
    lender_name_zh: str = "示例消费金融"
    support_phone: str = "400-800-0000"
    portal_url: str = "http://127.0.0.1:8000/portal"
    # the lender's mailing address, one line each, as letters print it (the defaults are
    # the demo lender's)
    lender_address: list[str] = ["100 Century Avenue, Pudong", "Shanghai 200120, China"]
    lender_address_zh: list[str] = ["上海市浦东新区世纪大道100号", "邮政编码 200120"]
    sms: SmsSettings = SmsSettings()
    email: EmailSettings = EmailSettings()
    dispatch: DispatchSettings = DispatchSettings()
    web: WebSettings = WebSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = [init_settings, env_settings]
        config_file = os.environ.get("ARREARS_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


def load_settings(database_url: str | None = None) -> Settings:
    """Settings from the environment, with an explicit ``--db`` URL taking precedence."""
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings
