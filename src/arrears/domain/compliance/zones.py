"""Where the recipient may be, and local time there: candidate zones and hour windows.

Contact hours are judged at the consumer's location (12 CFR 1006.6(b)(1)(i)). When the
lender cannot tell where that is — an area code in one zone, an address in another — a
time is lawful only if it is convenient in **every** candidate zone (reference rule
us.regf.ambiguous_location: Pacific + Eastern → 11:00–21:00 Eastern). The candidates,
first to last: the zones stored for the person, the address's zone, the zone of the
number being used, then every other phone's zone (its own, else the zones
``phonenumbers`` gives for it). A third party's candidates are their phones'. When
nothing gives a zone, the pack's zone is assumed. The first candidate is the *primary*
zone: the one rules count local days in.

Decisions are made in UTC; local wall times are derived with ``zoneinfo``, so the
spring-forward and fall-back days come out right (a day of 23 or 25 hours).

>>> from datetime import UTC, datetime, time
>>> from arrears.domain.compliance.facts import Address, Channel, Person, Phone, Proposal, Scenario
>>> person = Person("B1", address=Address(zone="America/New_York"),
...                 phones=(Phone("+13105550100"),))
>>> scenario = Scenario(person, Proposal(Channel.CALL, datetime(2025, 6, 2, 13, 0, tzinfo=UTC)))
>>> [c.zone for c in candidate_zones(scenario, "America/Chicago")]
['America/New_York', 'America/Los_Angeles']
>>> hours = Hours(time(8), time(21))
>>> zones = [zone_info(c.zone) for c in candidate_zones(scenario, "America/Chicago")]
>>> next_open_everywhere(scenario.proposal.at, zones, hours)  # 09:00 ET → 11:00 ET
datetime.datetime(2025, 6, 2, 15, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as phone_timezones

from arrears.domain.compliance.facts import Person, Phone, Scenario

# A number that ``phonenumbers`` places in more zones than this (a toll-free or
# non-geographic number: +1 800 gives 42 zones from Guam to Newfoundland) says nothing
# about where the person is; its zones would make every hour unlawful, so it is skipped.
MOST_ZONES_OF_A_NUMBER = 4

# How far ahead a next lawful moment is searched: candidate zones whose windows never
# overlap have none, and the block is lasting. (Two 13-hour windows always share an hour
# somewhere on the clock; short agreed windows, 09:00–12:00 in Eastern and Pacific, do not.)
SEARCH_HORIZON = timedelta(days=8)


class Candidate(NamedTuple):
    """A zone the recipient may be in, and what says so (for the reason shown)."""

    zone: str
    source: str
    info: ZoneInfo


@lru_cache(maxsize=512)
def zone_info(key: str) -> ZoneInfo:
    return ZoneInfo(key)


# Zones per number: placing a number costs tens of microseconds (phonenumbers types it
# against its country's patterns), more than deciding; the store keeps what was placed
# (``remember_number_zones``), so each number is placed once, not once a day.
_NUMBER_ZONES: dict[str, tuple[str, ...]] = {}
_MOST_REMEMBERED = 2_000_000


def number_zones(number: str) -> tuple[str, ...]:
    """The zones ``phonenumbers`` gives for a number; () when it cannot place it.

    >>> number_zones("+13105550100"), number_zones("+447700900123"), number_zones("x")
    (('America/Los_Angeles',), (), ())
    """
    found = _NUMBER_ZONES.get(number)
    if found is None:
        found = place_number(number)
        remember_number_zones({number: found})
    return found


def remember_number_zones(placed: dict[str, tuple[str, ...]]) -> None:
    """Numbers already placed (by ``place_number``, e.g. read back from the store)."""
    if len(_NUMBER_ZONES) + len(placed) > _MOST_REMEMBERED:
        _NUMBER_ZONES.clear()
    _NUMBER_ZONES.update(placed)


def forget_number_zones() -> None:
    """Drop what this process placed (a new process starts so; benchmarks use it)."""
    _NUMBER_ZONES.clear()


def unplaced(numbers: set[str]) -> set[str]:
    """The numbers not placed yet in this process."""
    return {number for number in numbers if number not in _NUMBER_ZONES}


def place_number(number: str) -> tuple[str, ...]:
    """Where ``phonenumbers`` places a number: its zones, () if it cannot."""
    parsed = _from_e164(number)
    if parsed is None:
        try:
            parsed = phonenumbers.parse(number)
        except phonenumbers.NumberParseException:
            return ()
    found = tuple(z for z in phone_timezones.time_zones_for_number(parsed) if z != "Etc/Unknown")
    return found if len(found) <= MOST_ZONES_OF_A_NUMBER else ()


def _from_e164(number: str) -> phonenumbers.PhoneNumber | None:
    """A plain E.164 number without ``phonenumbers.parse`` (its general parser costs more
    than the rest of a decision): country codes are prefix-free, so the first 1–3 digits
    that name a country are its code. A national number with a leading zero (Italy) or
    one starting with what the country's trunk or carrier prefix could be, and anything
    not plain ``+digits``, go to the general parser.

    >>> _from_e164("+8613812345678").country_code, _from_e164("+390612345678")
    (86, None)
    """
    digits = number[1:]
    if not number.startswith("+") or not digits.isdigit() or not 8 <= len(digits) <= 15:
        return None
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = digits[size:]
            prefix = _national_prefix(code)
            if national.startswith("0") or (prefix is not None and prefix.match(national)):
                return None  # the general parser strips a national or carrier prefix
            return phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    return None


@lru_cache(maxsize=512)
def _national_prefix(code: int) -> re.Pattern[str] | None:
    """What the country's numbers may start with that the general parser strips (a
    trunk prefix such as NANP's 1, a carrier code)."""
    region = phonenumbers.region_code_for_country_code(code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    pattern = metadata.national_prefix_for_parsing if metadata is not None else None
    return re.compile(pattern) if pattern else None


# The last answer, kept with the person it was for: the checks of one decision ask for
# the same person's zones several times, and hashing their phones each time would cost
# more than the checks. Holding the person keeps ``is`` reliable; a tuple is swapped
# atomically, so concurrent deciders at worst recompute.
_last: tuple[object, str | None, str | None, str, tuple[Candidate, ...]] = (
    None, None, None, "", ()
)  # fmt: skip


def candidate_zones(scenario: Scenario, default_zone: str) -> tuple[Candidate, ...]:
    """Every zone the proposal's recipient may be in, the primary first; never empty."""
    global _last
    person, proposal = scenario.person, scenario.proposal
    last = _last
    if (
        last[0] is person
        and last[1] == proposal.party
        and last[2] == proposal.to
        and last[3] == default_zone
    ):
        return last[4]
    if is_debtor(proposal.party, person):
        address = person.address
        address_zone = address.zone if address is not None else None
        found = _candidates(person.zones, address_zone, person.phones, proposal.to, default_zone)
    else:
        third = next((t for t in person.third_parties if t.id == proposal.party), None)
        phones = third.phones if third is not None else ()
        found = _candidates((), None, phones, proposal.to, default_zone)
    _last = (person, proposal.party, proposal.to, default_zone, found)
    return found


def primary_zone(scenario: Scenario, default_zone: str) -> ZoneInfo:
    """The zone local days are counted in (the first candidate)."""
    return candidate_zones(scenario, default_zone)[0].info


def is_debtor(party: str | None, person: Person) -> bool:
    """A contact's ``party`` names the debtor when it is None or the person's own id."""
    return party is None or party == person.id


@lru_cache(maxsize=65_536)
def _candidates(
    zones: tuple[str, ...],
    address_zone: str | None,
    phones: tuple[Phone, ...],
    to: str | None,
    default_zone: str,
) -> tuple[Candidate, ...]:
    found: dict[str, str] = {}
    for zone in zones:
        found.setdefault(zone, "stored zone")
    if address_zone:
        found.setdefault(address_zone, "address")
    # The number being used first: if the person's location is unknown, it is the best
    # guess of where the call or text lands.
    dialled = [p for p in phones if p.number == to]
    if to is not None and not dialled and "@" not in to:
        dialled = [Phone(to)]
    for phone in (*dialled, *(p for p in phones if p.number != to)):
        if phone.invalid:  # a wrong or dead number says nothing of where the person is
            continue
        for zone in (phone.zone,) if phone.zone else number_zones(phone.number):
            found.setdefault(zone, f"phone {phone.number}")
    if not found:
        found[default_zone] = "the pack's zone"
    return tuple(Candidate(zone, source, zone_info(zone)) for zone, source in found.items())


# -- local wall times -------------------------------------------------------------------


def at_local(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The first UTC moment at which the wall clock in ``zone`` reads ``wall`` on ``day``
    or later: on a fall-back day the first of the two; on a spring-forward day a wall
    time the clocks skip maps to the moment they jump.

    >>> new_york = zone_info("America/New_York")
    >>> at_local(date(2025, 3, 9), time(2, 30), new_york).isoformat()  # skipped: 03:00 EDT
    '2025-03-09T07:00:00+00:00'
    >>> at_local(date(2025, 11, 2), time(1, 30), new_york).isoformat()  # first 01:30 (EDT)
    '2025-11-02T05:30:00+00:00'
    """
    naive = datetime.combine(day, wall)
    moment = naive.replace(tzinfo=zone).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) == naive:
        return moment
    # In a gap fold=0 maps with the offset before the jump, i.e. past the jump: search
    # back for the first second whose wall time has reached ``naive``.
    low, high = int(moment.timestamp()) - 2 * 86_400, int(moment.timestamp())
    while low < high:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle + 1
    return datetime.fromtimestamp(low, UTC)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return at_local(day, time(0), zone)


@dataclass(frozen=True, slots=True)
class Hours:
    """A daily window of local hours. ``start`` after ``end`` wraps past midnight
    (22:00–08:00); ``start == end`` is the whole day.

    >>> Hours(time(8), time(21)).allows(time(21)), Hours(time(8), time(21), end_inclusive=True).allows(time(21))
    (False, True)
    """

    start: time
    end: time
    start_inclusive: bool = True
    end_inclusive: bool = False

    def allows(self, wall: time) -> bool:
        if self.start == self.end:
            return True
        after_start = wall >= self.start if self.start_inclusive else wall > self.start
        before_end = wall <= self.end if self.end_inclusive else wall < self.end
        if self.start < self.end:
            return after_start and before_end
        return after_start or before_end

    def next_opening(self, local: datetime, zone: ZoneInfo) -> datetime:
        """The first moment after ``local`` (a time the window does not allow) that it
        does. An exclusive start opens a minute after it: schedules work in minutes."""
        # At ``start`` itself only an exclusive start is closed: it opens later that day.
        day = local.date() if local.time() <= self.start else local.date() + timedelta(days=1)
        opening = at_local(day, self.start, zone)
        return opening if self.start_inclusive else opening + timedelta(minutes=1)

    def text(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


def next_open_everywhere(at: datetime, zones: list[ZoneInfo], hours: Hours) -> datetime | None:
    """The first moment from ``at`` that ``hours`` allows in every zone; None if there is
    none within the search horizon (the windows never overlap)."""
    moment, horizon = at, at + SEARCH_HORIZON
    while moment < horizon:
        moved = False
        for zone in zones:
            local = moment.astimezone(zone)
            if not hours.allows(local.time()):
                moment, moved = hours.next_opening(local, zone), True
        if not moved:
            return moment.astimezone(UTC)
    return None
