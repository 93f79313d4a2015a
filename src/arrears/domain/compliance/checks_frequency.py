"""US call frequency: how often a consumer may be called about a debt (Regulation F) and
a residential line with prerecorded calls (TCPA), counted from the contact history in
local days of the recipient's primary zone.

Rules served (reference ids):

- ``call_frequency`` — us.regf.call_frequency_7in7 (1006.14(b)(2)(i)(A)): per (person,
  debt), over all the person's numbers, in every 7 consecutive local days holding the
  proposed day; the 8th placed call is blocked. Counted: every placed outbound call,
  unanswered and voicemail included. Not counted (1006.14(b)(3)): calls that never
  connected (``not_connected``), calls made with direct prior consent given within 7
  days, calls to the consumer's attorney. A call about several debts counts toward each;
  a call naming no debt concerns them all.
- ``post_conversation_quiet`` — us.regf.post_conversation_7day (1006.14(b)(2)(i)(B)):
  after a telephone conversation about a debt, inbound ones too, no call about it for 7
  days; the conversation day is day 1, the next call on day 8. A voicemail is not one.
- ``prerecorded_residential`` — us.tcpa.residential_prerecorded: prerecorded or
  artificial (AI) voice calls to a residential line, 3 per 30 days without consent.

>>> from datetime import UTC, datetime, timedelta
>>> from arrears.domain.compliance.facts import Channel, Contact, Outcome, Person, Proposal, Scenario
>>> first = datetime(2025, 3, 3, 16, tzinfo=UTC)  # 10:00 in Chicago
>>> calls = tuple(Contact(Channel.CALL, first + timedelta(days=d), Outcome.NO_ANSWER) for d in range(7))
>>> proposal = Proposal(Channel.CALL, datetime(2025, 3, 9, 20, tzinfo=UTC))
>>> scenario = Scenario(Person("B1", zones=("America/Chicago",)), proposal, history=calls)
>>> block = call_frequency(scenario, CallFrequencyParams())
>>> block.until.isoformat()  # midnight of 03-10 in Chicago, when the window holds 6
'2025-03-10T05:00:00+00:00'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from arrears.domain.compliance.checks_time import VOICE, consent_for
from arrears.domain.compliance.counting import (
    ARTIFICIAL_VOICE,
    CALL,
    CONVERSATION,
    NOT_CONNECTED,
    OUTBOUND,
    attorney_reach,
    calls_the_debtor,
    concerns,
    debts_of,
    first_free_day,
    full_window,
    near_in_time,
    recent_consent,
)
from arrears.domain.compliance.facts import Contact, LineType, Scenario
from arrears.domain.compliance.rules import Block, Check, Phase
from arrears.domain.compliance.zones import is_debtor, local_date, primary_zone, start_of_day

# -- us.regf.call_frequency_7in7 ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallFrequencyParams:
    max_calls: int = 7
    days: int = 7
    consent_days: int = 7
    default_zone: str = "UTC"


def _placed_calls(scenario: Scenario, zone: ZoneInfo, days: int) -> list[tuple[date, Contact]]:
    person, at = scenario.person, scenario.proposal.at
    lawyer_ids, lawyer_numbers = attorney_reach(scenario)
    reach = timedelta(days=2 * days + 1)
    earliest, latest = at - reach, at + reach
    placed = []
    for c in scenario.history:  # the cheap tests first: this runs for every proposed call
        if (
            earliest <= c.at <= latest
            and c.channel in VOICE
            and c.direction is OUTBOUND
            and c.outcome is not NOT_CONNECTED
            and not c.with_consent
            and (c.party is None or c.party == person.id)
            and c.party not in lawyer_ids
            and c.to not in lawyer_numbers
        ):
            placed.append((c.at.astimezone(zone).date(), c))
    return placed


def call_frequency(scenario: Scenario, params: CallFrequencyParams) -> Block | None:
    """Block the 8th call about a debt in 7 consecutive local days (see module)."""
    proposal = scenario.proposal
    if proposal.channel not in VOICE or len(scenario.history) < params.max_calls:
        return None  # fewer contacts than the limit in all history: nothing to count
    if not calls_the_debtor(scenario) or recent_consent(scenario, params.consent_days):
        return None
    zone = primary_zone(scenario, params.default_zone)
    day = local_date(proposal.at, zone)
    placed = _placed_calls(scenario, zone, params.days)
    for debt in debts_of(scenario):
        counts = Counter(d for d, call in placed if concerns(call, debt))
        full = full_window(counts, day, params.days, params.max_calls)
        if full is None:
            continue
        first, total = full
        last = first + timedelta(days=params.days - 1)
        clear = first_free_day(counts, day, params.days, params.max_calls)
        about = f" about debt {debt}" if debt else ""
        reason = (
            f"{total} calls already placed{about} in the {params.days} days {first}–{last} "
            f"({zone.key}); at most {params.max_calls} in {params.days} consecutive days"
        )
        return Block(reason, start_of_day(clear, zone) if clear else None)
    return None


# -- us.regf.post_conversation_7day ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuietParams:
    days: int = 7
    consent_days: int = 7
    default_zone: str = "UTC"


def post_conversation_quiet(scenario: Scenario, params: QuietParams) -> Block | None:
    """Block a call about a debt within 7 local days of a telephone conversation about it
    (day 1 = the conversation's day)."""
    proposal = scenario.proposal
    if proposal.channel not in VOICE or not scenario.history or not calls_the_debtor(scenario):
        return None
    if recent_consent(scenario, params.consent_days):
        return None
    zone = primary_zone(scenario, params.default_zone)
    day = local_date(proposal.at, zone)
    lawyer_ids, lawyer_numbers = attorney_reach(scenario)
    debts = debts_of(scenario)
    latest: date | None = None
    reach = timedelta(days=params.days + 1)
    for contact in scenario.history:
        if (
            contact.outcome is CONVERSATION
            and contact.channel is CALL
            and contact.at <= proposal.at
            and proposal.at - contact.at <= reach
            and is_debtor(contact.party, scenario.person)
            and contact.party not in lawyer_ids
            and contact.to not in lawyer_numbers
            and any(concerns(contact, debt) for debt in debts)
        ):
            spoke = local_date(contact.at, zone)
            if (day - spoke).days < params.days and (latest is None or spoke > latest):
                latest = spoke
    if latest is None:
        return None
    free = latest + timedelta(days=params.days)
    reason = (
        f"a telephone conversation about the debt on {latest} ({zone.key}) starts "
        f"{params.days} quiet days; the next call is allowed on {free}"
    )
    return Block(reason, start_of_day(free, zone))


# -- us.tcpa.residential_prerecorded -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrerecordedParams:
    max_calls: int = 3
    days: int = 30
    # An unknown line may be residential: counted, to be safe.
    lines: tuple[LineType, ...] = (LineType.LANDLINE, LineType.UNKNOWN)
    consent_scopes: tuple[str, ...] = ("prerecorded", "autodial")
    default_zone: str = "UTC"


def _line_of(scenario: Scenario, number: str) -> LineType:
    person = scenario.person
    phones = (*person.phones, *(p for t in person.third_parties for p in t.phones))
    return next((p.line for p in phones if p.number == number), LineType.UNKNOWN)


def prerecorded_residential(scenario: Scenario, params: PrerecordedParams) -> Block | None:
    """Block the 4th prerecorded (or AI voice) call to a residential line in 30 days."""
    proposal = scenario.proposal
    if proposal.dialer not in ARTIFICIAL_VOICE or proposal.channel not in VOICE:
        return None
    if proposal.to is None or not scenario.history:
        return None
    if _line_of(scenario, proposal.to) not in params.lines:
        return None
    if is_debtor(proposal.party, scenario.person) and consent_for(
        scenario.person, params.consent_scopes, proposal.channel, proposal.at
    ):
        return None
    zone = primary_zone(scenario, params.default_zone)
    day = local_date(proposal.at, zone)
    counts = Counter(
        local_date(c.at, zone)
        for c in near_in_time(scenario, 2 * params.days)
        if c.dialer in ARTIFICIAL_VOICE
        and c.channel in VOICE
        and c.direction is OUTBOUND
        and c.to == proposal.to
        and c.outcome is not NOT_CONNECTED
        and not c.with_consent
    )
    full = full_window(counts, day, params.days, params.max_calls)
    if full is None:
        return None
    first, total = full
    clear = first_free_day(counts, day, params.days, params.max_calls)
    reason = (
        f"{total} prerecorded calls to the residential line {proposal.to} in the "
        f"{params.days} days from {first}; at most {params.max_calls} without consent"
    )
    return Block(reason, start_of_day(clear, zone) if clear else None)


CHECKS = (
    Check(
        "call_frequency",
        Phase.FREQUENCY,
        CallFrequencyParams,
        call_frequency,
        "at most N calls per person and debt in D consecutive local days, over all numbers",
    ),
    Check(
        "post_conversation_quiet",
        Phase.FREQUENCY,
        QuietParams,
        post_conversation_quiet,
        "no call about a debt for D days after a telephone conversation about it",
    ),
    Check(
        "prerecorded_residential",
        Phase.FREQUENCY,
        PrerecordedParams,
        prerecorded_residential,
        "at most N prerecorded or AI-voice calls per residential line in D days without consent",
    ),
)
