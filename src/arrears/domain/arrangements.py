"""Repayment arrangements as the per-loan reference replays them.

An arrangement changes what a loan owes and when, from the end of the day it
takes effect (``starts_on``): the loan's replay (``loan_state``) applies it on
that day and keeps applying it for every later as-of date, so every figure is
still a pure function of the loan's history.

- *extension*: one instalment falls due some days later, optionally with a fee;
- *plan*: everything fallen due and unpaid (less any 罚息 waived) is split into
  the plan's instalments; DPD is measured against them while the plan stands;
- *reage*: the outstanding principal, with the unpaid interest, 罚息 and fees
  capitalised (less any 罚息 waived), is re-amortised over a new term and rate;
- *settlement*: a lump sum or a short series is accepted as full payment: the
  rest is waived by a journal entry when the last payment arrives, not before;
- *pause* (hardship): no 罚息 and no late fees for a period; the instalments
  not yet due move later by the pause's length (interest per product rule).

An arrangement is *kept* when its instalments are paid (each by its date and
the grace days, within the tolerance), *broken* the day after an instalment's
grace ends unpaid, and may be *cancelled*. Broken or cancelled, the loan's
original obligations come back, less what was paid; the 罚息 waived is owed
again. Charges the arrangement held back are not charged after the fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from arrears.domain.arrangement_policy import ArrangementKind
from arrears.domain.schedule import RepaymentMethod

SEQ_BLOCK = 1000  # the instalments of a loan's n-th arrangement are numbered n*1000 + k


class ArrangementStatus(StrEnum):
    PENDING = "pending"  # waits for approval; no effect yet
    ACTIVE = "active"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


IN_FORCE = (ArrangementStatus.PENDING, ArrangementStatus.ACTIVE)


@dataclass(frozen=True, slots=True)
class Instalment:
    due_date: date
    amount_minor: int


@dataclass(frozen=True, slots=True)
class ReageTerms:
    term_months: int
    annual_rate_percent: Decimal
    first_due_date: date
    method: RepaymentMethod = RepaymentMethod.EQUAL_INSTALLMENT
    probation: int = 3  # the first new instalments that keep or break the re-age


@dataclass(frozen=True, slots=True)
class ArrangementTerms:
    """What the replay needs of one approved arrangement."""

    arrangement_id: str
    number: int  # 1, 2, … per loan: numbers its instalments
    kind: ArrangementKind
    starts_on: date  # takes effect at the end of this day
    instalments: tuple[Instalment, ...] = ()  # plan and settlement
    cancelled_on: date | None = None  # undone at the end of this day
    penalty_waiver_minor: int = 0  # plan, reage
    fee_minor: int = 0  # extension
    extend_seq: int | None = None  # extension: the instalment moved
    extend_days: int = 0
    reage: ReageTerms | None = None
    pause_days: int = 0
    pause_accrues_interest: bool = False  # pause: interest for the pause per product rule


@dataclass(frozen=True, slots=True)
class InstalmentOutcome:
    seq: int
    due_date: date
    amount_minor: int
    paid_minor: int
    status: str  # open | kept | broken


@dataclass(frozen=True, slots=True)
class ArrangementOutcome:
    """What the replay found of one arrangement, as of its date."""

    arrangement_id: str
    status: ArrangementStatus
    ended_on: date | None
    paid_minor: int
    instalments: tuple[InstalmentOutcome, ...]
