"""Synthetic loans: the loan-file half of a synthetic portfolio, and their schedules.

One ``random.Random(seed)`` stream draws every loan-file field in order, so the
loans of a seed never depend on how their payments are simulated; borrowers'
postal addresses come from a stream of their own (``"addresses:<seed>"``), one
draw per new borrower, so they leave the loan stream as it was. Days are
ordinals (``date.toordinal``) until they become records or text: a million
loans do a lot of date sums, and integer sums are cheap.

>>> loan = next(draw_loans(1, date(2026, 6, 30), seed=7, region_code="cn", term_months=None))
>>> loan.loan_id, loan.currency
('L00000001', 'CNY')
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from arrears.domain.calendar import add_months
from arrears.domain.money import Rounding
from arrears.domain.records import LoanRecord
from arrears.domain.schedule import RepaymentMethod, amortize, due_dates
from arrears.services.synthetic_addresses import ADDRESS_MAKERS
from arrears.services.synthetic_regions import REGIONS, Borrower, Product, Region, pick

START_WINDOW_DAYS = 548  # start dates fall in the 18 months before as_of: every stage shows
REPEAT_BORROWER_SHARE = 0.08  # a loan taken by the previous loan's borrower (second loans exist)
UP_ROUNDING_SHARE = 0.15  # the rest round half up
# Looking up an enum member on its class costs ~0.2 µs; a million loans look up a few each.
_UP, _HALF_UP, _BULLET = Rounding.UP, Rounding.HALF_UP, RepaymentMethod.BULLET


class SyntheticLoan(NamedTuple):
    """A drawn loan: a ``LoanRecord`` with days as ordinals and the rate as priced text."""

    loan_id: str
    number: int
    borrower: Borrower
    currency: str
    principal_minor: int
    annual_rate_percent: str  # two decimals, as the lender prices it: "18.00"
    term_months: int
    start_day: int
    method: RepaymentMethod
    rounding: Rounding
    first_due_day: int | None
    product: str


class Plan(NamedTuple):
    """The schedule as payers need it: due days, amounts due, principal left after each."""

    due_days: tuple[int, ...]
    amounts_minor: tuple[int, ...]
    remaining_minor: tuple[int, ...]


def draw_loans(
    count: int, as_of: date, seed: int, region_code: str, term_months: int | None
) -> Iterator[SyntheticLoan]:
    """The loan stream: every loan-file field, and nothing that depends on payments."""
    region = region_named(region_code)
    if count < 0 or (term_months is not None and term_months <= 0):
        raise ValueError("count cannot be negative and a forced term must be positive")
    rng = random.Random(seed)
    addresses = random.Random(f"addresses:{seed}")  # str seeds hash with SHA-512: stable
    new_address = ADDRESS_MAKERS[region_code]
    as_of_day = as_of.toordinal()
    borrower: Borrower | None = None
    borrowers = 0
    for number in range(1, count + 1):
        if borrower is None or rng.random() >= REPEAT_BORROWER_SHARE:
            borrowers += 1
            borrower = region.new_borrower(rng, borrowers)
            borrower = borrower._replace(address=new_address(addresses, borrower.timezone))
        yield _draw_one(rng, number, as_of_day, region, borrower, term_months)


def _draw_one(
    rng: random.Random,
    number: int,
    as_of_day: int,
    region: Region,
    borrower: Borrower,
    term_months: int | None,
) -> SyntheticLoan:
    product: Product = pick(rng, region.products)
    term = term_months or pick(rng, product.terms)
    method = pick(rng, product.short_methods if term <= 3 else product.methods)
    start_day = as_of_day - int(rng.random() * START_WINDOW_DAYS)
    principal_minor = pick(rng, product.principals_minor)
    rate = pick(rng, product.rates)
    rounding = _UP if rng.random() < UP_ROUNDING_SHARE else _HALF_UP
    first_due_day = None
    if product.statement_due_days:
        first_due_day = _first_statement_due(start_day, pick(rng, product.statement_due_days))
    return SyntheticLoan(
        f"L{number:08d}",
        number,
        borrower,
        region.currency,
        principal_minor,
        rate,
        term,
        start_day,
        method,
        rounding,
        first_due_day,
        product.name,
    )


def _first_statement_due(start_day: int, due_day_of_month: int) -> int:
    """The first statement due day at least 20 days after the purchase, as card issuers bill."""
    start = date.fromordinal(start_day)
    due = add_months(start, 0, due_day_of_month)
    while (due - start).days < 20:
        due = add_months(due, 1, due_day_of_month)
    return due.toordinal()


def region_named(code: str) -> Region:
    """The region tables for ``"cn"`` or ``"us"``; anything else is a ``ValueError``."""
    try:
        return REGIONS[code]
    except KeyError:
        raise ValueError(f"unknown region {code!r}; known: {', '.join(REGIONS)}") from None


# -- schedules ------------------------------------------------------------------------------


def plan_of(loan: SyntheticLoan) -> Plan:
    """``LoanTerms(...).schedule()`` without a holiday calendar, from two caches.

    A million schedules at ~60 µs each would take a minute; amounts repeat
    across loans (round principals, a few price tiers) and so do due dates
    (548 start days), so each is computed once. A test holds this equal to
    the domain's schedule.
    """
    amounts, remaining = _amounts(
        loan.method, loan.principal_minor, loan.annual_rate_percent, loan.term_months, loan.rounding
    )
    due_days = _due_days(loan.start_day, loan.term_months, loan.first_due_day)
    if loan.method is _BULLET:
        due_days = due_days[-1:]  # one installment at the end of the term, as build_schedule does
    return Plan(due_days, amounts, remaining)


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
def _due_days(start_day: int, term_months: int, first_due_day: int | None) -> tuple[int, ...]:
    first_due = None if first_due_day is None else date.fromordinal(first_due_day)
    dates = due_dates(date.fromordinal(start_day), term_months, first_due)
    return tuple(day.toordinal() for day in dates)


# -- records ------------------------------------------------------------------------------


def loan_record(loan: SyntheticLoan) -> LoanRecord:
    """The loan as the importer would have validated it."""
    borrower = loan.borrower
    first_due = loan.first_due_day
    return LoanRecord(
        loan.loan_id,
        borrower.borrower_id,
        loan.currency,
        loan.principal_minor,
        Decimal(loan.annual_rate_percent),
        loan.term_months,
        date.fromordinal(loan.start_day),
        loan.method,
        loan.rounding,
        None if first_due is None else date.fromordinal(first_due),
        loan.product,
        borrower.name,
        borrower.phone,
        borrower.email,
        borrower.timezone,
        borrower.language,
        borrower.address,
    )
