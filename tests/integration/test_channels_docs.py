"""docs/channels.md: the settings file of the worked example configures what it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from arrears.adapters.channels.smpp import SmppAdapter
from arrears.adapters.channels.smtp import SmtpAdapter
from arrears.entrypoints.channels import channel_adapters
from arrears.settings import load_settings

PAGE = Path(__file__).resolve().parents[2] / "docs" / "channels.md"


def test_the_pages_settings_file_configures_smpp_and_smtp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (block,) = re.findall(r"```toml\n(.*?)```", PAGE.read_text("utf-8"), re.S)
    config = tmp_path / "arrears.toml"
    config.write_text(block, "utf-8")
    monkeypatch.setenv("ARREARS_CONFIG", str(config))
    monkeypatch.setenv("ARREARS_EMAIL__PORT", "2525")  # the environment wins over the file

    settings = load_settings()

    assert (settings.sms.provider, settings.sms.host, settings.sms.port) == (
        "smpp", "smsc.carrier.example", 2775,
    )  # fmt: skip
    assert settings.sms.password.get_secret_value() == "change-me"
    assert "change-me" not in repr(settings)  # secrets are not printed
    assert (settings.sms.deduplicates, settings.sms.rate_per_second) == (True, 300.0)
    assert (settings.email.provider, settings.email.port, settings.email.security) == (
        "smtp", 2525, "starttls",
    )  # fmt: skip
    assert settings.lender_name_zh == "示例消费金融"
    assert (settings.dispatch.batch_size, settings.dispatch.valid_hours) == (200, 30.0)
    adapters = channel_adapters(settings)  # made, not connected
    assert isinstance(adapters["sms"], SmppAdapter)
    assert isinstance(adapters["email"], SmtpAdapter)
    assert adapters["sms"].provider == "smpp:smsc.carrier.example:2775"
    assert adapters["sms"].honours_idempotency_key
    for adapter in adapters.values():
        adapter.close()


def test_without_settings_nothing_leaves_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARREARS_CONFIG", raising=False)
    adapters = channel_adapters(load_settings())
    assert {a.provider for a in adapters.values()} == {"dry-run:sms", "dry-run:email"}
