"""Time checks: contact hours in every zone the recipient may be in, and the consumer's
own inconvenient hours. (Places: ``checks_place``; house blackouts: ``checks_blackout``.)

Rules served (reference ids):

- ``contact_hours`` — us.regf.inconvenient_time (08:00 ≤ local < 21:00, 1006.6(b)(1)(i)),
  cn.contact_hours (08:00–22:00), uk.conc.contact_times (08:00–21:00 house default plus
  the consumer's requests, CONC 7.9.4). A consent with scope ``hours`` replaces the
  window by the agreed one, or lifts it when none is given (1006.6(b)(4); cn "unless
  the debtor agreed another time").
- ``ambiguous_location`` — us.regf.ambiguous_location: the time suits the primary zone
  but not another candidate zone. Run after ``contact_hours`` on the primary zone, so
  each block names the rule that explains it.
- ``designated_hours`` — the hours the consumer named as inconvenient, for
  us.regf.designated_inconvenient (``checks_place``) and uk.conc.contact_times
  (``honour_preferences``).

Letters are not judged by the hour: mail is not received at a time.

>>> from datetime import UTC, datetime
>>> from arrears.domain.compliance.facts import Channel, Person, Proposal, Scenario
>>> night = Proposal(Channel.SMS, datetime(2025, 6, 3, 4, 30, tzinfo=UTC))  # 21:30 in LA
>>> scenario = Scenario(Person("B1", zones=("America/Los_Angeles",)), night)
>>> block = contact_hours(scenario, ContactHoursParams())
>>> block.reason
'it would be 21:30 on Mon 2025-06-02 in America/Los_Angeles (stored zone); sms contact is allowed 08:00–21:00 local time'
>>> block.until.isoformat()  # 08:00 PDT the next morning
'2025-06-03T15:00:00+00:00'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from arrears.domain.compliance.facts import (
    BlockedWindow,
    Channel,
    Consent,
    Direction,
    Person,
    Scenario,
)
from arrears.domain.compliance.rules import Block, Check, Phase
from arrears.domain.compliance.zones import (
    SEARCH_HORIZON,
    Candidate,
    Hours,
    at_local,
    candidate_zones,
    is_debtor,
    next_open_everywhere,
)

# Every channel received at a time of day: letters are not (their day of posting is).
TIMED_CHANNELS = (
    Channel.CALL,
    Channel.VOICEMAIL,
    Channel.SMS,
    Channel.EMAIL,
    Channel.FIELD_VISIT,
)
VOICE = frozenset({Channel.CALL, Channel.VOICEMAIL})


def same_medium(a: Channel, b: Channel) -> bool:
    """A voicemail is left on a call: both are the telephone medium."""
    return a == b or (a in VOICE and b in VOICE)


def consent_for(
    person: Person, scopes: Sequence[str], channel: Channel, at: datetime
) -> Consent | None:
    """The latest consent of one of ``scopes`` in force at ``at`` for ``channel``; consent
    got in a non-compliant contact does not count (1006.6(b)(4))."""
    found = None
    for consent in person.consents:
        if (
            consent.scope in scopes
            and consent.in_compliant_contact
            and consent.start <= at
            and (consent.end is None or at < consent.end)
            and (consent.channel is None or same_medium(consent.channel, channel))
            and (found is None or consent.start > found.start)
        ):
            found = consent
    return found


class ZoneScope(StrEnum):
    """Which candidate zones ``contact_hours`` judges: all, or only the primary one (when
    ``ambiguous_location`` names the others)."""

    ALL = "all"
    PRIMARY = "primary"


@dataclass(frozen=True, slots=True)
class HoursParams(Hours):
    """The pack's hours (themselves an ``Hours``, so no window is built per decision)."""

    start: time = time(8, 0)
    end: time = time(21, 0)
    start_inclusive: bool = True
    end_inclusive: bool = False  # 1006.6(b)(1)(i): "after 9 p.m." — 21:00 itself is late
    channels: tuple[Channel, ...] = TIMED_CHANNELS
    default_zone: str = "UTC"


@dataclass(frozen=True, slots=True)
class ContactHoursParams(HoursParams):
    zones: ZoneScope = ZoneScope.ALL
    honour_preferences: bool = False  # also block the consumer's own inconvenient hours


def _agreed_hours(scenario: Scenario, params: HoursParams) -> Hours | None:
    """The hours that bind this proposal: the pack's, or those the debtor agreed to;
    None when the debtor's consent lifts the limit altogether."""
    proposal = scenario.proposal
    if not scenario.person.consents or not is_debtor(proposal.party, scenario.person):
        return params
    consent = consent_for(scenario.person, ("hours",), proposal.channel, proposal.at)
    if consent is None:
        return params
    if consent.window is None:
        return None
    start, end = consent.window
    return Hours(start, end)


def _outside(at: datetime, candidate: Candidate, hours: Hours, channel: Channel) -> str | None:
    local = at.astimezone(candidate.info)
    if hours.allows(local.time()):
        return None
    return (
        f"it would be {local:%H:%M} on {local:%a %Y-%m-%d} in {candidate.zone} "
        f"({candidate.source}); {channel.value} contact is allowed {hours.text()} local time"
    )


def _zones(candidates: Sequence[Candidate]) -> list[ZoneInfo]:
    return [c.info for c in candidates]


def contact_hours(scenario: Scenario, params: ContactHoursParams) -> Block | None:
    """Block a contact outside the allowed local hours in a candidate zone; ``until`` is
    the next moment allowed in every zone judged."""
    proposal = scenario.proposal
    if proposal.channel not in params.channels:
        return None
    hours = _agreed_hours(scenario, params)
    if hours is not None:
        candidates = candidate_zones(scenario, params.default_zone)
        if params.zones is ZoneScope.PRIMARY:
            candidates = candidates[:1]
        for candidate in candidates:
            reason = _outside(proposal.at, candidate, hours, proposal.channel)
            if reason is not None:
                until = next_open_everywhere(proposal.at, _zones(candidates), hours)
                if until is None:
                    reason += "; no time suits every candidate zone"
                return Block(reason, until)
    if params.honour_preferences:
        return designated_hours(scenario, params.default_zone)
    return None


def ambiguous_location(scenario: Scenario, params: HoursParams) -> Block | None:
    """Block a time that suits the primary zone but not another candidate zone
    (us.regf.ambiguous_location); the primary zone's own failure is ``contact_hours``'."""
    proposal = scenario.proposal
    if proposal.channel not in params.channels:
        return None
    candidates = candidate_zones(scenario, params.default_zone)
    if len(candidates) < 2:
        return None
    hours = _agreed_hours(scenario, params)
    if hours is None or _outside(proposal.at, candidates[0], hours, proposal.channel):
        return None
    for candidate in candidates[1:]:
        reason = _outside(proposal.at, candidate, hours, proposal.channel)
        if reason is not None:
            zones = ", ".join(c.zone for c in candidates)
            until = next_open_everywhere(proposal.at, _zones(candidates), hours)
            tail = "" if until else "; no time suits every candidate zone"
            return Block(f"the consumer may be in {zones}: {reason}{tail}", until)
    return None


# -- the consumer's own inconvenient hours (us.regf.designated_inconvenient) ----------


def _in_window(window: BlockedWindow, wall: time) -> bool:
    if window.start == window.end:
        return True
    if window.start < window.end:
        return window.start <= wall < window.end
    return wall >= window.start or wall < window.end


def _window_end(window: BlockedWindow, local: datetime, zone: ZoneInfo) -> datetime:
    day = local.date()
    if window.start == window.end or (window.start > window.end and local.time() >= window.start):
        day += timedelta(days=1)
    return at_local(day, window.end, zone)


def _window_binds(window: BlockedWindow, local: datetime, person: Person, channel: Channel) -> bool:
    """The window was named by then, covers this weekday and wall time, and no later
    ``hours`` consent lifts it (1006.6(b)(4))."""
    if window.since is not None and local < window.since:
        return False
    if window.weekdays and local.weekday() not in window.weekdays:
        return False
    if not _in_window(window, local.time()):
        return False
    consent = consent_for(person, ("hours",), channel, local) if person.consents else None
    if consent is None or (window.since is not None and consent.start < window.since):
        return True
    return consent.window is not None and not Hours(*consent.window).allows(local.time())


def _hit(
    at: datetime, zones: Sequence[ZoneInfo], windows: Sequence[BlockedWindow], scenario: Scenario
) -> tuple[BlockedWindow, ZoneInfo, datetime] | None:
    channel = scenario.proposal.channel
    for zone in zones:
        local = at.astimezone(zone)
        for window in windows:
            if _window_binds(window, local, scenario.person, channel):
                return window, zone, local
    return None


def _replies_once(scenario: Scenario, started_in_window: Callable[[datetime], bool]) -> bool:
    """The proposal is the one reply, in the same medium, to a contact the consumer
    started in an inconvenient window (1006.6(b)(1) commentary)."""
    person, proposal = scenario.person, scenario.proposal
    inbound = [
        c
        for c in scenario.history
        if c.direction is Direction.INBOUND
        and is_debtor(c.party, person)
        and same_medium(c.channel, proposal.channel)
        and c.at <= proposal.at
    ]
    if not inbound:
        return False
    last = max(inbound, key=lambda c: c.at)
    if not started_in_window(last.at):
        return False
    return not any(
        c.direction is Direction.OUTBOUND
        and is_debtor(c.party, person)
        and same_medium(c.channel, proposal.channel)
        and last.at < c.at <= proposal.at
        for c in scenario.history
    )


def designated_hours(scenario: Scenario, default_zone: str) -> Block | None:
    """Block a contact in hours the consumer named as inconvenient, in any candidate zone;
    ``until`` is the first moment outside every such window."""
    person, proposal = scenario.person, scenario.proposal
    if proposal.channel not in TIMED_CHANNELS or not is_debtor(proposal.party, person):
        return None
    windows = [
        w
        for w in person.preferences.blocked
        if w.channel is None or same_medium(w.channel, proposal.channel)
    ]
    if not windows:
        return None
    zones = _zones(candidate_zones(scenario, default_zone))
    hit = _hit(proposal.at, zones, windows, scenario)
    if hit is None:
        return None
    if _replies_once(scenario, lambda at: _hit(at, zones, windows, scenario) is not None):
        return None
    window, zone, local = hit
    named = f" on {window.since.date().isoformat()}" if window.since else ""
    reason = (
        f"the consumer named {window.start:%H:%M}–{window.end:%H:%M} as inconvenient{named}; "
        f"it would be {local:%H:%M} on {local:%a %Y-%m-%d} in {zone.key}"
    )
    return Block(reason, _after_windows(proposal.at, zones, windows, scenario))


def _after_windows(
    at: datetime, zones: Sequence[ZoneInfo], windows: Sequence[BlockedWindow], scenario: Scenario
) -> datetime | None:
    moment, horizon = at, at + SEARCH_HORIZON
    while moment < horizon:
        hit = _hit(moment, zones, windows, scenario)
        if hit is None:
            return moment
        window, zone, local = hit
        moment = _window_end(window, local, zone)
    return None


CHECKS = (
    Check(
        "contact_hours",
        Phase.TIME,
        ContactHoursParams,
        contact_hours,
        "contact only within local hours, in every candidate zone of the recipient",
    ),
    Check(
        "ambiguous_location",
        Phase.TIME,
        HoursParams,
        ambiguous_location,
        "a time must suit every zone the consumer may be in, not only the primary one",
    ),
)
