"""House blackouts: no contact on some weekdays (e.g. no calls on Sundays) or on public
holidays (the ``holidays`` package), judged on the local date in every candidate zone.

Neither is law in the packs' regimes; a lender adds them to its house pack. A blocked
day lifts at the next local midnight clear in every zone.

>>> from datetime import UTC, datetime
>>> from arrears.domain.compliance.facts import Address, Channel, Person, Proposal, Scenario
>>> person = Person("B1", address=Address(country="CN", zone="Asia/Shanghai"))
>>> visit = Proposal(Channel.FIELD_VISIT, datetime(2025, 10, 1, 2, tzinfo=UTC))  # 10:00 local
>>> block = holiday_blackout(Scenario(person, visit), HolidayParams())
>>> block.reason, block.until.isoformat()  # National Day: 10-01 … 10-03; 10-04 is free
('Wed 2025-10-01 in Asia/Shanghai is a public holiday (National Day)', '2025-10-03T16:00:00+00:00')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

from arrears.domain.compliance.checks_time import TIMED_CHANNELS
from arrears.domain.compliance.facts import Channel, Proposal, Scenario
from arrears.domain.compliance.rules import Block, Check, Phase
from arrears.domain.compliance.zones import (
    SEARCH_HORIZON,
    candidate_zones,
    start_of_day,
)


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """0 for Monday, as ``date.weekday()``."""
        return _WEEKDAY_NUMBERS[self]


_WEEKDAY_NUMBERS = {day: number for number, day in enumerate(Weekday)}


@dataclass(frozen=True, slots=True)
class WeekdayParams:
    weekdays: tuple[Weekday, ...] = (Weekday.SUNDAY,)
    channels: tuple[Channel, ...] = (Channel.CALL, Channel.VOICEMAIL, Channel.FIELD_VISIT)
    default_zone: str = "UTC"


@dataclass(frozen=True, slots=True)
class HolidayParams:
    country: str = ""  # ISO 3166 alpha-2; empty: the country of the person's address
    subdivisions: tuple[str, ...] = ()  # e.g. US states, whose own holidays count too
    channels: tuple[Channel, ...] = TIMED_CHANNELS
    default_zone: str = "UTC"


def _day_blackout(
    scenario: Scenario, default_zone: str, why_not: Callable[[date], str | None]
) -> tuple[str, datetime | None] | None:
    """The reason a local day in some candidate zone is blacked out, and the start of the
    first day clear in every zone (None past the search horizon)."""
    at = scenario.proposal.at
    zones = [c.info for c in candidate_zones(scenario, default_zone)]
    reason = None
    for zone in zones:
        day = at.astimezone(zone).date()
        why = why_not(day)
        if why is not None:
            reason = f"{day:%a %Y-%m-%d} in {zone.key} is {why}"
            break
    if reason is None:
        return None
    moment, horizon = at, at + SEARCH_HORIZON + timedelta(days=30)
    while moment < horizon:
        blocked = [(z, d) for z in zones if why_not(d := moment.astimezone(z).date()) is not None]
        if not blocked:
            return reason, moment
        zone, day = blocked[0]
        moment = start_of_day(day + timedelta(days=1), zone)
    return reason, None


@lru_cache(maxsize=64)
def _numbers(weekdays: tuple[Weekday, ...]) -> frozenset[int]:
    return frozenset(w.number for w in weekdays)


def weekday_blackout(scenario: Scenario, params: WeekdayParams) -> Block | None:
    """House: no contact on some weekdays (e.g. no calls on Sundays), in every zone."""
    proposal = scenario.proposal
    if proposal.channel not in params.channels or not params.weekdays:
        return None
    numbers = _numbers(params.weekdays)
    candidates = candidate_zones(scenario, params.default_zone)
    if not any(proposal.at.astimezone(c.info).weekday() in numbers for c in candidates):
        return None

    def why_not(day: date) -> str | None:
        return "a day without contact" if day.weekday() in numbers else None

    found = _day_blackout(scenario, params.default_zone, why_not)
    return Block(found[0], found[1]) if found else None


@lru_cache(maxsize=64)
def _calendar(country: str, subdivision: str | None) -> holidays.HolidayBase | None:
    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:  # a country or subdivision the package does not know
        return None


@lru_cache(maxsize=65_536)
def holiday_name(country: str, subdivisions: tuple[str, ...], day: date) -> str | None:
    """The public holiday on ``day`` in the country or one of its subdivisions.

    >>> holiday_name("CN", (), date(2025, 10, 1)), holiday_name("US", ("MA",), date(2025, 4, 21))
    ('National Day', "Patriots' Day")
    """
    for subdivision in (None, *subdivisions):
        calendar = _calendar(country.upper(), subdivision)
        name = calendar.get(day) if calendar is not None else None
        if name:
            return str(name)
    return None


def holiday_blackout(scenario: Scenario, params: HolidayParams) -> Block | None:
    """House: no contact on public holidays of the pack's (or the address's) country."""
    proposal: Proposal = scenario.proposal
    if proposal.channel not in params.channels:
        return None
    address = scenario.person.address
    country = params.country or (address.country if address and address.country else "")
    if not country:
        return None

    def why_not(day: date) -> str | None:
        name = holiday_name(country, params.subdivisions, day)
        return f"a public holiday ({name})" if name else None

    found = _day_blackout(scenario, params.default_zone, why_not)
    return Block(found[0], found[1]) if found else None


CHECKS = (
    Check(
        "weekday_blackout",
        Phase.TIME,
        WeekdayParams,
        weekday_blackout,
        "no contact on the listed weekdays (local)",
    ),
    Check(
        "holiday_blackout",
        Phase.TIME,
        HolidayParams,
        holiday_blackout,
        "no contact on public holidays (the holidays package)",
    ),
)
