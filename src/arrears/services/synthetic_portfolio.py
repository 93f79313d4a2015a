"""Deterministic synthetic portfolios: realistic loans and repayments for demos and benchmarks.

``arrears demo`` shows newcomers a few thousand loans that look like a Chinese
consumer-finance book (手机分期, 现金贷, 先享后付, 信用卡分期); the ledger benchmark
streams a million 12-month loans as CSV rows. Both come from one generator, so
a seed always yields the same portfolio: ``random.Random`` instances only,
never the global generator, and no clock (``as_of`` is passed in).

Two random streams keep loans and payments independent: the loan stream
(seeded with ``seed``) draws every loan-file field, the payment stream (seeded
with ``"payments:<seed>"``) draws behaviours, channels and payment dates. So
``iter_loan_rows`` need not simulate payments and still matches the loans of
``iter_payment_rows`` and ``generate_portfolio`` for the same arguments.

>>> portfolio = generate_portfolio(3, date(2026, 6, 30), seed=7)
>>> [loan.currency for loan in portfolio.loans]
['CNY', 'CNY', 'CNY']
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from arrears.domain.calendar import add_months
from arrears.domain.money import Rounding, exponent_of, format_major, to_minor
from arrears.domain.records import LoanRecord, PaymentRecord
from arrears.domain.schedule import RepaymentMethod, amortize, due_dates, monthly_rate
from arrears.services.synthetic_regions import REGIONS, Borrower, Product, Region, pick

LOAN_HEADERS = (
    "loan_id",
    "borrower_id",
    "currency",
    "principal",
    "annual_rate",
    "term_months",
    "start_date",
    "repayment_method",
    "rounding",
    "first_due_date",
    "product",
    "borrower_name",
    "phone",
    "email",
    "timezone",
    "language",
)
PAYMENT_HEADERS = ("payment_id", "loan_id", "paid_on", "amount", "currency", "channel")

START_WINDOW_DAYS = 548  # start dates fall in the 18 months before as_of: every stage shows
REPEAT_BORROWER_SHARE = 0.08  # a loan taken by the previous loan's borrower (second loans exist)
UP_ROUNDING_SHARE = 0.15  # the rest round half up


class Behaviour(StrEnum):
    """How a synthetic borrower repays; one per loan."""

    ON_TIME = "on_time"  # each installment on its due date or a few days before
    LATE = "late"  # 1-45 days late, sometimes skipping one and catching up with the next
    PARTIAL = "partial"  # on time, but only 40-90% of some installments
    DEFAULTING = "defaulting"  # a few installments (maybe none), then nothing, ever
    EARLY_PAYOFF = "early_payoff"  # on time, then remaining principal + a month of interest


_BEHAVIOUR_TABLE: tuple[Behaviour, ...] = tuple(
    behaviour
    for behaviour, per_hundred in (
        (Behaviour.ON_TIME, 65),
        (Behaviour.LATE, 15),
        (Behaviour.PARTIAL, 8),
        (Behaviour.DEFAULTING, 8),
        (Behaviour.EARLY_PAYOFF, 4),
    )
    for _ in range(per_hundred)
)
_DAYS = tuple(timedelta(days=n) for n in range(800))


@dataclass(frozen=True, slots=True)
class Portfolio:
    """Loans, payments (by paid_on, then payment_id), and how many loans follow each behaviour."""

    loans: list[LoanRecord]
    payments: list[PaymentRecord]
    behaviour_counts: dict[str, int]


class _Loan(NamedTuple):
    loan_id: str
    number: int
    borrower: Borrower
    currency: str
    principal_minor: int
    annual_rate_percent: str  # two decimals, as the lender prices it: "18.00"
    term_months: int
    start_date: date
    method: RepaymentMethod
    rounding: Rounding
    first_due_date: date | None
    product: str


class _Plan(NamedTuple):
    """The schedule as payers need it: due dates, amounts due, principal left after each."""

    dates: tuple[date, ...]
    amounts_minor: tuple[int, ...]
    remaining_minor: tuple[int, ...]


Paid = list[tuple[date, int]]  # (paid_on, amount_minor), in date order


# -- public API -----------------------------------------------------------------------------


def generate_portfolio(
    count: int, as_of: date, seed: int = 7, region: str = "cn", *, term_months: int | None = None
) -> Portfolio:
    """``count`` loans with every payment made up to ``as_of``; terms follow each product.

    ``term_months`` forces one term on every loan (the benchmark's 12 months).
    """
    loans: list[LoanRecord] = []
    payments: list[PaymentRecord] = []
    behaviours: Counter[Behaviour] = Counter()
    for loan, behaviour, channel, paid in _simulate(count, as_of, seed, region, term_months):
        loans.append(_loan_record(loan))
        behaviours[behaviour] += 1
        payments.extend(
            PaymentRecord(
                _payment_id(loan, k),
                loan.loan_id,
                paid_on,
                Decimal(_major_text(minor, loan.currency)),  # exactly the currency's decimals
                loan.currency,
                channel,
            )
            for k, (paid_on, minor) in enumerate(paid, start=1)
        )
    payments.sort(key=lambda payment: (payment.paid_on, payment.payment_id))
    return Portfolio(loans, payments, {b.value: behaviours[b] for b in Behaviour})


def iter_portfolio_rows(
    count: int, as_of: date, seed: int = 7, term_months: int | None = 12, region: str = "cn"
) -> Iterator[tuple[dict[str, str], list[dict[str, str]]]]:
    """Each loan's CSV row with its payment rows, one loan at a time (nothing is held).

    Keys are exactly ``LOAN_HEADERS`` / ``PAYMENT_HEADERS``, in order; empty text for
    no value. With ``term_months=None`` this is ``generate_portfolio`` as text, except
    that payments come loan by loan rather than sorted by date.
    """
    for loan, _, channel, paid in _simulate(count, as_of, seed, region, term_months):
        yield _loan_row(loan), _payment_rows(loan, channel, paid)


def iter_loan_rows(
    count: int, as_of: date, seed: int = 7, term_months: int | None = 12, region: str = "cn"
) -> Iterator[dict[str, str]]:
    """The loans of ``iter_portfolio_rows`` alone; payments are not simulated, so this is fast."""
    for loan in _draw_loans(count, as_of, seed, region, term_months):
        yield _loan_row(loan)


def iter_payment_rows(
    count: int, as_of: date, seed: int = 7, term_months: int | None = 12, region: str = "cn"
) -> Iterator[dict[str, str]]:
    """The payments of ``iter_portfolio_rows`` alone, loan by loan (not sorted by date)."""
    for loan, _, channel, paid in _simulate(count, as_of, seed, region, term_months):
        yield from _payment_rows(loan, channel, paid)


# -- loans ----------------------------------------------------------------------------------


def _draw_loans(
    count: int, as_of: date, seed: int, region_code: str, term_months: int | None
) -> Iterator[_Loan]:
    """The loan stream: every loan-file field, and nothing that depends on payments."""
    region = _region(region_code)
    if count < 0 or (term_months is not None and term_months <= 0):
        raise ValueError("count cannot be negative and a forced term must be positive")
    rng = random.Random(seed)
    borrower: Borrower | None = None
    borrowers = 0
    for number in range(1, count + 1):
        if borrower is None or rng.random() >= REPEAT_BORROWER_SHARE:
            borrowers += 1
            borrower = region.new_borrower(rng, borrowers)
        yield _draw_loan(rng, number, as_of, region, borrower, term_months)


def _draw_loan(
    rng: random.Random,
    number: int,
    as_of: date,
    region: Region,
    borrower: Borrower,
    term_months: int | None,
) -> _Loan:
    product: Product = pick(rng, region.products)
    term = term_months or pick(rng, product.terms)
    method = pick(rng, product.short_methods if term <= 3 else product.methods)
    start = as_of - _DAYS[int(rng.random() * START_WINDOW_DAYS)]
    principal_minor = pick(rng, product.principals_minor)
    rate = pick(rng, product.rates)
    rounding = Rounding.UP if rng.random() < UP_ROUNDING_SHARE else Rounding.HALF_UP
    first_due = None
    if product.statement_due_days:
        first_due = _first_statement_due(start, pick(rng, product.statement_due_days))
    return _Loan(
        f"L{number:08d}",
        number,
        borrower,
        region.currency,
        principal_minor,
        rate,
        term,
        start,
        method,
        rounding,
        first_due,
        product.name,
    )


def _first_statement_due(start: date, due_day: int) -> date:
    """The first statement due day at least 20 days after the purchase, as card issuers bill."""
    due = add_months(start, 0, due_day)
    while (due - start).days < 20:
        due = add_months(due, 1, due_day)
    return due


def _region(code: str) -> Region:
    try:
        return REGIONS[code]
    except KeyError:
        raise ValueError(f"unknown region {code!r}; known: {', '.join(REGIONS)}") from None


# -- schedules ------------------------------------------------------------------------------


def _plan(loan: _Loan) -> _Plan:
    """``LoanTerms(...).schedule()`` without a holiday calendar, from two caches.

    A million schedules at ~60 µs each would take a minute; amounts repeat
    across loans (round principals, a few price tiers) and so do due dates
    (548 start days), so each is computed once. A test holds this equal to
    the domain's schedule.
    """
    amounts, remaining = _amounts(
        loan.method, loan.principal_minor, loan.annual_rate_percent, loan.term_months, loan.rounding
    )
    dates = _due_dates(loan.start_date, loan.term_months, loan.first_due_date)
    if loan.method is RepaymentMethod.BULLET:
        dates = dates[-1:]  # one installment at the end of the term, as build_schedule does
    return _Plan(dates, amounts, remaining)


@lru_cache(maxsize=1 << 17)
def _amounts(
    method: RepaymentMethod, principal_minor: int, rate: str, term_months: int, rounding: Rounding
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    periods = amortize(method, principal_minor, Decimal(rate), term_months, rounding)
    remaining, left = [], principal_minor
    for period in periods:
        left -= period.principal_minor
        remaining.append(left)
    return tuple(p.principal_minor + p.interest_minor for p in periods), tuple(remaining)


@lru_cache(maxsize=1 << 15)
def _due_dates(start: date, term_months: int, first_due: date | None) -> tuple[date, ...]:
    return tuple(due_dates(start, term_months, first_due))


# -- payments -------------------------------------------------------------------------------


def _simulate(
    count: int, as_of: date, seed: int, region_code: str, term_months: int | None
) -> Iterator[tuple[_Loan, Behaviour, str, Paid]]:
    """Each loan with its behaviour, channel and the payments made up to ``as_of``."""
    channels = _region(region_code).channels
    rng = random.Random(f"payments:{seed}")  # str seeds hash with SHA-512: stable across runs
    for loan in _draw_loans(count, as_of, seed, region_code, term_months):
        behaviour = pick(rng, _BEHAVIOUR_TABLE)
        channel = pick(rng, channels)
        paid = _PAYERS[behaviour](rng, loan, _plan(loan))
        yield loan, behaviour, channel, _up_to(paid, as_of)


def _up_to(paid: Paid, as_of: date) -> Paid:
    """The payments made by ``as_of``; every payer returns them in date order."""
    for index, (paid_on, _) in enumerate(paid):
        if paid_on > as_of:
            return paid[:index]
    return paid


def _on_or_before(rng: random.Random, due: date) -> date:
    # Most borrowers are debited on the due date itself; the rest pay 1-5 days ahead.
    r = rng.random()
    return due if r < 0.7 else due - _DAYS[1 + int((r - 0.7) * 16.6)]


def _pay_on_time(rng: random.Random, loan: _Loan, plan: _Plan) -> Paid:
    return [
        (_on_or_before(rng, due), owed)
        for due, owed in zip(plan.dates, plan.amounts_minor, strict=True)
    ]


def _pay_late(rng: random.Random, loan: _Loan, plan: _Plan) -> Paid:
    """A habitual delay of a few days to weeks; one installment in eight skipped, then caught up."""
    habit_days = 1 + int(rng.random() * 20)
    last_due = plan.dates[-1]
    paid: Paid = []
    owed, previous = 0, date.min
    for due, amount in zip(plan.dates, plan.amounts_minor, strict=True):
        owed += amount
        if due != last_due and rng.random() < 0.125:
            continue  # paid together with the next installment
        days_late = min(45, max(1, habit_days - 5 + int(rng.random() * 16)))
        paid_on = max(due + _DAYS[days_late], previous + _DAYS[1])
        paid.append((paid_on, owed))
        owed, previous = 0, paid_on
    return paid


def _pay_partially(rng: random.Random, loan: _Loan, plan: _Plan) -> Paid:
    """Near the due date, but two installments in five only 40-90%, in whole yuan or dollars."""
    unit = 10 ** exponent_of(loan.currency)
    paid: Paid = []
    for due, amount in zip(plan.dates, plan.amounts_minor, strict=True):
        paid_on = due + _DAYS[int(rng.random() * 4)]
        if rng.random() < 0.4:
            percent = 40 + int(rng.random() * 51)
            amount = max(unit, amount * percent // 100 // unit * unit)
        paid.append((paid_on, amount))
    return paid


def _pay_then_stop(rng: random.Random, loan: _Loan, plan: _Plan) -> Paid:
    """One in five never pays (first-payment default); the rest pay 1-4 installments, never all."""
    r = rng.random()
    installments_paid = 0 if r < 0.2 else 1 + int((r - 0.2) * 5)
    installments_paid = min(installments_paid, len(plan.amounts_minor) - 1)
    return [
        (due + _DAYS[int(rng.random() * 8)], amount)
        for due, amount in zip(
            plan.dates[:installments_paid], plan.amounts_minor[:installments_paid], strict=True
        )
    ]


def _pay_off_early(rng: random.Random, loan: _Loan, plan: _Plan) -> Paid:
    """On time for a while, then the remaining principal plus a month of interest in one go.

    The month's interest is the remaining principal at the periodic rate, rounded
    by the loan's policy: the interest part of the next 等额本息 or 等额本金 installment.
    """
    count = len(plan.amounts_minor)
    on_time = 0 if count == 1 else 1 + int(rng.random() * max(1, count - 2))
    paid = _pay_on_time(
        rng,
        loan,
        plan._replace(dates=plan.dates[:on_time], amounts_minor=plan.amounts_minor[:on_time]),
    )
    if on_time:
        remaining = plan.remaining_minor[on_time - 1]
        paid_on = plan.dates[on_time - 1] + _DAYS[5 + int(rng.random() * 21)]
    else:  # a bullet loan (or a one-month term): any day well inside the term
        remaining = loan.principal_minor
        span_days = (plan.dates[0] - loan.start_date).days
        paid_on = loan.start_date + _DAYS[7 + int(rng.random() * max(1, span_days - 14))]
    rate = monthly_rate(Decimal(loan.annual_rate_percent))
    paid.append((paid_on, remaining + to_minor(remaining * rate, loan.rounding)))
    return paid


_PAYERS = {
    Behaviour.ON_TIME: _pay_on_time,
    Behaviour.LATE: _pay_late,
    Behaviour.PARTIAL: _pay_partially,
    Behaviour.DEFAULTING: _pay_then_stop,
    Behaviour.EARLY_PAYOFF: _pay_off_early,
}


# -- records and rows -----------------------------------------------------------------------

_major_text = lru_cache(maxsize=1 << 16)(format_major)


def _payment_id(loan: _Loan, k: int) -> str:
    return f"P{loan.number:08d}-{k}"


def _loan_record(loan: _Loan) -> LoanRecord:
    borrower = loan.borrower
    return LoanRecord(
        loan.loan_id,
        borrower.borrower_id,
        loan.currency,
        loan.principal_minor,
        Decimal(loan.annual_rate_percent),
        loan.term_months,
        loan.start_date,
        loan.method,
        loan.rounding,
        loan.first_due_date,
        loan.product,
        borrower.name,
        borrower.phone,
        borrower.email,
        borrower.timezone,
        borrower.language,
    )


def _loan_row(loan: _Loan) -> dict[str, str]:
    borrower = loan.borrower
    return {
        "loan_id": loan.loan_id,
        "borrower_id": borrower.borrower_id,
        "currency": loan.currency,
        "principal": _major_text(loan.principal_minor, loan.currency),
        "annual_rate": loan.annual_rate_percent,
        "term_months": str(loan.term_months),
        "start_date": loan.start_date.isoformat(),
        "repayment_method": loan.method.value,
        "rounding": loan.rounding.value,
        "first_due_date": loan.first_due_date.isoformat() if loan.first_due_date else "",
        "product": loan.product,
        "borrower_name": borrower.name,
        "phone": borrower.phone,
        "email": borrower.email or "",
        "timezone": borrower.timezone,
        "language": borrower.language,
    }


def _payment_rows(loan: _Loan, channel: str, paid: Paid) -> list[dict[str, str]]:
    return [
        {
            "payment_id": _payment_id(loan, k),
            "loan_id": loan.loan_id,
            "paid_on": paid_on.isoformat(),
            "amount": _major_text(minor, loan.currency),
            "currency": loan.currency,
            "channel": channel,
        }
        for k, (paid_on, minor) in enumerate(paid, start=1)
    ]
