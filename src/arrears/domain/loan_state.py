"""A loan as of any date: replay its schedule and payments in date order.

This is the per-loan reference: DPD, bucket, overdue amounts, penalty (罚息),
late fees, outstanding principal, payoff, and how each payment was allocated.
It depends only on the terms, the product rules, the payments that stand (a
reversed payment is simply absent) and the date, so backdated payments and
reversals give the same answer as entering everything in date order.

Day semantics, chosen to match a daily cycle run after the day's payments:
- a payment dated on a due date pays that installment on time;
- 罚息 for day d accrues on the principal still unpaid at the end of day d,
  for days after the due date plus grace, at the product's annual rate / day
  basis, rounded per installment per day by the loan's policy;
- a late fee is charged once per installment on the day after its grace ends
  if the installment is still unpaid beyond the tolerance, up to the cap;
- DPD counts from the oldest installment unpaid beyond the tolerance, and is 0
  while within grace.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from arrears.domain.allocation import Component, allocate
from arrears.domain.arrangement_parts import Postings
from arrears.domain.arrangement_replay import ArrangementSteps
from arrears.domain.arrangements import ArrangementOutcome, ArrangementTerms
from arrears.domain.dues import Due
from arrears.domain.money import round_ratio
from arrears.domain.schedule import Installment, RepaymentMethod, amortize
from arrears.domain.terms import LoanTerms, Overpayment, ProductRules

CREDIT = "credit"  # the allocation key for money held beyond what was due


@dataclass(frozen=True, slots=True)
class Payment:
    payment_id: str
    paid_on: date
    amount_minor: int


@dataclass(frozen=True, slots=True)
class InstallmentState:
    seq: int
    due_date: date
    owed: dict[Component, int]
    paid: dict[Component, int]
    carried: bool = False  # made by an arrangement of amounts already recognised

    @property
    def unpaid_minor(self) -> int:
        return sum(self.owed.values()) - sum(self.paid.values())


@dataclass(frozen=True, slots=True)
class LoanState:
    """Every figure of a loan as of one date, in minor units of ``currency``."""

    loan_id: str
    currency: str
    as_of: date
    dpd: int
    bucket: str
    oldest_unpaid_due_date: date | None
    overdue_principal_minor: int
    overdue_interest_minor: int
    penalty_minor: int
    fees_minor: int
    outstanding_principal_minor: int
    accrued_interest_minor: int
    credit_minor: int
    payoff_minor: int
    interest_recognized_minor: int
    penalty_accrued_minor: int
    fees_charged_minor: int
    payment_allocations: dict[str, dict[str, int]]
    credit_applied: dict[Component, int]
    installments: tuple[InstallmentState, ...]
    # arrangements (domain.arrangements): what became of each, their journal postings
    # by source, and the next day one of them may change the loan (or None)
    arrangements: tuple[ArrangementOutcome, ...] = ()
    arrangement_postings: Postings = field(default_factory=dict)
    next_arrangement_day: date | None = None
    # owed but carried by no instalment: a settlement's rest until it is waived or owed again
    arrangement_held: dict[Component, int] = field(default_factory=dict)

    @property
    def total_overdue_minor(self) -> int:
        return (
            self.overdue_principal_minor
            + self.overdue_interest_minor
            + self.penalty_minor
            + self.fees_minor
        )


def daily_penalty_rate(terms: LoanTerms, rules: ProductRules) -> tuple[int, int]:
    """The daily 罚息 rate as an exact fraction (numerator, denominator), so that a day's
    charge rounds exactly once.

    >>> from decimal import Decimal
    >>> terms = LoanTerms("L1", "CNY", 100000, Decimal("14.6"), 12, date(2026, 1, 1),
    ...                   RepaymentMethod.EQUAL_INSTALLMENT)
    >>> daily_penalty_rate(terms, ProductRules())  # 14.6 % × 1.5 / 365
    (3, 5000)
    """
    daily = Fraction(rules.penalty_rate_percent(terms.annual_rate_percent)) / (
        100 * rules.penalty_day_basis
    )
    return daily.numerator, daily.denominator


def loan_state(
    terms: LoanTerms,
    rules: ProductRules,
    payments: Iterable[Payment],
    as_of: date,
    schedule: Sequence[Installment] | None = None,
    arrangements: Sequence[ArrangementTerms] = (),
) -> LoanState:
    """The loan's state at the end of ``as_of``: after that day's payments and accruals,
    and the arrangements that took effect by then (``domain.arrangements``)."""
    replay = _Replay(terms, rules, schedule if schedule is not None else terms.schedule())
    replay.run(
        sorted(payments, key=lambda p: (p.paid_on, p.payment_id)), as_of, tuple(arrangements)
    )
    return replay.state(as_of)


class _Replay(ArrangementSteps):
    def __init__(self, terms: LoanTerms, rules: ProductRules, schedule: Sequence[Installment]):
        self.terms = terms
        self.rules = rules
        self.schedule = schedule
        self.dues = [Due(i.seq, i.due_date, i.principal_minor, i.interest_minor) for i in schedule]
        self.accruing: list[
            Due
        ] = []  # fallen due with principal unpaid: the only ones 罚息 touches
        self.penalty_rate = daily_penalty_rate(terms, rules)
        self.grace = timedelta(days=rules.grace_days)
        self.accrued_through = terms.start_date
        self.credit = 0
        self.prepaid_principal = 0
        self.fees_charged = 0
        self.recognised_interest = 0
        self.allocations: dict[str, dict[str, int]] = {}
        self.credit_applied = dict.fromkeys(Component, 0)
        # the agenda: the days something happens, and what falls due or is charged on each
        self.agenda: list[date] = []
        self.today = date.min
        self.queued: set[date] = set()
        self.falling: dict[date, list[Due]] = {}
        self.fee_days: dict[date, list[Due]] = {}
        self.reordered = False  # an arrangement added or moved instalments: sort by date
        # what arrangements change (domain.arrangement_replay)
        self.method = terms.method
        self.annual_rate_percent = terms.annual_rate_percent
        self.period_floor = terms.start_date
        self.starting: dict[date, list[ArrangementTerms]] = {}
        self.in_force = []
        self.pauses = []

    # -- the agenda --------------------------------------------------------------
    def _when(self, day: date) -> None:
        day = max(day, self.today + timedelta(days=1))  # the walk never goes back in time
        if day not in self.queued:
            self.queued.add(day)
            heapq.heappush(self.agenda, day)

    def _register(self, due: Due, falls: bool = True) -> None:
        if falls:
            self.falling.setdefault(due.due_date, []).append(due)
            self._when(due.due_date)
        fee_day = due.due_date + self.grace + timedelta(days=1)
        if not due.carried and fee_day > self.today:
            self.fee_days.setdefault(fee_day, []).append(due)
            self._when(fee_day)

    def _unregister(self, due: Due) -> None:
        for table, day in (
            (self.falling, due.due_date),
            (self.fee_days, due.due_date + self.grace + timedelta(days=1)),
        ):
            if due in table.get(day, ()):
                table[day].remove(due)

    def _add_due(self, due: Due, today: date) -> None:
        """An instalment an arrangement made: falls due on its date (now, if that has come)."""
        self.dues.append(due)
        self.reordered = True
        if due.due_date <= today:
            self._fall(due)
        self._register(due, falls=due.due_date > today)

    def _redate(self, due: Due, new_date: date, today: date) -> None:
        """Move an instalment's due date; one whose new date has come falls due now."""
        self._unregister(due)
        due.due_date = new_date
        self.reordered = True
        if not due.fallen_due and new_date <= today:
            self._fall(due)
        self._register(due, falls=not due.fallen_due)

    # -- the walk ---------------------------------------------------------------
    def run(
        self, payments: list[Payment], as_of: date, arrangements: tuple[ArrangementTerms, ...]
    ) -> None:
        for due in self.dues:
            self._register(due)
        by_day: dict[date, list[Payment]] = {}
        for payment in payments:
            by_day.setdefault(payment.paid_on, []).append(payment)
            self._when(payment.paid_on)
        self._plan_arrangements(arrangements)
        while self.agenda and self.agenda[0] <= as_of:
            day = heapq.heappop(self.agenda)
            self.today = day
            self._accrue_penalty_through(day - timedelta(days=1))
            if self.in_force:
                self._check_breaks(day)
            for due in self.fee_days.pop(day, ()):
                self._charge_late_fee(due, day)
            for due in self.falling.pop(day, ()):
                self._fall(due)
            for payment in by_day.get(day, ()):
                self._apply_payment(payment)
            if self.starting or self.in_force:
                self._settle_arrangements(day)
        self._accrue_penalty_through(as_of)

    def _fall(self, due: Due) -> None:
        due.fallen_due = True
        if not due.carried:
            self.recognised_interest += due.interest
        self.accruing.append(due)
        self._apply_credit()

    def _accrue_penalty_through(self, day: date) -> None:
        if day <= self.accrued_through:
            return
        still = []
        for due in self.accruing:
            principal = due.principal - due.paid_principal
            if principal <= 0:
                continue  # paid: no 罚息 from now on
            still.append(due)
            if due.unpaid_total() <= self.rules.tolerance_minor:
                continue
            since = max(self.accrued_through, due.due_date + self.grace)
            days = (day - since).days
            if self.pauses and days > 0:
                days -= self._frozen_days(since, day)  # a hardship pause charges nothing
            if days > 0:
                numerator, denominator = self.penalty_rate
                daily = round_ratio(principal * numerator, denominator, self.terms.rounding)
                due.penalty += days * daily
        self.accruing = still
        self.accrued_through = day

    def _charge_late_fee(self, due: Due, day: date) -> None:
        if due.unpaid_total() <= self.rules.tolerance_minor:
            return
        if self.pauses and self._paused_on(day):
            return
        fee = self.rules.late_fee_minor
        if self.rules.late_fee_cap_minor is not None:
            fee = min(fee, self.rules.late_fee_cap_minor - self.fees_charged)
        if fee > 0:
            due.fee += fee
            self.fees_charged += fee

    def _fallen_unpaid(self) -> list[Due]:
        if self.reordered:
            self.dues.sort(key=lambda d: (d.due_date, d.seq))
            self.reordered = False
        return [d for d in self.dues if d.fallen_due and d.unpaid_total() > 0]

    def _settle(self, amount: int) -> tuple[dict[Component, int], int]:
        """Allocate ``amount`` over fallen dues; returns per-component totals and leftover."""
        open_dues = self._fallen_unpaid()
        parts, left = allocate(amount, [d.unpaid_all() for d in open_dues], self.rules.waterfall)
        totals = dict.fromkeys(Component, 0)
        for due, part in zip(open_dues, parts, strict=True):
            for component, paid in part.items():
                due.pay(component, paid)
                totals[component] += paid
        return totals, left

    def _apply_credit(self) -> None:
        if self.credit == 0:
            return
        totals, left = self._settle(self.credit)
        for component, paid in totals.items():
            self.credit_applied[component] += paid
        self.credit = left

    def _apply_payment(self, payment: Payment) -> None:
        totals, left = self._settle(payment.amount_minor)
        if left:
            early, left = self._pay_off_early(payment.paid_on, left)
            for component, paid in early.items():
                totals[component] += paid
        if left and self.rules.overpayment is Overpayment.PREPAY_PRINCIPAL:
            prepaid = self._prepay(left)
            totals[Component.PRINCIPAL] += prepaid
            left -= prepaid
        self.credit += left
        allocation = {str(c): v for c, v in totals.items() if v}
        if left:
            allocation[CREDIT] = left
        self.allocations[payment.payment_id] = allocation

    def _pay_off_early(self, day: date, amount: int) -> tuple[dict[Component, int], int]:
        """Settle the loan if ``amount`` (with any credit) reaches the payoff: everything an
        arrangement carries that is not yet due, all principal not yet due, and the running
        period's interest earned so far. Interest not yet earned is not charged — paying
        the payoff quote closes the loan. A settlement in force is paid by its instalments.

        Returns what ``amount`` paid of each component, and what is left of it.
        """
        future = self._future_regular()
        carried = [d for d in self.dues if not d.fallen_due and d.carried]
        principal = sum(d.unpaid_principal() for d in future)
        if (principal == 0 and not carried) or self._held_minor():
            return {}, amount
        accrued = self._accrued_interest(day, future[0]) if principal else 0
        needs = [(c, v) for d in carried for c, v in d.unpaid_all().items() if v > 0]
        needs += [(Component.INTEREST, accrued), (Component.PRINCIPAL, principal)]
        if amount + self.credit < sum(v for _, v in needs):
            return {}, amount
        if principal:
            future[0].interest = future[0].paid_interest + accrued
            for due in future[1:]:
                due.interest = due.paid_interest
            for due in future:
                due.paid_interest = due.interest
                due.paid_principal = due.principal
        for due in carried:
            for component, unpaid in due.unpaid_all().items():
                due.pay(component, unpaid)
        paid: dict[Component, int] = {}
        left = amount
        for component, need in needs:
            from_amount = min(left, need)
            left -= from_amount
            paid[component] = paid.get(component, 0) + from_amount
            if need > from_amount:
                self.credit -= need - from_amount
                self.credit_applied[component] += need - from_amount
        return paid, left

    def _prepay(self, amount: int) -> int:
        """Reduce principal not yet due and re-amortise what remains over the same dates."""
        future = self._future_regular()
        remaining = sum(d.unpaid_principal() for d in future)
        used = min(amount, remaining)
        if used == 0:
            return 0
        left_principal = remaining - used
        self.prepaid_principal += used
        if left_principal == 0:
            periods = [(0, 0)] * len(future)
        elif self.method is RepaymentMethod.BULLET:
            interest = round_ratio(
                future[0].interest * left_principal, remaining, self.terms.rounding
            )
            periods = [(left_principal, interest)]
        else:
            periods = [
                (p.principal_minor, p.interest_minor)
                for p in amortize(
                    self.method,
                    left_principal,
                    self.annual_rate_percent,
                    len(future),
                    self.terms.rounding,
                )
            ]
        for due, (principal, interest) in zip(future, periods, strict=True):
            due.principal = principal
            due.interest = interest
        return used

    def _outstanding_principal(self) -> int:
        capitalised = sum(
            part.amount for active in self.in_force for part in active.pool if part.capitalised
        )
        return (
            self.terms.principal_minor
            + capitalised
            - self.prepaid_principal
            - sum(d.paid_principal for d in self.dues)
        )

    # -- the read-out -------------------------------------------------------------
    def state(self, as_of: date) -> LoanState:
        if self.reordered:
            self.dues.sort(key=lambda d: (d.due_date, d.seq))
        overdue = [d for d in self.dues if d.due_date < as_of]
        held = self._held_by_component()
        oldest = next((d for d in overdue if d.unpaid_total() > self.rules.tolerance_minor), None)
        dpd = (as_of - oldest.due_date).days if oldest else 0
        if dpd <= self.rules.grace_days:
            dpd = 0
        fallen = [d for d in self.dues if d.due_date <= as_of]
        future = [d for d in self.dues if d.due_date > as_of]
        regular = [d for d in future if not d.carried and not d.replaced]
        accrued = self._accrued_interest(as_of, regular[0] if regular else None)
        payoff = (
            sum(d.unpaid_total() for d in fallen)
            + sum(d.unpaid_total() if d.carried else d.unpaid_principal() for d in future)
            + accrued
            + self._held_minor()
            - self.credit
        )
        return LoanState(
            loan_id=self.terms.loan_id,
            currency=self.terms.currency,
            as_of=as_of,
            dpd=dpd,
            bucket=self.rules.buckets.label_for(dpd),
            oldest_unpaid_due_date=oldest.due_date if oldest else None,
            overdue_principal_minor=sum(d.unpaid_principal() for d in overdue),
            overdue_interest_minor=sum(d.interest - d.paid_interest for d in overdue),
            penalty_minor=sum(d.penalty - d.paid_penalty for d in fallen),
            fees_minor=sum(d.fee - d.paid_fee for d in fallen),
            outstanding_principal_minor=self._outstanding_principal(),
            accrued_interest_minor=accrued,
            credit_minor=self.credit,
            payoff_minor=max(payoff, 0),
            interest_recognized_minor=self.recognised_interest,
            penalty_accrued_minor=sum(d.penalty for d in self.dues)
            + held.get(Component.PENALTY, 0),
            fees_charged_minor=self.fees_charged,
            payment_allocations=self.allocations,
            credit_applied=self.credit_applied,
            installments=tuple(
                InstallmentState(d.seq, d.due_date, d.owed(), d.paid(), d.carried)
                for d in self.dues
            ),
            arrangements=self._arrangement_outcomes(),
            arrangement_postings=self._arrangement_postings(),
            next_arrangement_day=self._next_arrangement_day(as_of),
            arrangement_held=held,
        )

    def _accrued_interest(self, as_of: date, next_due: Due | None) -> int:
        """Interest of the running period earned so far, pro rata by days (for the payoff)."""
        if next_due is None:
            return 0
        earlier = [
            d.due_date
            for d in self.dues
            if d.due_date <= as_of
            and not d.carried
            and not d.replaced
            and d.due_date < next_due.due_date
        ]
        period_start = max(max(earlier, default=self.period_floor), self.period_floor)
        if as_of <= period_start:
            return 0
        elapsed = (as_of - period_start).days
        length = (next_due.due_date - period_start).days
        earned = round_ratio(next_due.interest * elapsed, length, self.terms.rounding)
        return min(earned, next_due.interest - next_due.paid_interest)
