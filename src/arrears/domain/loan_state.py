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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from arrears.domain.allocation import Component, allocate
from arrears.domain.money import round_ratio
from arrears.domain.schedule import Installment, RepaymentMethod, amortize
from arrears.domain.terms import LoanTerms, Overpayment, ProductRules

CREDIT = "credit"  # the allocation key for money held beyond what was due


@dataclass(frozen=True, slots=True)
class Payment:
    payment_id: str
    paid_on: date
    amount_minor: int


@dataclass(slots=True)
class _Due:
    """Working state of one installment during the replay: what is owed, what is paid."""

    seq: int
    due_date: date
    principal: int
    interest: int
    penalty: int = 0
    fee: int = 0
    paid_principal: int = 0
    paid_interest: int = 0
    paid_penalty: int = 0
    paid_fee: int = 0
    fallen_due: bool = False

    def unpaid_principal(self) -> int:
        return self.principal - self.paid_principal

    def unpaid_total(self) -> int:
        return (
            self.principal + self.interest + self.penalty + self.fee
            - self.paid_principal - self.paid_interest - self.paid_penalty - self.paid_fee
        )  # fmt: skip

    def unpaid(self, component: Component) -> int:
        return self.unpaid_all()[component]

    def unpaid_all(self) -> dict[Component, int]:
        return {
            Component.PENALTY: self.penalty - self.paid_penalty,
            Component.FEE: self.fee - self.paid_fee,
            Component.INTEREST: self.interest - self.paid_interest,
            Component.PRINCIPAL: self.principal - self.paid_principal,
        }

    def pay(self, component: Component, amount: int) -> None:
        if component is Component.PRINCIPAL:
            self.paid_principal += amount
        elif component is Component.INTEREST:
            self.paid_interest += amount
        elif component is Component.PENALTY:
            self.paid_penalty += amount
        else:
            self.paid_fee += amount

    def owed(self) -> dict[Component, int]:
        return {
            Component.PENALTY: self.penalty,
            Component.FEE: self.fee,
            Component.INTEREST: self.interest,
            Component.PRINCIPAL: self.principal,
        }

    def paid(self) -> dict[Component, int]:
        return {
            Component.PENALTY: self.paid_penalty,
            Component.FEE: self.paid_fee,
            Component.INTEREST: self.paid_interest,
            Component.PRINCIPAL: self.paid_principal,
        }


@dataclass(frozen=True, slots=True)
class InstallmentState:
    seq: int
    due_date: date
    owed: dict[Component, int]
    paid: dict[Component, int]

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
) -> LoanState:
    """The loan's state at the end of ``as_of``: after that day's payments and accruals."""
    replay = _Replay(terms, rules, schedule if schedule is not None else terms.schedule())
    replay.run(sorted(payments, key=lambda p: (p.paid_on, p.payment_id)), as_of)
    return replay.state(as_of)


class _Replay:
    def __init__(self, terms: LoanTerms, rules: ProductRules, schedule: Sequence[Installment]):
        self.terms = terms
        self.rules = rules
        self.schedule = schedule
        self.dues = [_Due(i.seq, i.due_date, i.principal_minor, i.interest_minor) for i in schedule]
        self.accruing: list[
            _Due
        ] = []  # fallen due with principal unpaid: the only ones 罚息 touches
        self.penalty_rate = daily_penalty_rate(terms, rules)
        self.grace = timedelta(days=rules.grace_days)
        self.accrued_through = terms.start_date
        self.credit = 0
        self.prepaid_principal = 0
        self.fees_charged = 0
        self.allocations: dict[str, dict[str, int]] = {}
        self.credit_applied = dict.fromkeys(Component, 0)

    # -- the walk ---------------------------------------------------------------
    def run(self, payments: list[Payment], as_of: date) -> None:
        fee_days = {d.due_date + self.grace + timedelta(days=1): d for d in self.dues}
        falling: dict[date, list[_Due]] = {}
        for due in self.dues:
            falling.setdefault(due.due_date, []).append(due)
        by_day: dict[date, list[Payment]] = {}
        for payment in payments:
            by_day.setdefault(payment.paid_on, []).append(payment)
        days = set(falling) | set(by_day) | set(fee_days)
        for day in sorted(d for d in days if d <= as_of):
            self._accrue_penalty_through(day - timedelta(days=1))
            if day in fee_days:
                self._charge_late_fee(fee_days[day])
            for due in falling.get(day, ()):
                due.fallen_due = True
                self.accruing.append(due)
                self._apply_credit()
            for payment in by_day.get(day, ()):
                self._apply_payment(payment)
        self._accrue_penalty_through(as_of)

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
            days = (day - max(self.accrued_through, due.due_date + self.grace)).days
            if days > 0:
                numerator, denominator = self.penalty_rate
                daily = round_ratio(principal * numerator, denominator, self.terms.rounding)
                due.penalty += days * daily
        self.accruing = still
        self.accrued_through = day

    def _charge_late_fee(self, due: _Due) -> None:
        if due.unpaid_total() <= self.rules.tolerance_minor:
            return
        fee = self.rules.late_fee_minor
        if self.rules.late_fee_cap_minor is not None:
            fee = min(fee, self.rules.late_fee_cap_minor - self.fees_charged)
        if fee > 0:
            due.fee += fee
            self.fees_charged += fee

    def _fallen_unpaid(self) -> list[_Due]:
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
            interest, principal, left = self._pay_off_early(payment.paid_on, left)
            totals[Component.INTEREST] += interest
            totals[Component.PRINCIPAL] += principal
        if left and self.rules.overpayment is Overpayment.PREPAY_PRINCIPAL:
            prepaid = self._prepay(left)
            totals[Component.PRINCIPAL] += prepaid
            left -= prepaid
        self.credit += left
        allocation = {str(c): v for c, v in totals.items() if v}
        if left:
            allocation[CREDIT] = left
        self.allocations[payment.payment_id] = allocation

    def _pay_off_early(self, day: date, amount: int) -> tuple[int, int, int]:
        """Settle the loan if ``amount`` (with any credit) reaches the payoff: all principal
        not yet due plus the running period's interest earned so far. Interest not yet
        earned is not charged — paying the payoff quote closes the loan.

        Returns (interest paid, principal paid, amount left) from ``amount``.
        """
        future = [d for d in self.dues if not d.fallen_due]
        principal = sum(d.unpaid_principal() for d in future)
        if not future or principal == 0:
            return 0, 0, amount
        accrued = self._accrued_interest(day, future[0])
        need = principal + accrued
        if amount + self.credit < need:
            return 0, 0, amount
        future[0].interest = future[0].paid_interest + accrued
        for due in future[1:]:
            due.interest = due.paid_interest
        for due in future:
            due.paid_interest = due.interest
            due.paid_principal = due.principal
        interest_paid = min(amount, accrued)
        principal_paid = min(amount - interest_paid, principal)
        from_credit = need - interest_paid - principal_paid
        if from_credit:
            self.credit -= from_credit
            self.credit_applied[Component.INTEREST] += accrued - interest_paid
            self.credit_applied[Component.PRINCIPAL] += principal - principal_paid
        return interest_paid, principal_paid, amount - interest_paid - principal_paid

    def _prepay(self, amount: int) -> int:
        """Reduce principal not yet due and re-amortise what remains over the same dates."""
        future = [d for d in self.dues if not d.fallen_due]
        remaining = sum(d.unpaid_principal() for d in future)
        used = min(amount, remaining)
        if used == 0:
            return 0
        left_principal = remaining - used
        self.prepaid_principal += used
        if left_principal == 0:
            periods = [(0, 0)] * len(future)
        elif self.terms.method is RepaymentMethod.BULLET:
            interest = round_ratio(
                future[0].interest * left_principal, remaining, self.terms.rounding
            )
            periods = [(left_principal, interest)]
        else:
            periods = [
                (p.principal_minor, p.interest_minor)
                for p in amortize(
                    self.terms.method,
                    left_principal,
                    self.terms.annual_rate_percent,
                    len(future),
                    self.terms.rounding,
                )
            ]
        for due, (principal, interest) in zip(future, periods, strict=True):
            due.principal = principal
            due.interest = interest
        return used

    # -- the read-out -------------------------------------------------------------
    def state(self, as_of: date) -> LoanState:
        overdue = [d for d in self.dues if d.due_date < as_of]
        oldest = next((d for d in overdue if d.unpaid_total() > self.rules.tolerance_minor), None)
        dpd = (as_of - oldest.due_date).days if oldest else 0
        if dpd <= self.rules.grace_days:
            dpd = 0
        fallen = [d for d in self.dues if d.due_date <= as_of]
        future = [d for d in self.dues if d.due_date > as_of]
        accrued = self._accrued_interest(as_of, future[0] if future else None)
        outstanding = (
            self.terms.principal_minor
            - self.prepaid_principal
            - sum(d.paid_principal for d in self.dues)
        )
        payoff = (
            sum(d.unpaid_total() for d in fallen)
            + sum(d.unpaid_principal() for d in future)
            + accrued
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
            penalty_minor=sum(d.penalty - d.paid_penalty for d in self.dues),
            fees_minor=sum(d.fee - d.paid_fee for d in self.dues),
            outstanding_principal_minor=outstanding,
            accrued_interest_minor=accrued,
            credit_minor=self.credit,
            payoff_minor=max(payoff, 0),
            interest_recognized_minor=sum(d.interest for d in fallen),
            penalty_accrued_minor=sum(d.penalty for d in self.dues),
            fees_charged_minor=self.fees_charged,
            payment_allocations=self.allocations,
            credit_applied=self.credit_applied,
            installments=tuple(
                InstallmentState(d.seq, d.due_date, d.owed(), d.paid()) for d in self.dues
            ),
        )

    def _accrued_interest(self, as_of: date, next_due: _Due | None) -> int:
        """Interest of the running period earned so far, pro rata by days (for the payoff)."""
        if next_due is None:
            return 0
        earlier = [d.due_date for d in self.dues if d.due_date <= as_of]
        period_start = earlier[-1] if earlier else self.terms.start_date
        if as_of <= period_start:
            return 0
        elapsed = (as_of - period_start).days
        length = (next_due.due_date - period_start).days
        earned = round_ratio(next_due.interest * elapsed, length, self.terms.rounding)
        return min(earned, next_due.interest - next_due.paid_interest)
