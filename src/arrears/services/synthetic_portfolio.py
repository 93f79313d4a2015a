"""Deterministic synthetic portfolios: realistic loans and repayments for demos and benchmarks.

``arrears demo`` shows newcomers a few thousand loans that look like a Chinese
consumer-finance book (手机分期, 现金贷, 先享后付, 信用卡分期); the ledger benchmark
writes a million 12-month loans as CSV (``write_portfolio_csv``, or the row
iterators for a caller that writes its own). Both come from one generator, so
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
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple, TextIO

from arrears.domain.money import exponent_of, format_major, round_ratio
from arrears.domain.records import LOAN_COLUMNS, PAYMENT_COLUMNS, LoanRecord, PaymentRecord
from arrears.services.synthetic_loans import (
    Plan,
    SyntheticLoan,
    draw_loans,
    loan_record,
    plan_of,
    region_named,
)
from arrears.services.synthetic_regions import pick

LOAN_HEADERS = LOAN_COLUMNS  # the import formats' columns, in order
PAYMENT_HEADERS = PAYMENT_COLUMNS

EARLIEST_DAYS_AHEAD = 5  # on-time payers pay up to this many days before the due day


class Behaviour(StrEnum):
    """How a synthetic borrower repays; one per loan."""

    ON_TIME = "on_time"  # each installment on its due date or a few days before
    LATE = "late"  # 1-45 days late, sometimes skipping one and catching up with the next
    PARTIAL = "partial"  # on time, but only 40-90% of some installments
    DEFAULTING = "defaulting"  # a few installments (maybe none), then nothing, ever
    EARLY_PAYOFF = "early_payoff"  # on time, then remaining principal + a month of interest


@dataclass(frozen=True, slots=True)
class Portfolio:
    """Loans, payments (by paid_on, then payment_id), how many loans follow each behaviour,
    and each loan's behaviour (the simulator starts its borrowers from it)."""

    loans: list[LoanRecord]
    payments: list[PaymentRecord]
    behaviour_counts: dict[str, int]
    behaviour_of: dict[str, str] = field(default_factory=dict)


Paid = list[tuple[int, int]]  # (day paid, amount_minor), in day order


class _Memo(dict[int, str]):
    """Text of a day or an amount, rendered once per run: a million loans repeat few of them."""

    def __init__(self, render: Callable[[int], str]) -> None:
        super().__init__()
        self.render = render

    def __missing__(self, key: int) -> str:
        text = self[key] = self.render(key)
        return text


class _Texts(NamedTuple):
    days: _Memo
    amounts: _Memo


def _texts(region_code: str) -> _Texts:
    currency = region_named(region_code).currency
    return _Texts(
        _Memo(lambda day: date.fromordinal(day).isoformat()),
        _Memo(lambda minor: format_major(minor, currency)),
    )


# -- public API -----------------------------------------------------------------------------


def generate_portfolio(
    count: int, as_of: date, seed: int = 7, region: str = "cn", *, term_months: int | None = None
) -> Portfolio:
    """``count`` loans with every payment made up to ``as_of``; terms follow each product.

    ``term_months`` forces one term on every loan (the benchmark's 12 months).
    """
    texts = _texts(region)
    loans: list[LoanRecord] = []
    payments: list[PaymentRecord] = []
    behaviours: Counter[Behaviour] = Counter()
    behaviour_of: dict[str, str] = {}
    for loan, behaviour, channel, paid in _simulate(count, as_of, seed, region, term_months):
        loans.append(loan_record(loan))
        behaviours[behaviour] += 1
        behaviour_of[loan.loan_id] = behaviour.value
        prefix = _payment_id_prefix(loan)
        payments.extend(
            PaymentRecord(
                f"{prefix}{k}",
                loan.loan_id,
                date.fromordinal(day),
                Decimal(texts.amounts[minor]),  # exactly the currency's decimals: "1234.50"
                loan.currency,
                channel,
            )
            for k, (day, minor) in enumerate(paid, start=1)
        )
    payments.sort(key=lambda payment: (payment.paid_on, payment.payment_id))
    return Portfolio(loans, payments, {b.value: behaviours[b] for b in Behaviour}, behaviour_of)


def iter_portfolio_rows(
    count: int, as_of: date, seed: int = 7, term_months: int | None = 12, region: str = "cn"
) -> Iterator[tuple[dict[str, str], list[dict[str, str]]]]:
    """Each loan's CSV row with its payment rows, one loan at a time (nothing is held).

    Keys are exactly ``LOAN_HEADERS`` / ``PAYMENT_HEADERS``, in order; empty text for
    no value. With ``term_months=None`` this is ``generate_portfolio`` as text, except
    that payments come loan by loan rather than sorted by date.
    """
    texts = _texts(region)
    for loan, _, channel, paid in _simulate(count, as_of, seed, region, term_months):
        yield (
            dict(zip(LOAN_HEADERS, _loan_values(loan, texts), strict=True)),
            [
                dict(zip(PAYMENT_HEADERS, values, strict=True))
                for values in _payment_values(loan, channel, paid, texts)
            ],
        )


def iter_loan_rows(
    count: int, as_of: date, seed: int = 7, term_months: int | None = 12, region: str = "cn"
) -> Iterator[dict[str, str]]:
    """The loans of ``iter_portfolio_rows`` alone; payments are not simulated, so this is fast."""
    texts = _texts(region)
    for loan in draw_loans(count, as_of, seed, region, term_months):
        yield dict(zip(LOAN_HEADERS, _loan_values(loan, texts), strict=True))


def iter_payment_rows(
    count: int, as_of: date, seed: int = 7, term_months: int | None = 12, region: str = "cn"
) -> Iterator[dict[str, str]]:
    """The payments of ``iter_portfolio_rows`` alone, loan by loan (not sorted by date)."""
    texts = _texts(region)
    for loan, _, channel, paid in _simulate(count, as_of, seed, region, term_months):
        for values in _payment_values(loan, channel, paid, texts):
            yield dict(zip(PAYMENT_HEADERS, values, strict=True))


def write_portfolio_csv(
    loans_file: TextIO,
    payments_file: TextIO,
    count: int,
    as_of: date,
    seed: int = 7,
    term_months: int | None = 12,
    region: str = "cn",
    mix: str = "subprime",
) -> tuple[int, int]:
    """Write ``iter_portfolio_rows`` as two CSV files, headers first; returns (loans, payments).

    The fast path for the benchmark: no dict per row and no ``csv`` quoting pass.
    No generated field holds a quote or line break, and only the address (the last
    column; a US city line) a comma (a test holds this), so quoting that one cell
    when it does makes the bytes equal ``csv.writer(file, lineterminator="\\n")``
    writing the same rows.
    Open the files with ``newline=""`` and ``encoding="utf-8"`` (names are Chinese).
    """
    texts = _texts(region)
    loans_file.write(",".join(LOAN_HEADERS) + "\n")
    payments_file.write(",".join(PAYMENT_HEADERS) + "\n")
    loan_lines: list[str] = []
    payment_lines: list[str] = []
    loans = payments = 0
    for loan, _, channel, paid in _simulate(count, as_of, seed, region, term_months, mix):
        values = _loan_values(loan, texts)
        if "," in values[-1]:  # "Springfield, IL 62704": quoted, as csv.writer quotes it
            values = (*values[:-1], f'"{values[-1]}"')
        loan_lines.append(",".join(values))
        payment_lines.extend(_payment_lines(loan, channel, paid, texts))
        if len(loan_lines) == _LINES_PER_WRITE:
            loans, payments = loans + len(loan_lines), payments + len(payment_lines)
            _write_lines(loans_file, loan_lines)
            _write_lines(payments_file, payment_lines)
    loans, payments = loans + len(loan_lines), payments + len(payment_lines)
    _write_lines(loans_file, loan_lines)
    _write_lines(payments_file, payment_lines)
    return loans, payments


_LINES_PER_WRITE = 10_000


def _write_lines(file: TextIO, lines: list[str]) -> None:
    if lines:
        file.write("\n".join(lines) + "\n")
        lines.clear()


# -- payments -------------------------------------------------------------------------------


def _simulate(
    count: int,
    as_of: date,
    seed: int,
    region_code: str,
    term_months: int | None,
    mix: str = "subprime",
) -> Iterator[tuple[SyntheticLoan, Behaviour, str, Paid]]:
    """Each loan with its behaviour, channel and the payments made up to ``as_of``."""
    channels = region_named(region_code).channels
    rng = random.Random(f"payments:{seed}")  # str seeds hash with SHA-512: stable across runs
    as_of_day = as_of.toordinal()
    payers = _payers(mix)
    for loan in draw_loans(count, as_of, seed, region_code, term_months):
        behaviour, payer = pick(rng, payers)
        channel = pick(rng, channels)
        plan = plan_of(loan)
        # Installments due later than this cannot be paid by as_of (none is paid > 5 days early).
        seen = bisect_right(plan.due_days, as_of_day + EARLIEST_DAYS_AHEAD)
        paid = payer(rng, loan, plan, seen)
        if paid and paid[-1][0] > as_of_day:
            paid = [payment for payment in paid if payment[0] <= as_of_day]
        yield loan, behaviour, channel, paid


def _pay_on_time(rng: random.Random, loan: SyntheticLoan, plan: Plan, seen: int) -> Paid:
    """Most borrowers are debited on the due day itself; the rest pay 1-5 days ahead."""
    draw = rng.random
    return [
        (due if (r := draw()) < 0.7 else due - 1 - int((r - 0.7) * 16.6), amount)
        for due, amount in zip(plan.due_days[:seen], plan.amounts_minor[:seen], strict=True)
    ]


def _pay_late(rng: random.Random, loan: SyntheticLoan, plan: Plan, seen: int) -> Paid:
    """A habitual delay, 1-45 days; one installment in eight skipped, then caught up.

    Habits are mostly a few days (squaring skews the draw), as most arrears cure in M1.
    """
    habit_days = 1 + int(rng.random() ** 2 * 30)
    last_due = plan.due_days[-1]
    paid: Paid = []
    owed, previous = 0, 0
    for due, amount in zip(plan.due_days[:seen], plan.amounts_minor[:seen], strict=True):
        owed += amount
        if due != last_due and rng.random() < 0.125:
            continue  # paid together with the next installment
        days_late = min(45, max(1, habit_days - 5 + int(rng.random() * 16)))
        previous = max(due + days_late, previous + 1)
        paid.append((previous, owed))
        owed = 0
    return paid


def _pay_partially(rng: random.Random, loan: SyntheticLoan, plan: Plan, seen: int) -> Paid:
    """Near the due day, but two installments in five only 40-90%, in whole yuan or dollars."""
    unit = 10 ** exponent_of(loan.currency)
    paid: Paid = []
    for due, amount in zip(plan.due_days[:seen], plan.amounts_minor[:seen], strict=True):
        paid_day = due + int(rng.random() * 4)
        if rng.random() < 0.4:
            percent = 40 + int(rng.random() * 51)
            amount = max(unit, amount * percent // 100 // unit * unit)
        paid.append((paid_day, amount))
    return paid


def _pay_then_stop(rng: random.Random, loan: SyntheticLoan, plan: Plan, seen: int) -> Paid:
    """One in five never pays (first-payment default); the rest pay 1-4 installments, never all."""
    r = rng.random()
    installments_paid = 0 if r < 0.2 else 1 + int((r - 0.2) * 5)
    installments_paid = min(installments_paid, len(plan.amounts_minor) - 1, seen)
    return [
        (due + int(rng.random() * 8), amount)
        for due, amount in zip(
            plan.due_days[:installments_paid], plan.amounts_minor[:installments_paid], strict=True
        )
    ]


def _pay_off_early(rng: random.Random, loan: SyntheticLoan, plan: Plan, seen: int) -> Paid:
    """On time for a while, then the remaining principal plus a month of interest in one go.

    The month's interest is the remaining principal at the periodic rate, rounded
    by the loan's policy: the interest part of the next installment. That is at
    least the payoff (which charges interest pro rata by days), so the loan closes
    and may keep a small credit.
    When to pay off depends on the whole term, so this one ignores ``seen``.
    """
    count = len(plan.amounts_minor)
    on_time = 0 if count == 1 else 1 + int(rng.random() * max(1, count - 2))
    paid = _pay_on_time(rng, loan, plan, on_time)
    if on_time:
        remaining = plan.remaining_minor[on_time - 1]
        paid_day = plan.due_days[on_time - 1] + 5 + int(rng.random() * 21)
    else:  # a bullet loan (or a one-month term): any day well inside the term
        remaining = loan.principal_minor
        span_days = plan.due_days[0] - loan.start_day
        paid_day = loan.start_day + 7 + int(rng.random() * max(1, span_days - 14))
    rate = Fraction(Decimal(loan.annual_rate_percent)) / 1200  # exact, as the schedule computes
    interest = round_ratio(remaining * rate.numerator, rate.denominator, loan.rounding)
    paid.append((paid_day, remaining + interest))
    return paid


Payer = Callable[[random.Random, SyntheticLoan, Plan, int], Paid]
_PAYER_OF: dict[Behaviour, Payer] = {
    Behaviour.ON_TIME: _pay_on_time,
    Behaviour.LATE: _pay_late,
    Behaviour.PARTIAL: _pay_partially,
    Behaviour.DEFAULTING: _pay_then_stop,
    Behaviour.EARLY_PAYOFF: _pay_off_early,
}

MIXES: dict[str, dict[Behaviour, int]] = {
    # a subprime book: about a quarter of loans late on any day
    "subprime": {
        Behaviour.ON_TIME: 65, Behaviour.LATE: 15, Behaviour.PARTIAL: 8,
        Behaviour.DEFAULTING: 8, Behaviour.EARLY_PAYOFF: 4,
    },
    # a prime book: about 8 % late on any day (the cycle benchmark's portfolio)
    "prime": {
        Behaviour.ON_TIME: 88, Behaviour.LATE: 4, Behaviour.PARTIAL: 2,
        Behaviour.DEFAULTING: 3, Behaviour.EARLY_PAYOFF: 3,
    },
}  # fmt: skip


def _payers(mix: str) -> tuple[tuple[Behaviour, Payer], ...]:
    """Shares per hundred loans; each payer sees the loan, its schedule and how many dues
    can be paid."""
    if mix not in MIXES:
        raise ValueError(f"unknown behaviour mix {mix!r}; choose one of {', '.join(MIXES)}")
    return tuple(
        (behaviour, _PAYER_OF[behaviour])
        for behaviour, per_hundred in MIXES[mix].items()
        for _ in range(per_hundred)
    )


# -- records and rows -----------------------------------------------------------------------


def _payment_id_prefix(loan: SyntheticLoan) -> str:
    return f"P{loan.number:08d}-"  # then the payment's number within the loan, from 1


def _loan_values(loan: SyntheticLoan, texts: _Texts) -> tuple[str, ...]:
    """The loan's fields as text, in ``LOAN_HEADERS`` order; empty text for no value."""
    borrower = loan.borrower
    return (
        loan.loan_id,
        borrower.borrower_id,
        loan.currency,
        texts.amounts[loan.principal_minor],
        loan.annual_rate_percent,
        str(loan.term_months),
        texts.days[loan.start_day],
        str(loan.method),  # a StrEnum's str is its value: "equal_installment"
        str(loan.rounding),
        "" if loan.first_due_day is None else texts.days[loan.first_due_day],
        loan.product,
        borrower.name,
        borrower.phone,
        borrower.email or "",
        borrower.timezone,
        borrower.language,
        _address_text(borrower.address),
    )


def _address_text(address: str | None) -> str:
    """An address as the loans file writes it: its lines separated by ``" | "``."""
    return address.replace("\n", " | ") if address else ""


def _payment_values(
    loan: SyntheticLoan, channel: str, paid: Paid, texts: _Texts
) -> list[tuple[str, str, str, str, str, str]]:
    """Each payment's fields as text, in ``PAYMENT_HEADERS`` order."""
    prefix, loan_id, currency = _payment_id_prefix(loan), loan.loan_id, loan.currency
    days, amounts = texts.days, texts.amounts
    return [
        (f"{prefix}{k}", loan_id, days[day], amounts[minor], currency, channel)
        for k, (day, minor) in enumerate(paid, start=1)
    ]


def _payment_lines(loan: SyntheticLoan, channel: str, paid: Paid, texts: _Texts) -> list[str]:
    """``",".join`` of each of ``_payment_values``, built in one step: the hottest loop here."""
    prefix, middle = _payment_id_prefix(loan), f",{loan.loan_id},"
    tail = f",{loan.currency},{channel}"
    days, amounts = texts.days, texts.amounts
    return [
        f"{prefix}{k}{middle}{days[day]},{amounts[minor]}{tail}"
        for k, (day, minor) in enumerate(paid, start=1)
    ]
