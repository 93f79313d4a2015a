"""Validated input records: what a row of a loans or payments file becomes.

Amounts are already exact minor units; the CSV edge turns text into these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arrears.domain.money import Rounding
from arrears.domain.schedule import RepaymentMethod

# The columns of the import files (docs/import.md): the required ones first.
LOAN_COLUMNS = (
    "loan_id", "borrower_id", "currency", "principal", "annual_rate", "term_months",
    "start_date", "repayment_method", "rounding",
    "first_due_date", "product", "borrower_name", "phone", "email", "timezone", "language",
    "address",
)  # fmt: skip
LOAN_COLUMNS_REQUIRED = LOAN_COLUMNS[:9]
PAYMENT_COLUMNS = ("payment_id", "loan_id", "paid_on", "amount", "currency", "channel")
PAYMENT_COLUMNS_REQUIRED = PAYMENT_COLUMNS[:4]


@dataclass(frozen=True, slots=True)
class LoanRecord:
    loan_id: str
    borrower_id: str
    currency: str
    principal_minor: int
    annual_rate_percent: Decimal
    term_months: int
    start_date: date
    method: RepaymentMethod
    rounding: Rounding
    first_due_date: date | None = None
    product: str = "default"
    borrower_name: str | None = None
    phone: str | None = None
    email: str | None = None
    timezone: str | None = None
    language: str | None = None
    # The postal address, its lines separated by "\n" (the file separates them with " | ").
    address: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    payment_id: str
    loan_id: str
    paid_on: date
    amount: Decimal  # major units; becomes minor units once the loan's currency is known
    currency: str | None = None
    channel: str | None = None


def loan_identity(record: LoanRecord) -> tuple[object, ...]:
    """The contract terms a re-imported loan must match to count as the same loan."""
    return (
        record.borrower_id,
        record.currency,
        record.principal_minor,
        record.annual_rate_percent,
        record.term_months,
        record.start_date,
        record.first_due_date,
        str(record.method),
        str(record.rounding),
        record.product,
    )
