"""Counting contacts from the history: which debts a contact concerns, who was reached,
and rolling windows of local days. Shared by the frequency checks.

>>> from collections import Counter
>>> from datetime import date
>>> counts = Counter({date(2025, 3, d): 1 for d in range(3, 10)})  # one a day, 03-03 … 03-09
>>> full_window(counts, date(2025, 3, 9), days=7, limit=7)
(datetime.date(2025, 3, 3), 7)
>>> first_free_day(counts, date(2025, 3, 9), days=7, limit=7)
datetime.date(2025, 3, 10)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta

from arrears.domain.compliance.checks_time import consent_for
from arrears.domain.compliance.facts import (
    Channel,
    Contact,
    Dialer,
    Direction,
    Outcome,
    Role,
    Scenario,
)
from arrears.domain.compliance.zones import is_debtor

CONNECTED = frozenset({Outcome.CONVERSATION, Outcome.REFUSED})  # someone answered
UNANSWERED = frozenset({Outcome.NO_ANSWER, Outcome.NOT_CONNECTED, Outcome.VOICEMAIL})
NOT_DELIVERED = frozenset({Outcome.NOT_CONNECTED, Outcome.UNDELIVERABLE})
ARTIFICIAL_VOICE = frozenset({Dialer.PRERECORDED, Dialer.AI_VOICE})  # FCC 24-17: AI is artificial
ALL_CHANNELS = tuple(Channel)
# Enum members bound once: a class attribute lookup per contact costs more than the test.
OUTBOUND, CALL = Direction.OUTBOUND, Channel.CALL
NOT_CONNECTED, CONVERSATION = Outcome.NOT_CONNECTED, Outcome.CONVERSATION
# A counter never needs to look further than this past its window to find a clear day.
_LONGEST_WAIT_DAYS = 1_000


def debts_of(scenario: Scenario) -> tuple[str, ...]:
    """The debts a proposal concerns; "" stands for "all of them" when none are known."""
    return scenario.proposal.debts or tuple(d.id for d in scenario.debts) or ("",)


def concerns(contact: Contact, debt: str) -> bool:
    return not contact.debts or not debt or debt in contact.debts


def attorney_reach(scenario: Scenario) -> tuple[frozenset[str], frozenset[str]]:
    """The ids and numbers of the consumer's attorneys: calls to them are not calls to
    the consumer (1006.14(b)(3))."""
    lawyers = [t for t in scenario.person.third_parties if t.role is Role.ATTORNEY]
    if not lawyers:
        return frozenset(), frozenset()
    return frozenset(t.id for t in lawyers), frozenset(p.number for t in lawyers for p in t.phones)


def calls_the_debtor(scenario: Scenario) -> bool:
    proposal = scenario.proposal
    if proposal.role is Role.ATTORNEY or not is_debtor(proposal.party, scenario.person):
        return False
    _, numbers = attorney_reach(scenario)
    return proposal.to not in numbers


def recent_consent(scenario: Scenario, days: int) -> bool:
    """Direct prior consent to calls given within ``days`` (1006.14(b)(3)(i))."""
    proposal = scenario.proposal
    if not scenario.person.consents:
        return False
    consent = consent_for(scenario.person, ("frequency",), Channel.CALL, proposal.at)
    return consent is not None and proposal.at - consent.start <= timedelta(days=days)


def near_in_time(scenario: Scenario, days: int) -> Iterable[Contact]:
    """History within ``days`` of the proposal either way (cheap UTC pre-filter)."""
    at, reach = scenario.proposal.at, timedelta(days=days + 1)
    return (c for c in scenario.history if abs(c.at - at) <= reach)


def full_window(
    counts: Mapping[date, int], day: date, days: int, limit: int
) -> tuple[date, int] | None:
    """The first window of ``days`` consecutive days holding ``day`` that already has
    ``limit`` or more: its first day and count. The one ending on ``day`` is tried first;
    later ones matter when the history holds contacts after the proposal."""
    if sum(counts.values()) < limit:  # the usual case: nowhere near the limit
        return None
    first = day - timedelta(days=days - 1)
    # Counts of the 2·days−1 days around ``day``; the window slides one day at a time.
    values = [0] * (2 * days - 1)
    for counted_day, count in counts.items():
        index = (counted_day - first).days
        if 0 <= index < len(values):
            values[index] += count
    total = sum(values[:days])
    for offset in range(days):
        if total >= limit:
            return first + timedelta(days=offset), total
        if offset + days < len(values):
            total += values[offset + days] - values[offset]
    return None


def first_clear_day(day: date, blocked: Callable[[date], bool]) -> date | None:
    for step in range(1, _LONGEST_WAIT_DAYS):
        candidate = day + timedelta(days=step)
        if not blocked(candidate):
            return candidate
    return None


def first_free_day(counts: Mapping[date, int], day: date, days: int, limit: int) -> date | None:
    """The first day after ``day`` whose every window is under the limit."""
    return first_clear_day(day, lambda d: full_window(counts, d, days, limit) is not None)
