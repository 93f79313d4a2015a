"""What a loan is (its contract terms) and the rules of its product.

Terms come from the core lending system; product rules are the lender's
configuration (grace, tolerance, penalty rate, late fees, waterfall).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from arrears.domain.allocation import DEFAULT_WATERFALL, Waterfall
from arrears.domain.calendar import calendar_for
from arrears.domain.delinquency import DEFAULT_BUCKETS, Buckets
from arrears.domain.money import Rounding
from arrears.domain.schedule import Installment, RepaymentMethod, build_schedule


class Overpayment(StrEnum):
    """What happens to money beyond what is due."""

    CREDIT = "credit"  # held, and applied to later dues as they fall due
    PREPAY_PRINCIPAL = "prepay_principal"  # reduces principal; later dues re-amortised


@dataclass(frozen=True, slots=True)
class LoanTerms:
    loan_id: str
    currency: str
    principal_minor: int
    annual_rate_percent: Decimal
    term_months: int
    start_date: date
    method: RepaymentMethod
    rounding: Rounding = Rounding.HALF_UP
    first_due_date: date | None = None
    product: str = "default"
    holiday_calendar: str | None = None

    def schedule(self) -> tuple[Installment, ...]:
        return build_schedule(
            self.method,
            self.principal_minor,
            self.annual_rate_percent,
            self.term_months,
            self.rounding,
            self.start_date,
            self.first_due_date,
            calendar_for(self.holiday_calendar),
        )


@dataclass(frozen=True, slots=True)
class ProductRules:
    """A product's collection-relevant rules; the defaults are a common consumer loan.

    ``penalty_rate_multiplier`` × contract rate gives the 罚息 rate unless
    ``penalty_annual_rate_percent`` is set; ``penalty_day_basis`` 365 is ACT/365.
    """

    grace_days: int = 0
    tolerance_minor: int = 0
    penalty_annual_rate_percent: Decimal | None = None
    penalty_rate_multiplier: Decimal = Decimal("1.5")
    penalty_day_basis: int = 365
    late_fee_minor: int = 0
    late_fee_cap_minor: int | None = None
    waterfall: Waterfall = DEFAULT_WATERFALL
    overpayment: Overpayment = Overpayment.CREDIT
    buckets: Buckets = field(default=DEFAULT_BUCKETS)

    def __post_init__(self) -> None:
        if self.grace_days < 0 or self.tolerance_minor < 0 or self.late_fee_minor < 0:
            raise ValueError("grace days, tolerance and late fee cannot be negative")
        if self.penalty_day_basis not in (360, 365):
            raise ValueError("penalty day basis must be 360 or 365")

    def penalty_rate_percent(self, contract_rate_percent: Decimal) -> Decimal:
        if self.penalty_annual_rate_percent is not None:
            return self.penalty_annual_rate_percent
        return contract_rate_percent * self.penalty_rate_multiplier


DEFAULT_RULES = ProductRules()
