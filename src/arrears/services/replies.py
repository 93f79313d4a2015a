"""Borrowers' replies to our texts (an SMSC's mobile-originated ``deliver_sm``): kept as
inbound messages of the borrower's compliance profile, where the gate reads them — a
"STOP" or "退订" stops that medium at once (house.medium_optout, us.regf.inbound_optout_words),
for every message still waiting in the outbox too, since the gate judges each again at
sending. A reply from a number no borrower holds is counted and otherwise ignored.

The opt-out statistics count, per day and channel, the borrowers whose profile holds an
opt-out (recorded by an agent, or a reply the opt-out words recognise) from that day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from arrears.domain.compliance.facts import Channel
from arrears.domain.compliance.replies import optout_words, refused_channels
from arrears.services.ports import UnitOfWork


def record_replies(
    uow_factory: Callable[[], UnitOfWork],
    replies: Sequence[tuple[str, str, datetime]],
    now: datetime,
    channel: str = "sms",
) -> tuple[int, int]:
    """Add each (from number, text, at) to its borrower's profile; returns (recorded,
    from unknown numbers)."""
    if not replies:
        return 0, 0
    recorded = unknown = 0
    with uow_factory() as uow:
        owners = uow.outbox.borrowers_by_phone(sorted({number for number, _, _ in replies}))
        for number, text, at in replies:
            borrower_id = owners.get(number)
            if borrower_id is None:
                unknown += 1
                continue
            profile = uow.compliance.profile(borrower_id) or {}
            inbound = list(profile.get("inbound_messages", []))
            inbound.append({"channel": channel, "at": at.isoformat(), "text": text,
                            "address": number})  # fmt: skip
            uow.compliance.save_profile(borrower_id, {**profile, "inbound_messages": inbound}, now)
            recorded += 1
        uow.commit()
    return recorded, unknown


def opt_outs_by_day(
    uow_factory: Callable[[], UnitOfWork], zone: tzinfo, first: date | None, last: date | None
) -> Counter[tuple[date, str]]:
    """(day in ``zone``, channel) → borrowers who opted out of the channel that day."""
    with uow_factory() as uow:
        profiles = uow.outbox.profiles_with_opt_outs()
    counted: Counter[tuple[date, str]] = Counter()
    for profile in profiles:
        for day, channel in sorted(_opt_outs(profile, zone)):
            if (first is None or day >= first) and (last is None or day <= last):
                counted[(day, channel)] += 1
    return counted


def _opt_outs(profile: dict[str, Any], zone: tzinfo) -> set[tuple[date, str]]:
    """The first day each channel was refused, by an opt-out or a reply."""
    found: dict[str, date] = {}

    def note(channel: str, at: str) -> None:
        day = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(zone).date()
        found[channel] = min(found.get(channel, day), day)

    for opt_out in profile.get("opt_outs", []):
        note(str(opt_out["channel"]), str(opt_out["at"]))
    for reply in profile.get("inbound_messages", []):
        scopes = optout_words(str(reply.get("text", "")))
        if scopes is not None:
            for channel in refused_channels(scopes, Channel(reply.get("channel", "sms"))):
                note(channel.value, str(reply["at"]))
    return {(day, channel) for channel, day in found.items()}
