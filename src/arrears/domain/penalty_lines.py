"""The 罚息 (penalty interest) of one loan, explained period by period: for each instalment,
each run of days on which its unpaid principal (the base) stayed the same, with the
daily rate and the amount charged.

A borrower is owed an explanation they can check with a calculator (GB/T 45251-2025
asks that fees be shown item by item; Reg F's itemization does the same in the US).
The figures come from the reference replay (``domain.loan_state``) asked at each day the
base can change, so the lines add up to exactly what the ledger and its journal hold:

>>> from decimal import Decimal
>>> from arrears.domain.schedule import RepaymentMethod
>>> from arrears.domain.terms import LoanTerms, ProductRules
>>> terms = LoanTerms("L1", "CNY", 120000, Decimal("14.6"), 1, date(2026, 1, 1),
...                   RepaymentMethod.EQUAL_INSTALLMENT)
>>> [(str(x.first_day), str(x.last_day), x.base_minor, x.daily_minor, x.amount_minor)
...  for x in penalty_lines(terms, ProductRules(), [], date(2026, 2, 11))]
[('2026-02-02', '2026-02-11', 120000, 72, 720)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from arrears.domain.allocation import Component
from arrears.domain.arrangements import ArrangementTerms
from arrears.domain.loan_state import LoanState, Payment, daily_penalty_rate, loan_state
from arrears.domain.money import round_ratio
from arrears.domain.schedule import Installment
from arrears.domain.terms import LoanTerms, ProductRules

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PenaltyLine:
    """罚息 on one instalment's unpaid principal for the days ``first_day``..``last_day``:
    ``days_charged`` × ``daily_minor`` = ``amount_minor`` (fewer days than the calendar
    holds where a hardship pause froze some)."""

    seq: int
    due_date: date
    first_day: date
    last_day: date
    base_minor: int  # the instalment's unpaid principal on those days
    annual_rate_percent: Decimal  # the 罚息 rate a year
    day_basis: int  # 365 or 360
    daily_minor: int  # base × rate / basis, rounded once per day by the loan's policy
    days_charged: int
    amount_minor: int


def penalty_lines(
    terms: LoanTerms,
    rules: ProductRules,
    payments: Sequence[Payment],
    as_of: date,
    schedule: Sequence[Installment] | None = None,
    arrangements: Sequence[ArrangementTerms] = (),
) -> list[PenaltyLine]:
    """Every accrual of 罚息 through ``as_of``, by instalment, then by first day."""

    def state(day: date) -> LoanState:
        return loan_state(terms, rules, payments, day, schedule, arrangements)

    if as_of <= terms.start_date:
        return []
    lines: list[PenaltyLine] = []
    before = state(terms.start_date)
    for last in _checkpoints(terms, rules, payments, as_of, state(as_of), arrangements):
        after = state(last)
        lines.extend(_lines_between(terms, rules, before, after))
        before = after
    return _merged(sorted(lines, key=lambda line: (line.due_date, line.seq, line.first_day)))


def _merged(lines: list[PenaltyLine]) -> list[PenaltyLine]:
    """Runs of days split only by a change elsewhere in the loan, joined back into one."""
    joined: list[PenaltyLine] = []
    for line in lines:
        last = joined[-1] if joined else None
        if (
            last is not None
            and (last.seq, last.base_minor, last.daily_minor)
            == (line.seq, line.base_minor, line.daily_minor)
            and last.last_day + ONE_DAY == line.first_day
        ):
            joined[-1] = replace(
                last, last_day=line.last_day, days_charged=last.days_charged + line.days_charged,
                amount_minor=last.amount_minor + line.amount_minor,
            )  # fmt: skip
        else:
            joined.append(line)
    return joined


def _checkpoints(
    terms: LoanTerms,
    rules: ProductRules,
    payments: Sequence[Payment],
    as_of: date,
    final: LoanState,
    arrangements: Sequence[ArrangementTerms],
) -> list[date]:
    """The last day of each run of days with unchanged bases: the day before anything can
    change one (a payment, an instalment falling due or leaving grace, an arrangement
    starting or ending), and ``as_of``."""
    grace = timedelta(days=rules.grace_days)
    changes = {p.paid_on for p in payments}
    for instalment in final.installments:
        changes |= {instalment.due_date, instalment.due_date + grace + ONE_DAY}
    for arrangement in arrangements:
        changes |= {arrangement.starts_on + ONE_DAY}
        if arrangement.cancelled_on is not None:
            changes.add(arrangement.cancelled_on + ONE_DAY)
    days = {day - ONE_DAY for day in changes if terms.start_date < day - ONE_DAY < as_of}
    return sorted(days | {as_of})


def _lines_between(
    terms: LoanTerms, rules: ProductRules, before: LoanState, after: LoanState
) -> list[PenaltyLine]:
    earlier = {i.seq: i.owed.get(Component.PENALTY, 0) for i in before.installments}
    numerator, denominator = daily_penalty_rate(terms, rules)
    lines = []
    for instalment in after.installments:
        amount = instalment.owed.get(Component.PENALTY, 0) - earlier.get(instalment.seq, 0)
        if amount <= 0:
            continue  # nothing accrued (a waiver lowers it: that is the arrangement's line)
        base = instalment.owed.get(Component.PRINCIPAL, 0) - instalment.paid.get(
            Component.PRINCIPAL, 0
        )
        daily = round_ratio(base * numerator, denominator, terms.rounding)
        calendar_days = (after.as_of - before.as_of).days
        days = amount // daily if daily > 0 and amount % daily == 0 else calendar_days
        first = max(before.as_of + ONE_DAY, instalment.due_date + timedelta(rules.grace_days + 1))
        lines.append(
            PenaltyLine(
                instalment.seq, instalment.due_date, first, after.as_of, base,
                rules.penalty_rate_percent(terms.annual_rate_percent), rules.penalty_day_basis,
                daily, days, amount,
            )
        )  # fmt: skip
    return lines
