"""Contact attempts and what they say about a borrower; promises to pay, kept or broken.

Pure rules over plain values: the store rolls every borrower's attempts up into
a contact summary with set-based SQL, and a differential test holds that SQL
equal to :func:`contact_status` here, the reference.

What counts (the choices, and why):

- A **conversation** is an attempt in which someone spoke with us: ``reached``,
  ``refused``, ``promise_to_pay``, ``callback``, ``dispute`` or ``hardship``.
  Only a conversation *with the borrower* reaches the borrower: an employer or
  an emergency contact who picks up is not the borrower (and may not even be
  told of the debt), so attempts to third parties neither reach the borrower
  nor count against reaching them.
- An **unreached** attempt is an outbound attempt to the borrower that failed
  on the borrower's side: nobody answered, the phone was off or the number
  wrong, nobody was home, the message bounced.
- Everything else is **neutral**: a ``delivered`` SMS, e-mail or letter proves
  the address works, not that the borrower read it, so it neither reaches the
  borrower nor counts as a failure (an early-stage portfolio receives many
  reminders and is not 失联 for that); ``failed`` is our own or the provider's
  failure and says nothing about the borrower.
- Inbound attempts count only as conversations: a borrower who calls or writes
  to us has reached us, whatever the channel.
- **Lost contact (失联)**: no successful contact on any channel after N
  attempts, i.e. at least ``lost_after`` unreached attempts since the last
  conversation (or ever, if there never was one).
- **Refused**: the most recent conversation with the borrower was a refusal
  to talk or to pay; a later conversation of any other kind clears it.

Attempts are ordered by the time they were made; attempts made at the same
instant keep the order they were recorded in (the store's attempt id).

>>> from datetime import UTC, datetime
>>> day = lambda h: datetime(2026, 3, 2, h, tzinfo=UTC)
>>> status = contact_status(
...     [Attempt(day(9), Channel.CALL, Outcome.REACHED),
...      Attempt(day(10), Channel.CALL, Outcome.NO_ANSWER),
...      Attempt(day(11), Channel.SMS, Outcome.DELIVERED),
...      Attempt(day(12), Channel.CALL, Outcome.SWITCHED_OFF)],
...     lost_after=2)
>>> status.attempts, status.unreached_since_reached, status.lost_contact
(4, 2, True)
>>> promise_kept(amount_minor=30_000, paid_minor=29_950, tolerance_minor=100)
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    CALL = "call"
    FIELD_VISIT = "field_visit"
    LETTER = "letter"


class Direction(StrEnum):
    OUTBOUND = "outbound"  # we tried to reach them
    INBOUND = "inbound"  # they called, wrote or walked in


class Party(StrEnum):
    """Whom the attempt was addressed to (or who answered)."""

    BORROWER = "borrower"
    EMERGENCY_CONTACT = "emergency_contact"
    EMPLOYER = "employer"
    OTHER = "other"


class Outcome(StrEnum):
    # conversations: someone talked with us
    REACHED = "reached"  # a conversation with no more specific result
    REFUSED = "refused"  # refused to talk or to pay
    PROMISE_TO_PAY = "promise_to_pay"
    CALLBACK = "callback"  # asked to be called back later
    DISPUTE = "dispute"  # disputes the debt
    HARDSHIP = "hardship"  # cannot pay: illness, job loss, ...
    # unreached: the attempt failed on the borrower's side
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"  # a message was left, nobody spoke
    SWITCHED_OFF = "switched_off"  # 关机
    DISCONNECTED = "disconnected"  # 空号 / 停机: the number is not in service
    WRONG_NUMBER = "wrong_number"  # someone else's number
    NOT_HOME = "not_home"  # a field visit found nobody
    WRONG_ADDRESS = "wrong_address"  # a field visit: the borrower does not live or work there
    UNDELIVERABLE = "undeliverable"  # an SMS, e-mail or letter bounced
    # neutral
    SENT = "sent"  # a one-way message the provider took; whether it arrived is not yet known
    DELIVERED = "delivered"  # a one-way message arrived; not proof it was read
    FAILED = "failed"  # our or the provider's failure


CONVERSATIONS = frozenset(
    {
        Outcome.REACHED,
        Outcome.REFUSED,
        Outcome.PROMISE_TO_PAY,
        Outcome.CALLBACK,
        Outcome.DISPUTE,
        Outcome.HARDSHIP,
    }
)
UNREACHED = frozenset(
    {
        Outcome.NO_ANSWER,
        Outcome.BUSY,
        Outcome.VOICEMAIL,
        Outcome.SWITCHED_OFF,
        Outcome.DISCONNECTED,
        Outcome.WRONG_NUMBER,
        Outcome.NOT_HOME,
        Outcome.WRONG_ADDRESS,
        Outcome.UNDELIVERABLE,
    }
)
NEUTRAL = frozenset(Outcome) - CONVERSATIONS - UNREACHED

_ONE_WAY = frozenset({Channel.SMS, Channel.EMAIL, Channel.LETTER})
_OUTBOUND_OUTCOMES: dict[Channel, frozenset[Outcome]] = {
    Channel.SMS: frozenset(
        {Outcome.SENT, Outcome.DELIVERED, Outcome.UNDELIVERABLE, Outcome.FAILED}
    ),
    Channel.EMAIL: frozenset(
        {Outcome.SENT, Outcome.DELIVERED, Outcome.UNDELIVERABLE, Outcome.FAILED}
    ),
    Channel.LETTER: frozenset(
        {Outcome.SENT, Outcome.DELIVERED, Outcome.UNDELIVERABLE, Outcome.FAILED}
    ),
    Channel.CALL: CONVERSATIONS
    | {
        Outcome.NO_ANSWER,
        Outcome.BUSY,
        Outcome.VOICEMAIL,
        Outcome.SWITCHED_OFF,
        Outcome.DISCONNECTED,
        Outcome.WRONG_NUMBER,
        Outcome.FAILED,
    },
    Channel.FIELD_VISIT: CONVERSATIONS | {Outcome.NOT_HOME, Outcome.WRONG_ADDRESS},
}


def allowed_outcomes(channel: Channel, direction: Direction) -> frozenset[Outcome]:
    """The outcomes an attempt on ``channel`` in ``direction`` can have.

    A one-way message is sent, then delivered or not; only calls and visits are answered;
    anything inbound is a conversation (someone chose to talk to us).

    >>> sorted(str(o) for o in allowed_outcomes(Channel.SMS, Direction.OUTBOUND))
    ['delivered', 'failed', 'sent', 'undeliverable']
    >>> Outcome.DELIVERED in allowed_outcomes(Channel.SMS, Direction.INBOUND)
    False
    """
    if direction is Direction.INBOUND:
        return CONVERSATIONS
    return _OUTBOUND_OUTCOMES[channel]


def is_one_way(channel: Channel) -> bool:
    return channel in _ONE_WAY


@dataclass(frozen=True, slots=True)
class Attempt:
    """One contact attempt, as far as the roll-up needs it. ``attempted_at`` carries a zone."""

    attempted_at: datetime
    channel: Channel
    outcome: Outcome
    direction: Direction = Direction.OUTBOUND
    party: Party = Party.BORROWER

    @property
    def reaches_borrower(self) -> bool:
        """A conversation with the borrower, in either direction."""
        return self.party is Party.BORROWER and self.outcome in CONVERSATIONS

    @property
    def misses_borrower(self) -> bool:
        """An outbound attempt to the borrower that did not reach them."""
        return (
            self.party is Party.BORROWER
            and self.direction is Direction.OUTBOUND
            and self.outcome in UNREACHED
        )


@dataclass(frozen=True, slots=True)
class ContactStatus:
    """A borrower's contact roll-up (the ``contact_summary`` row)."""

    attempts: int  # every attempt recorded, whoever it was to
    last_attempt_at: datetime | None
    last_reached_at: datetime | None  # the last conversation with the borrower
    unreached_since_reached: int  # unreached attempts after it (all, if never reached)
    refused_at: datetime | None  # the last conversation's time, when it was a refusal
    lost_contact: bool  # 失联

    @property
    def refused(self) -> bool:
        return self.refused_at is not None


NO_CONTACT = ContactStatus(0, None, None, 0, None, False)


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """An attempt as recorded: whom, how, what came of it, and who recorded it."""

    borrower_id: str
    channel: Channel
    outcome: Outcome
    attempted_at: datetime
    direction: Direction = Direction.OUTBOUND
    party: Party = Party.BORROWER
    loan_id: str | None = None
    agent: str | None = None
    note: str | None = None
    action_id: int | None = None  # the planned action it carried out, if any
    arm: str | None = None  # champion or challenger, for comparing strategies
    attempt_id: int | None = None  # given by the store
    recorded_at: datetime | None = None  # given by the store

    @property
    def attempt(self) -> Attempt:
        return Attempt(self.attempted_at, self.channel, self.outcome, self.direction, self.party)


def contact_status(attempts: Iterable[Attempt], lost_after: int) -> ContactStatus:
    """Roll a borrower's attempts (in the order they were recorded) up into a status.

    ``lost_after`` is the 失联 threshold: that many unreached attempts since the
    last conversation (or ever) and the borrower has lost contact. An unreached
    attempt at the same instant as the last conversation is not after it.

    >>> from datetime import UTC, datetime
    >>> at = lambda h: datetime(2026, 3, 2, h, tzinfo=UTC)
    >>> s = contact_status([Attempt(at(9), Channel.CALL, Outcome.NO_ANSWER),
    ...                     Attempt(at(10), Channel.CALL, Outcome.REFUSED)], lost_after=10)
    >>> s.refused, s.unreached_since_reached, s.last_reached_at == at(10)
    (True, 0, True)
    """
    if lost_after < 1:
        raise ValueError("the lost-contact threshold must be at least 1 attempt")
    ordered = sorted(attempts, key=lambda a: a.attempted_at)  # stable: ties keep record order
    if not ordered:
        return NO_CONTACT
    conversations = [a for a in ordered if a.reaches_borrower]
    last = conversations[-1] if conversations else None
    unreached = sum(
        1
        for a in ordered
        if a.misses_borrower and (last is None or a.attempted_at > last.attempted_at)
    )
    return ContactStatus(
        attempts=len(ordered),
        last_attempt_at=ordered[-1].attempted_at,
        last_reached_at=last.attempted_at if last else None,
        unreached_since_reached=unreached,
        refused_at=last.attempted_at if last and last.outcome is Outcome.REFUSED else None,
        lost_contact=unreached >= lost_after,
    )


# -- borrower flags ---------------------------------------------------------------------
class Flag(StrEnum):
    """The flags arrears itself knows; lenders may set others (any short snake_case name)."""

    DO_NOT_CONTACT = "do_not_contact"  # asked us to stop (cease communication)
    DO_NOT_CALL = "do_not_call"  # no calls; letters and messages may go
    ATTORNEY = "attorney"  # represented: contact the attorney, not the borrower
    DISPUTE = "dispute"  # the debt is disputed: collection pauses until verified
    HARDSHIP = "hardship"
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"
    FRAUD = "fraud"  # identity theft claimed
    VULNERABLE = "vulnerable"  # needs extra care (illness, age, ...)


_FLAG_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True, slots=True)
class BorrowerFlag:
    flag: str
    set_at: datetime
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """What the strategy and the gate need to know of a borrower's contact history."""

    status: ContactStatus
    flags: frozenset[str] = frozenset()


def is_flag_name(name: str) -> bool:
    """A flag is a snake_case word of at most 32 characters.

    >>> is_flag_name("do_not_call"), is_flag_name("Do Not Call")
    (True, False)
    """
    return _FLAG_NAME.fullmatch(name) is not None


# -- promises to pay ------------------------------------------------------------------
class PromiseStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class PromiseSource(StrEnum):
    CLI = "cli"
    DESK = "desk"  # the agent desk
    FIELD = "field"  # a field visit
    PORTAL = "portal"  # the borrower portal
    SIMULATOR = "simulator"
    API = "api"  # an integration, through /api/v1


MAX_PROMISE_DAYS = 30  # a promise is due at most this many days after it is made
BROKEN_PROMISE_MEMORY_DAYS = 30  # a broken promise shapes treatment this many days


@dataclass(frozen=True, slots=True)
class Promise:
    promise_id: str
    loan_id: str
    borrower_id: str
    amount_minor: int
    currency: str
    made_on: date
    due_date: date
    status: PromiseStatus
    settled_on: date | None = None
    paid_minor: int | None = None
    arm: str | None = None
    source: PromiseSource = PromiseSource.CLI


def promise_kept(amount_minor: int, paid_minor: int, tolerance_minor: int) -> bool:
    """Paid enough: at least the promised amount less the product's tolerance.

    The tolerance is the product's: an unpaid remainder at or below it counts as
    paid, as it does for installments. Nothing paid never keeps a promise, however
    small the promise and large the tolerance.

    >>> promise_kept(30_000, 29_900, 100), promise_kept(30_000, 29_899, 100)
    (True, False)
    >>> promise_kept(50, 0, 100)
    False
    """
    return paid_minor > 0 and paid_minor >= amount_minor - tolerance_minor
