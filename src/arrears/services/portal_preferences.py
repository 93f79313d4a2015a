"""A borrower's contact preferences, kept in the compliance profile the gate reads: the
channels they prefer, the hours they do not want to be contacted, the channels they
opted out of, and their language.

An opt-out is a right (Reg F 1006.6(e) for electronic messages; GB/T 45251-2025 and the
house pack for the rest): the gate denies the channel from the moment it is saved. Only
the keys the portal owns are changed; anything else in the profile (addresses, consents,
third parties) is kept as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arrears.services import compliance
from arrears.services.errors import InvalidInput, NotFound
from arrears.services.ports import UnitOfWork

CHANNELS = ("sms", "email", "call", "letter")  # what a borrower may choose or refuse
LANGUAGES = ("zh-CN", "en")
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


@dataclass(frozen=True, slots=True)
class ContactPreferences:
    preferred: tuple[str, ...] = ()  # channels, in CHANNELS; empty: no preference
    quiet_from: str | None = None  # "HH:MM" local: no contact from this time …
    quiet_until: str | None = None  # … until this one (may wrap past midnight)
    opted_out: tuple[str, ...] = ()  # channels never to be used for collection
    language: str | None = None


def contact_preferences(
    uow_factory: Callable[[], UnitOfWork], borrower_id: str
) -> ContactPreferences:
    """What the borrower has told us so far (all empty when nothing)."""
    profile = _profile(uow_factory, borrower_id)
    preferences = profile.get("preferences") or {}
    blocked = preferences.get("blocked") or [{}]
    return ContactPreferences(
        preferred=tuple(c for c in preferences.get("channels", ()) if c in CHANNELS),
        quiet_from=blocked[0].get("start"),
        quiet_until=blocked[0].get("end"),
        opted_out=tuple(o["channel"] for o in profile.get("opt_outs", ()) if not o.get("address")),
        language=preferences.get("language") or profile.get("language"),
    )


def save_contact_preferences(
    uow_factory: Callable[[], UnitOfWork],
    borrower_id: str,
    chosen: ContactPreferences,
    now: datetime,
) -> ContactPreferences:
    """Save the borrower's choices into their compliance profile (on the audit log)."""
    _check(chosen)
    profile = _profile(uow_factory, borrower_id)
    preferences = dict(profile.get("preferences") or {})
    preferences["channels"] = list(chosen.preferred)
    preferences["blocked"] = (
        [{"start": chosen.quiet_from, "end": chosen.quiet_until}]
        if chosen.quiet_from and chosen.quiet_until
        else []
    )
    preferences["language"] = chosen.language
    profile["preferences"] = {k: v for k, v in preferences.items() if v not in (None, [])}
    profile["opt_outs"] = _opt_outs(profile.get("opt_outs", []), chosen.opted_out, now)
    compliance.set_profile(uow_factory, borrower_id, profile, now)
    return contact_preferences(uow_factory, borrower_id)


def _profile(uow_factory: Callable[[], UnitOfWork], borrower_id: str) -> dict[str, Any]:
    try:
        return dict(compliance.get_profile(uow_factory, borrower_id))
    except NotFound:
        return {}


def _opt_outs(
    stored: Sequence[dict[str, Any]], chosen: Sequence[str], now: datetime
) -> list[dict[str, Any]]:
    """Keep each still chosen opt-out with its first time (the gate holds from then); add
    new ones as of now; drop those the borrower withdrew. Opt-outs of one number or
    address (an SMS STOP reply) are not the portal's to withdraw: kept."""
    kept = [o for o in stored if o.get("address") or o.get("channel") in chosen]
    have = {o["channel"] for o in kept if not o.get("address")}
    at = now.isoformat().replace("+00:00", "Z")
    return kept + [{"channel": c, "at": at} for c in chosen if c not in have]


def _check(chosen: ContactPreferences) -> None:
    unknown = set(chosen.preferred) | set(chosen.opted_out)
    if unknown - set(CHANNELS):
        named = ", ".join(sorted(unknown - set(CHANNELS)))
        raise InvalidInput(
            f"unknown channels: {named}", code="preferences.unknown_channels", channels=named
        )
    if set(chosen.preferred) & set(chosen.opted_out):
        raise InvalidInput(
            "a channel cannot be both preferred and refused", code="preferences.both_ways"
        )
    if chosen.language is not None and chosen.language not in LANGUAGES:
        raise InvalidInput(
            f"{chosen.language!r} is not a language we write in",
            code="preferences.unknown_language", language=chosen.language,
        )  # fmt: skip
    times = (chosen.quiet_from, chosen.quiet_until)
    if any(times) and not all(t and TIME.fullmatch(t) for t in times):
        raise InvalidInput(
            "quiet hours need both times, as HH:MM", code="preferences.quiet_hours_times"
        )
    if any(times) and chosen.quiet_from == chosen.quiet_until:
        raise InvalidInput(
            "quiet hours cannot start and end at the same time",
            code="preferences.quiet_hours_empty",
        )
