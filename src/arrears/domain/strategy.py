"""Collection strategies: which treatment step an account gets today, and which arm it is in.

A strategy is an ordered list of segments. Each segment has conditions on the
account (bucket, DPD, amounts, flags, contact history, promise) and a treatment:
steps on day offsets from the anchor due date — the oldest installment that fell
due and is still unpaid, or, before any due is missed, the next due date.
Negative offsets are days before it. The first segment whose conditions all
hold is the account's segment; its steps whose offsets match today fire.

While a promise to pay is open the treatment pauses: only the strategy's
promise reminder fires, the day before the promised date. A broken promise
resumes the treatment. So with a repayment arrangement in force (a plan,
extension, re-age, settlement): only the arrangement reminder fires, some days
before each of its instalments; during a hardship pause nothing does. A broken
arrangement resumes the treatment, where ``arrangement: broken`` can meet it.

Champion/challenger: ``arm_slot`` puts each loan id on a stable slot 0–9999;
slots below the challenger's share (in hundredths of a percent) take the
challenger strategy, the rest the champion.

>>> strategy = Strategy(
...     name="tiny",
...     description="",
...     segments=(
...         Segment("m1", Conditions(dpd=DayRange(1, 30)), (
...             Step(ActionKind.SMS, "overdue_notice", days=OffsetDays(1, 1)),
...             Step(ActionKind.CALL, priority=10, days=OffsetDays(2, 30, 2)),
...         )),
...     ),
...     promise_reminder=None,
...     challenger=None,
... )
>>> facts = AccountFacts(
...     "L1001", "consumer", "CNY", "M1", dpd=4, offset_days=4, days_to_next_due=27,
...     overdue_minor=106_619, outstanding_principal_minor=1_105_381, flags=frozenset(),
...     days_since_reached=None, unreached_attempts=2, lost_contact=False,
...     refused_to_pay=False, promise=PromiseState.NONE, promise_due_in_days=None,
... )
>>> [(s.step_id, s.action.value) for s in plan(strategy, facts)]
[('m1.1', 'call')]
>>> arm_for(arm_slot("L1001"), Decimal("20"))
<Arm.CHAMPION: 'champion'>
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from arrears.domain.money import exponent_of

ARM_SLOTS = 10_000  # a share is set in hundredths of a percent: 0.01 % is one slot
PROMISE_REMINDER = "promise_reminder"  # the step id and segment of the promise reminder
ARRANGEMENT_REMINDER = "arrangement_reminder"  # … and of the arrangement reminder
PAUSE = "pause"  # the arrangement kind during which nothing fires


class ActionKind(StrEnum):
    """What a step does; ``none`` records that nothing is done (e.g. a do-nothing arm)."""

    SMS = "sms"
    EMAIL = "email"
    CALL = "call"
    FIELD_VISIT = "field_visit"
    LETTER = "letter"
    LEGAL_REVIEW = "legal_review"
    AGENCY_PLACEMENT = "agency_placement"
    WRITE_OFF_REVIEW = "write_off_review"
    NONE = "none"


# Actions that send a message, so they need a template.
TEMPLATED_ACTIONS = frozenset({ActionKind.SMS, ActionKind.EMAIL, ActionKind.LETTER})


class PromiseState(StrEnum):
    NONE = "none"
    OPEN = "open"
    BROKEN = "broken"  # broken within the last 30 days


class ArrangementState(StrEnum):
    NONE = "none"
    ACTIVE = "active"  # in force (kept so far)
    BROKEN = "broken"  # broken within the last 30 days
    KEPT = "kept"  # kept (paid to its end) within the last 30 days


class Arm(StrEnum):
    CHAMPION = "champion"
    CHALLENGER = "challenger"


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """One loan as the daily cycle sees it on one day."""

    loan_id: str
    product: str
    currency: str
    bucket: str
    dpd: int
    offset_days: int  # today minus the anchor due date; negative = before it
    days_to_next_due: int | None  # None when no installment is still to fall due
    overdue_minor: int  # principal + interest + penalty + fees overdue
    outstanding_principal_minor: int
    flags: frozenset[str]  # borrower flags: "dispute", "deceased", "vulnerable", ...
    days_since_reached: int | None  # None: never reached
    unreached_attempts: int  # attempts since the borrower was last reached
    lost_contact: bool  # 失联
    refused_to_pay: bool
    promise: PromiseState
    promise_due_in_days: int | None
    score_band: str | None = None  # scoring does not exist yet: always None for now
    arrangement: ArrangementState = ArrangementState.NONE
    arrangement_kind: str | None = None
    arrangement_due_in_days: int | None = None  # to its next unpaid instalment


@dataclass(frozen=True, slots=True)
class DayRange:
    """Whole numbers from ``min`` to ``max``, both included; None = unbounded on that side."""

    min: int | None = None
    max: int | None = None

    def holds(self, value: int | None) -> bool:
        if value is None:
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


@dataclass(frozen=True, slots=True)
class AmountRange:
    """Amounts in major units (``Decimal("500.00")``), both ends included.

    Compared exactly with minor units: the bound is scaled by the currency's
    exponent, never the amount rounded.

    >>> AmountRange(min_major=Decimal("500.00")).holds(50_000, "CNY")
    True
    >>> AmountRange(min_major=Decimal("500.00")).holds(49_999, "CNY")
    False
    """

    min_major: Decimal | None = None
    max_major: Decimal | None = None

    def holds(self, minor: int, currency: str) -> bool:
        exponent = exponent_of(currency)
        amount = Decimal(minor)
        low = self.min_major is None or amount >= self.min_major.scaleb(exponent)
        return low and (self.max_major is None or amount <= self.max_major.scaleb(exponent))


@dataclass(frozen=True, slots=True)
class Conditions:
    """What an account must be for a segment to take it; None = any."""

    bucket: tuple[str, ...] | None = None
    dpd: DayRange | None = None
    days_to_next_due: DayRange | None = None
    overdue: AmountRange | None = None
    outstanding_principal: AmountRange | None = None
    product: tuple[str, ...] | None = None
    flags_any: tuple[str, ...] | None = None
    flags_none: tuple[str, ...] | None = None
    reached_within_days: int | None = None
    unreached_at_least: int | None = None
    lost_contact: bool | None = None
    refused_to_pay: bool | None = None
    promise: PromiseState | None = None
    score_band: tuple[str, ...] | None = None
    arrangement: ArrangementState | None = None

    def hold_for(self, facts: AccountFacts) -> bool:
        return self._position_holds(facts) and self._contact_holds(facts)

    def _position_holds(self, facts: AccountFacts) -> bool:
        """Where the loan stands: bucket, days, amounts, product."""
        checks = (
            self.bucket is None or facts.bucket in self.bucket,
            self.dpd is None or self.dpd.holds(facts.dpd),
            self.days_to_next_due is None or self.days_to_next_due.holds(facts.days_to_next_due),
            self.overdue is None or self.overdue.holds(facts.overdue_minor, facts.currency),
            self.outstanding_principal is None
            or self.outstanding_principal.holds(facts.outstanding_principal_minor, facts.currency),
            self.product is None or facts.product in self.product,
            # No score yet never matches a score condition: a segment for a band stays
            # dark until scoring fills the band in.
            self.score_band is None or facts.score_band in self.score_band,
        )
        return all(checks)

    def _contact_holds(self, facts: AccountFacts) -> bool:
        """The borrower: flags, how reachable, willing, promising."""
        reached = facts.days_since_reached
        checks = (
            self.flags_any is None or not facts.flags.isdisjoint(self.flags_any),
            self.flags_none is None or facts.flags.isdisjoint(self.flags_none),
            self.reached_within_days is None
            or (reached is not None and reached <= self.reached_within_days),
            self.unreached_at_least is None or facts.unreached_attempts >= self.unreached_at_least,
            self.lost_contact is None or facts.lost_contact == self.lost_contact,
            self.refused_to_pay is None or facts.refused_to_pay == self.refused_to_pay,
            self.promise is None or facts.promise is self.promise,
            self.arrangement is None or facts.arrangement is self.arrangement,
        )
        return all(checks)


@dataclass(frozen=True, slots=True)
class OffsetDays:
    """Offsets ``first``, ``first + every``, … up to ``last`` (None: no end).

    >>> [d for d in range(0, 12) if OffsetDays(1, 10, 3).includes(d)]
    [1, 4, 7, 10]
    """

    first: int
    last: int | None = None  # None: no end
    every: int = 1

    def __post_init__(self) -> None:
        if self.every < 1:
            raise ValueError("every must be at least 1")
        if self.last is not None and self.last < self.first:
            raise ValueError(f"from {self.first} is after to {self.last}")

    @classmethod
    def single(cls, day: int) -> OffsetDays:
        return cls(day, day)

    def includes(self, offset_days: int) -> bool:
        if offset_days < self.first or (self.last is not None and offset_days > self.last):
            return False
        return (offset_days - self.first) % self.every == 0


@dataclass(frozen=True, slots=True)
class Step:
    """One action of a treatment. ``days`` is None only for the promise reminder."""

    action: ActionKind
    template: str | None = None
    priority: int = 0  # larger = more urgent
    days: OffsetDays | None = None

    def fires_on(self, offset_days: int) -> bool:
        return self.days is not None and self.days.includes(offset_days)


@dataclass(frozen=True, slots=True)
class Segment:
    name: str
    conditions: Conditions
    steps: tuple[Step, ...]  # empty: the segment holds its accounts with no action
    description: str = ""


@dataclass(frozen=True, slots=True)
class Challenger:
    strategy: str
    share_percent: Decimal  # of loans, 0.01 to 99.99

    def __post_init__(self) -> None:
        if not Decimal(0) < self.share_percent < Decimal(100):
            raise ValueError("the challenger's share must be above 0 and below 100 percent")


@dataclass(frozen=True, slots=True)
class Strategy:
    name: str
    description: str
    segments: tuple[Segment, ...]
    promise_reminder: Step | None
    challenger: Challenger | None
    arrangement_reminder: Step | None = None
    arrangement_reminder_days: int = 2  # before each arrangement instalment

    def __post_init__(self) -> None:
        names = [s.name for s in self.segments]
        if len(set(names)) != len(names):
            raise ValueError(f"strategy {self.name}: segment names repeat")
        if self.challenger is not None and self.challenger.strategy == self.name:
            raise ValueError(f"strategy {self.name} cannot be its own challenger")


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """A step that fires today; ``step_id`` keys the action with the loan and the date."""

    step_id: str  # "<segment>.<index of the step in the segment>", or "promise_reminder"
    segment: str
    action: ActionKind
    template: str | None
    priority: int


def segment_for(strategy: Strategy, facts: AccountFacts) -> Segment | None:
    """The first segment, in file order, whose conditions all hold; None if none does."""
    return next((s for s in strategy.segments if s.conditions.hold_for(facts)), None)


def plan(strategy: Strategy, facts: AccountFacts) -> list[PlannedStep]:
    """The steps that fire for one account today, in the segment's order.

    ``none`` steps are returned too (the caller records and skips them). While
    a promise is open only the promise reminder can fire, on the day before the
    promised date: contacting a borrower who has promised would pressure them
    for no reason. Likewise while an arrangement is in force only the arrangement
    reminder fires, ``arrangement_reminder_days`` before each of its instalments,
    and during a hardship pause nothing at all.
    """
    if facts.arrangement is ArrangementState.ACTIVE:
        if facts.arrangement_kind == PAUSE:
            return []  # a hardship pause: no contact until it ends
        due_in = strategy.arrangement_reminder_days
        return _reminder(
            strategy.arrangement_reminder,
            ARRANGEMENT_REMINDER,
            facts.arrangement_due_in_days,
            due_in,
        )
    if facts.promise is PromiseState.OPEN:
        return _reminder(strategy.promise_reminder, PROMISE_REMINDER, facts.promise_due_in_days, 1)
    segment = segment_for(strategy, facts)
    if segment is None:
        return []
    return [
        PlannedStep(f"{segment.name}.{index}", segment.name, s.action, s.template, s.priority)
        for index, s in enumerate(segment.steps)
        if s.fires_on(facts.offset_days)
    ]


def _reminder(step: Step | None, name: str, due_in: int | None, when: int) -> list[PlannedStep]:
    if step is None or due_in != when:
        return []
    return [PlannedStep(name, name, step.action, step.template, step.priority)]


def arm_slot(loan_id: str) -> int:
    """A loan's stable slot, 0–9999: the same in every process, run and version of Python.

    SHA-256 rather than ``hash()``, which is salted per process.

    >>> arm_slot("L1001"), arm_slot("L1002")
    (5023, 4243)
    """
    digest = hashlib.sha256(loan_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % ARM_SLOTS


def arm_for(slot: int, share_percent: Decimal) -> Arm:
    """The challenger takes the slots below its share in hundredths of a percent.

    >>> arm_for(1999, Decimal("20")), arm_for(2000, Decimal("20"))
    (<Arm.CHALLENGER: 'challenger'>, <Arm.CHAMPION: 'champion'>)
    """
    return Arm.CHALLENGER if slot < share_percent * 100 else Arm.CHAMPION
