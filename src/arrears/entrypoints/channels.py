"""Wiring the outbound channels: the adapters the settings name, the template book, the
letter printer, and the dispatcher that ties them to the store and the gate.

Out of the box SMS and e-mail go to dry-run adapters (the rendered words stay in the
database); ``[sms] provider = "smpp"`` and ``[email] provider = "smtp"`` (or
``ARREARS_SMS__PROVIDER`` …) send for real (docs/channels.md).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import lru_cache, partial
from typing import Any

from arrears.adapters.channels.dry_run import DryRunAdapter
from arrears.adapters.letters import render_letter
from arrears.adapters.templates import TemplateBook
from arrears.domain.letters import LetterKind
from arrears.domain.message_text import Sender
from arrears.domain.messages import ChannelAdapter
from arrears.domain.money import Money
from arrears.entrypoints.bootstrap import App
from arrears.services.arrangement_effects import Effects
from arrears.services.compliance_gate import ComplianceGate
from arrears.services.composing import TemplateComposer
from arrears.services.dispatch import Dispatcher, DispatchOptions
from arrears.services.letters import NoPostalAddress, Render, print_letter
from arrears.services.ports import ArrangementRecord, UnitOfWork
from arrears.settings import Settings


def sender_of(settings: Settings) -> Sender:
    return Sender(
        settings.lender_name, settings.lender_name_zh, settings.support_phone, settings.portal_url
    )


def return_addresses(settings: Settings) -> dict[str, tuple[str, ...]]:
    """The lender's mailing address per language, as letters print it."""
    return {"en": tuple(settings.lender_address), "zh-CN": tuple(settings.lender_address_zh)}


@lru_cache(maxsize=1)
def template_book() -> TemplateBook:
    """The shipped templates, loaded and checked once per process."""
    return TemplateBook.load()


def channel_adapters(settings: Settings) -> dict[str, ChannelAdapter]:
    """The SMS and e-mail adapters the settings name."""
    adapters: dict[str, ChannelAdapter] = {}
    sms, email = settings.sms, settings.email
    if sms.provider == "smpp":
        from arrears.adapters.channels.smpp import SmppAdapter

        adapters["sms"] = SmppAdapter(
            sms.host, sms.port, system_id=sms.system_id,
            password=sms.password.get_secret_value(), system_type=sms.system_type,
            source_addr=sms.source_addr, window=sms.window,
            enquire_link_seconds=sms.enquire_link_seconds, idempotency_tlv=sms.idempotency_tlv,
            deduplicates=sms.deduplicates,
        )  # fmt: skip
    else:
        adapters["sms"] = DryRunAdapter("sms")
    if email.provider == "smtp":
        from arrears.adapters.channels.smtp import SmtpAdapter

        adapters["email"] = SmtpAdapter(
            email.host, email.port, sender=email.sender, security=email.security,
            username=email.username or None,
            password=email.password.get_secret_value() if email.password else None,
            sender_name={"zh-CN": settings.lender_name_zh, "en": settings.lender_name},
        )  # fmt: skip
    else:
        adapters["email"] = DryRunAdapter("email")
    return adapters


def letter_printer(
    sender: Sender, addresses: dict[str, tuple[str, ...]], render: Render = render_letter
) -> Callable[[UnitOfWork, dict[str, Any], datetime], int]:
    def print_one(uow: UnitOfWork, claimed: dict[str, Any], now: datetime) -> int:
        return print_letter(
            uow, message_id=claimed["message_id"], loan_id=claimed["loan_id"],
            kind=claimed["template"], language=claimed["language"], as_of=claimed["as_of"],
            now=now, sender=sender, render=render, return_addresses=addresses,
        )  # fmt: skip

    return print_one


def arrangement_effects(settings: Settings, render: Render = render_letter) -> Effects:
    """Arrangements as the CLI and the web app make them: confirmed by letter (plans,
    settlements, re-ages), holds ending at midnight of the portfolio's zone."""
    sender, addresses = sender_of(settings), return_addresses(settings)

    def confirm(
        uow: UnitOfWork,
        record: ArrangementRecord,
        plan: Sequence[tuple[date, Money]],
        day: date,
        now: datetime,
    ) -> int | None:
        try:
            return print_letter(
                uow, message_id=f"arrangement:{record.arrangement_id}", loan_id=record.loan_id,
                kind=LetterKind.PLAN_CONFIRMATION.value, language=None, as_of=day, now=now,
                sender=sender, render=render, return_addresses=addresses, plan=plan,
            )  # fmt: skip
        except NoPostalAddress:
            return None  # nowhere to mail it: the desk and the portal show the plan

    return Effects(confirm=confirm, zone=settings.timezone)


def _provider_rates(settings: Settings, adapters: dict[str, ChannelAdapter]) -> dict[str, float]:
    """Each configured provider's own rate limit, keyed by the adapter's provider name. A
    dry run reaches no provider, so no provider's contract paces it (a channel's cap,
    ``dispatch.rate_per_second``, still does)."""
    rates = {"sms": settings.sms.rate_per_second, "email": settings.email.rate_per_second}
    return {
        a.provider: rates[channel]
        for channel, a in adapters.items()
        if channel in rates and not isinstance(a, DryRunAdapter)
    }


def build_dispatcher(
    app: App,
    *,
    channels: Sequence[str] | None = None,
    adapters: dict[str, ChannelAdapter] | None = None,
    clock: Callable[[], datetime] | None = None,
    seed: int | None = None,
    render: Render = render_letter,
) -> Dispatcher:
    """The dispatcher of ``app``'s settings (``adapters`` replace the configured ones;
    ``render`` lays letters out: PDF, or plain text for a dry run)."""
    settings = app.settings
    sender = sender_of(settings)
    chosen = adapters if adapters is not None else channel_adapters(settings)
    wanted = set(channels) if channels else {"sms", "email", "letter"}
    d = settings.dispatch
    options = DispatchOptions(
        batch_size=d.batch_size, lease_seconds=d.lease_seconds, max_attempts=d.max_attempts,
        backoff_base_seconds=d.backoff_base_seconds, backoff_cap_seconds=d.backoff_cap_seconds,
        valid_hours=d.valid_hours,
        rate_per_second={**d.rate_per_second, **_provider_rates(settings, chosen)},
    )  # fmt: skip
    extra: dict[str, Any] = {"clock": clock} if clock is not None else {}
    return Dispatcher(
        app.uow_factory,
        {channel: a for channel, a in chosen.items() if channel in wanted},
        TemplateComposer(template_book(), sender),
        partial(ComplianceGate.of, lender_names=(sender.lender_name, sender.lender_name_zh)),
        letters=(
            letter_printer(sender, return_addresses(settings), render)
            if "letter" in wanted
            else None
        ),
        options=options,
        rng=random.Random(seed),
        **extra,
    )
