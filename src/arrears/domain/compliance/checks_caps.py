"""Daily and weekly caps: China's per-day call caps, the house's per-channel caps, and
China's uncertain collection interval, counted in local days of the recipient's primary
zone.

Rules served (reference ids):

- ``connected_voice_cap`` — cn.voice_connected_cap: connected calls per debtor per local
  day, the lender and all its agencies together (every ``by`` of the history counts).
- ``unanswered_attempt_cap`` — cn.unanswered_attempt_cap: unanswered attempts per number
  per local day; the 7th is blocked.
- ``channel_cap`` — house caps per channel and recipient, per local day and per rolling
  7 local days (e.g. at most 2 SMS a day, 5 a week).
- ``collection_interval`` — cn.collection_interval, read as "7 natural days between
  collection contacts about one debt"; the reference marks it uncertain, so packs flag it
  (``enforce: false``) unless a lender decides otherwise.

>>> from datetime import UTC, datetime, timedelta
>>> from arrears.domain.compliance.facts import Channel, Contact, Outcome, Person, Proposal, Scenario
>>> morning = datetime(2025, 8, 1, 1, tzinfo=UTC)  # 09:00 in Shanghai
>>> answered = tuple(Contact(Channel.CALL, morning + timedelta(hours=h), Outcome.CONVERSATION, by=by)
...                  for h, by in ((0, "lender"), (1, "agency-a"), (2, "agency-b")))
>>> fourth = Proposal(Channel.CALL, morning + timedelta(hours=5), by="agency-a")
>>> block = connected_voice_cap(Scenario(Person("B1"), fourth, history=answered), ConnectedCapParams(default_zone="Asia/Shanghai"))
>>> block.reason
'3 connected calls with the debtor on 2025-08-01 (Asia/Shanghai) by agency-a, agency-b, lender of lender group lender; at most 3 a day'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from arrears.domain.compliance.checks_time import VOICE, same_medium
from arrears.domain.compliance.counting import (
    ALL_CHANNELS,
    CONNECTED,
    NOT_DELIVERED,
    OUTBOUND,
    UNANSWERED,
    debts_of,
    first_clear_day,
    full_window,
    near_in_time,
)
from arrears.domain.compliance.facts import Channel, Scenario
from arrears.domain.compliance.rules import Block, Check, Phase
from arrears.domain.compliance.zones import is_debtor, local_date, primary_zone, start_of_day

# -- China's daily caps ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectedCapParams:
    max_per_day: int = 3
    default_zone: str = "UTC"


def connected_voice_cap(scenario: Scenario, params: ConnectedCapParams) -> Block | None:
    """Block a call to a debtor who already had ``max_per_day`` connected calls that local
    day, from the lender and its agencies together (cn.voice_connected_cap)."""
    proposal, person = scenario.proposal, scenario.person
    if (
        proposal.channel not in VOICE
        or not scenario.history
        or not is_debtor(proposal.party, person)
    ):
        return None
    zone = primary_zone(scenario, params.default_zone)
    day = local_date(proposal.at, zone)
    connected = [
        c
        for c in near_in_time(scenario, 1)
        if c.channel in VOICE
        and c.direction is OUTBOUND
        and c.outcome in CONNECTED
        and is_debtor(c.party, person)
        and local_date(c.at, zone) == day
    ]
    if len(connected) < params.max_per_day:
        return None
    callers = ", ".join(sorted({c.by for c in connected}))
    reason = (
        f"{len(connected)} connected calls with the debtor on {day} ({zone.key}) by "
        f"{callers} of lender group {scenario.lender}; at most {params.max_per_day} a day"
    )
    return Block(reason, start_of_day(day + timedelta(days=1), zone))


@dataclass(frozen=True, slots=True)
class AttemptCapParams:
    max_unanswered: int = 6
    default_zone: str = "UTC"


def unanswered_attempt_cap(scenario: Scenario, params: AttemptCapParams) -> Block | None:
    """Block the 7th unanswered attempt to one number in a local day."""
    proposal = scenario.proposal
    if proposal.channel not in VOICE or proposal.to is None or not scenario.history:
        return None
    zone = primary_zone(scenario, params.default_zone)
    day = local_date(proposal.at, zone)
    attempts = sum(
        1
        for c in near_in_time(scenario, 1)
        if c.channel in VOICE
        and c.direction is OUTBOUND
        and c.to == proposal.to
        and c.outcome in UNANSWERED
        and local_date(c.at, zone) == day
    )
    if attempts < params.max_unanswered:
        return None
    reason = (
        f"{attempts} unanswered attempts to {proposal.to} on {day} ({zone.key}); "
        f"at most {params.max_unanswered} a day"
    )
    return Block(reason, start_of_day(day + timedelta(days=1), zone))


# -- house caps per channel --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelCapParams:
    channel: Channel = Channel.SMS  # call counts voicemails too
    per_day: int = 0  # 0: no daily cap
    per_week: int = 0  # 0: no weekly cap; a week is 7 local days, rolling
    default_zone: str = "UTC"


def channel_cap(scenario: Scenario, params: ChannelCapParams) -> Block | None:
    """Block a contact past the house's cap for its channel, per recipient, per local day
    and per 7 local days (contacts that never arrived do not count)."""
    proposal, person = scenario.proposal, scenario.person
    if not same_medium(proposal.channel, params.channel) or not scenario.history:
        return None
    debtor = is_debtor(proposal.party, person)
    zone = primary_zone(scenario, params.default_zone)
    day = local_date(proposal.at, zone)
    counts = Counter(
        local_date(c.at, zone)
        for c in near_in_time(scenario, 14)
        if same_medium(c.channel, params.channel)
        and c.direction is OUTBOUND
        and c.outcome not in NOT_DELIVERED
        and (is_debtor(c.party, person) if debtor else c.party == proposal.party)
    )

    def blocked(d: date) -> bool:
        daily = params.per_day and counts.get(d, 0) >= params.per_day
        weekly = params.per_week and full_window(counts, d, 7, params.per_week)
        return bool(daily or weekly)

    if not blocked(day):
        return None
    name = params.channel.value
    if params.per_day and counts.get(day, 0) >= params.per_day:
        said = (
            f"{counts[day]} {name} contacts on {day} ({zone.key}); at most {params.per_day} a day"
        )
    else:
        said = f"{name} contacts reach the cap of {params.per_week} in 7 days ({zone.key})"
    clear = first_clear_day(day, blocked)
    return Block(said, start_of_day(clear, zone) if clear else None)


# -- cn.collection_interval --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IntervalParams:
    days: int = 7
    channels: tuple[Channel, ...] = ALL_CHANNELS
    default_zone: str = "UTC"


def collection_interval(scenario: Scenario, params: IntervalParams) -> Block | None:
    """Flag a collection contact about a debt fewer than ``days`` local days after the
    last one about it (one reading of cn.collection_interval; uncertain, see module)."""
    proposal, person = scenario.proposal, scenario.person
    if proposal.channel not in params.channels or not scenario.history:
        return None
    if not is_debtor(proposal.party, person):
        return None
    debts = debts_of(scenario)
    # The latest such contact in UTC is the latest in local dates too (one zone). A plain
    # loop: this advisory rule runs on every proposal with a history.
    at, reach, latest = proposal.at, timedelta(days=params.days + 1), None
    for c in scenario.history:
        if (
            c.at > at
            or at - c.at > reach
            or c.channel not in params.channels
            or c.direction is not OUTBOUND
            or c.outcome in NOT_DELIVERED
            or not is_debtor(c.party, person)
        ):
            continue
        if c.debts and not any(not debt or debt in c.debts for debt in debts):
            continue
        if latest is None or c.at > latest:
            latest = c.at
    if latest is None:
        return None
    zone = primary_zone(scenario, params.default_zone)
    day, last = local_date(proposal.at, zone), local_date(latest, zone)
    if (day - last).days >= params.days:
        return None
    free = last + timedelta(days=params.days)
    reason = (
        f"the last collection contact about this debt was on {last} ({zone.key}); "
        f"an interval of at least {params.days} natural days is read into the standard"
    )
    return Block(reason, start_of_day(free, zone))


CHECKS = (
    Check(
        "connected_voice_cap",
        Phase.FREQUENCY,
        ConnectedCapParams,
        connected_voice_cap,
        "at most N connected calls per debtor per local day, lender and agencies together",
    ),
    Check(
        "unanswered_attempt_cap",
        Phase.FREQUENCY,
        AttemptCapParams,
        unanswered_attempt_cap,
        "at most N unanswered attempts per number per local day",
    ),
    Check(
        "channel_cap",
        Phase.FREQUENCY,
        ChannelCapParams,
        channel_cap,
        "at most N contacts by one channel per local day and per 7 local days",
    ),
    Check(
        "collection_interval",
        Phase.FREQUENCY,
        IntervalParams,
        collection_interval,
        "at least D natural days between collection contacts about one debt",
    ),
)
