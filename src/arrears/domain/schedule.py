"""Repayment schedules for monthly loans: 等额本息, 等额本金, 先息后本, 一次性还本付息.

The periodic rate is the annual rate / 12. Interest per period and the annuity
installment are rounded by the loan's policy; the last installment absorbs the
residue, so principal parts always sum exactly to the principal.

>>> [(i.principal_minor, i.interest_minor) for i in amortize(
...     RepaymentMethod.EQUAL_PRINCIPAL, 300000, Decimal("12"), 3, Rounding.HALF_UP)]
[(100000, 3000), (100000, 2000), (100000, 1000)]
"""

from __future__ import annotations

import decimal
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from arrears.domain.calendar import (
    BusinessCalendar,
    EveryDay,
    add_months,
    monthly_due_dates,
    next_business_day,
)
from arrears.domain.money import Rounding, round_ratio


class RepaymentMethod(StrEnum):
    EQUAL_INSTALLMENT = "equal_installment"  # 等额本息 (annuity)
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_ONLY = "interest_only"  # 先息后本
    BULLET = "bullet"  # 一次性还本付息


class Period(NamedTuple):
    """Amounts of one period, before dates are attached."""

    principal_minor: int
    interest_minor: int


class Installment(NamedTuple):
    """One scheduled due: what falls due on ``due_date``."""

    seq: int
    due_date: date
    principal_minor: int
    interest_minor: int
    remaining_principal_minor: int

    @property
    def installment_minor(self) -> int:
        return self.principal_minor + self.interest_minor


_CONTEXT = decimal.Context(prec=40)
_TWELVE_HUNDRED = Decimal(1200)


def monthly_rate(annual_rate_percent: Decimal) -> Decimal:
    """Periodic rate as a Decimal fraction: ``monthly_rate(Decimal("12")) == Decimal("0.01")``."""
    return _CONTEXT.divide(annual_rate_percent, _TWELVE_HUNDRED)


@lru_cache(maxsize=4096)
def _rate_ratio(annual_rate_percent: Decimal) -> tuple[int, int]:
    """The periodic rate as an exact fraction ``(numerator, denominator)``: percent / 1200."""
    rate = Fraction(annual_rate_percent) / 1200
    return rate.numerator, rate.denominator


def annuity_installment_minor(
    principal_minor: int, annual_rate_percent: Decimal, term_months: int, rounding: Rounding
) -> int:
    """The level 等额本息 installment P·r·g/(g−1), g = (1+r)^n, rounded by the policy.

    Computed on the exact rational rate, so no digits are lost before the one rounding;
    ``up`` rounds a fractional installment to the next minor unit.
    """
    a, b = _rate_ratio(annual_rate_percent)
    if a == 0:
        return round_ratio(principal_minor, term_months, rounding)
    growth, base = (b + a) ** term_months, b**term_months
    return round_ratio(principal_minor * a * growth, b * (growth - base), rounding)


def amortize(
    method: RepaymentMethod,
    principal_minor: int,
    annual_rate_percent: Decimal,
    term_months: int,
    rounding: Rounding,
) -> list[Period]:
    """Principal and interest of each period (one period for a bullet loan)."""
    return list(_amortize(method, principal_minor, annual_rate_percent, term_months, rounding))


@lru_cache(maxsize=65536)  # products repeat amounts and rates: many loans share a schedule
def _amortize(
    method: RepaymentMethod,
    principal_minor: int,
    annual_rate_percent: Decimal,
    term_months: int,
    rounding: Rounding,
) -> tuple[Period, ...]:
    if principal_minor <= 0 or term_months <= 0:
        raise ValueError("principal and term must be positive")
    a, b = _rate_ratio(annual_rate_percent)
    if method is RepaymentMethod.BULLET:
        return (
            Period(principal_minor, round_ratio(principal_minor * a * term_months, b, rounding)),
        )
    if method is RepaymentMethod.INTEREST_ONLY:
        interest = round_ratio(principal_minor * a, b, rounding)
        return (Period(0, interest),) * (term_months - 1) + (Period(principal_minor, interest),)
    if method is RepaymentMethod.EQUAL_INSTALLMENT:
        level = annuity_installment_minor(
            principal_minor, annual_rate_percent, term_months, rounding
        )
        return _declining(principal_minor, a, b, term_months, rounding, level_installment=level)
    level_principal = round_ratio(principal_minor, term_months, rounding)
    return _declining(principal_minor, a, b, term_months, rounding, level_principal=level_principal)


def _declining(
    principal_minor: int,
    rate_numerator: int,
    rate_denominator: int,
    term_months: int,
    rounding: Rounding,
    *,
    level_installment: int | None = None,
    level_principal: int | None = None,
) -> tuple[Period, ...]:
    """Walk the remaining principal down; interest each period on what remains."""
    periods: list[Period] = []
    remaining = principal_minor
    last = term_months - 1
    for k in range(term_months):
        interest = round_ratio(remaining * rate_numerator, rate_denominator, rounding)
        if k == last:
            principal = remaining  # the last period absorbs every rounding residue
        elif level_installment is not None:
            principal = min(max(level_installment - interest, 0), remaining)
        else:
            principal = min(level_principal or 0, remaining)
        periods.append(Period(principal, interest))
        remaining -= principal
    return tuple(periods)


def due_dates(
    start_date: date,
    count: int,
    first_due_date: date | None = None,
    business_calendar: BusinessCalendar | None = None,
) -> list[date]:
    """Monthly due dates from the first (default: one month after start), moved to business days.

    Moving a date to the next business day never shifts the dates after it.
    """
    return list(_due_dates(start_date, count, first_due_date, business_calendar))


@lru_cache(maxsize=65536)  # a portfolio shares few start dates: most loans hit the cache
def _due_dates(
    start_date: date,
    count: int,
    first_due_date: date | None,
    business_calendar: BusinessCalendar | None,
) -> tuple[date, ...]:
    if first_due_date is None:
        # Anchored on the start date's day, so a loan started Jan 31 falls due Feb 28, Mar 31, ...
        nominal = [add_months(start_date, k, start_date.day) for k in range(1, count + 1)]
    else:
        nominal = monthly_due_dates(first_due_date, count)
    if business_calendar is None or isinstance(business_calendar, EveryDay):
        return tuple(nominal)
    return tuple(next_business_day(day, business_calendar) for day in nominal)


def build_schedule(
    method: RepaymentMethod,
    principal_minor: int,
    annual_rate_percent: Decimal,
    term_months: int,
    rounding: Rounding,
    start_date: date,
    first_due_date: date | None = None,
    business_calendar: BusinessCalendar | None = None,
) -> tuple[Installment, ...]:
    """The dated schedule of a loan; a bullet loan has one installment at the end of its term."""
    periods = _amortize(method, principal_minor, annual_rate_percent, term_months, rounding)
    dates = _due_dates(start_date, term_months, first_due_date, business_calendar)
    if method is RepaymentMethod.BULLET:
        dates = dates[-1:]
    installments = []
    remaining = principal_minor
    make = tuple.__new__  # NamedTuple's own __new__ is Python code; a million loans notice
    for seq, (period, due) in enumerate(zip(periods, dates, strict=True), start=1):
        principal, interest = period
        remaining -= principal
        installments.append(make(Installment, (seq, due, principal, interest, remaining)))
    return tuple(installments)
