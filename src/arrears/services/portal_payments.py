"""A borrower pays from the portal through a payment provider.

The provider (``PaymentProvider``) takes the money and tells us it arrived; the sandbox
(``adapters.payments.sandbox``) posts it at once. Each payment carries an idempotency key
made when the pay form is shown: a double submit, a reload or a retry after a timeout
posts the payment once (the key becomes the payment id, held unique by the store).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

from arrears.domain.money import Money, exponent_of
from arrears.services.errors import InvalidInput
from arrears.services.portal import my_loan
from arrears.services.ports import UnitOfWork

KEY = re.compile(r"[A-Za-z0-9_-]{8,48}")
PAYMENT_PREFIX = "PORTAL-"  # payment ids the portal made: 7 + 48 ≤ the store's 64


@dataclass(frozen=True, slots=True)
class PaymentOrder:
    """What the borrower asked to pay: ``amount_minor`` of ``currency`` on ``loan_id``."""

    payment_id: str
    loan_id: str
    amount_minor: int
    currency: str
    paid_on: date


@dataclass(frozen=True, slots=True)
class PaymentReceipt:
    payment_id: str
    loan_id: str
    amount_minor: int
    currency: str
    paid_on: date
    provider: str


class PaymentProvider(Protocol):
    """Takes a payment and posts it to the ledger once it has arrived; the same order
    twice must post once."""

    name: str

    def collect(self, order: PaymentOrder, now: datetime) -> PaymentReceipt: ...


def pay(
    uow_factory: Callable[[], UnitOfWork],
    provider: PaymentProvider,
    borrower_id: str,
    loan_id: str,
    amount: str | Decimal,
    key: str,
    today: date,
    now: datetime,
) -> PaymentReceipt:
    """Pay ``amount`` (major units, e.g. ``"1077.54"``) on one of the borrower's loans.

    Refused (``InvalidInput``): a key that is not 8–48 letters, digits, ``-`` or ``_``;
    an amount that is not positive, has more decimals than the currency, or is more than
    what closes the loan today. Another borrower's loan is ``NotFound``. The same key
    again with the same amount returns the first receipt; with another, ``Conflict``.
    """
    if not KEY.fullmatch(key):
        raise InvalidInput(
            "the payment key must be 8 to 48 letters, digits, - or _", code="form.bad_key"
        )
    loan = my_loan(uow_factory, borrower_id, loan_id, today).summary
    amount_minor = minor_units(amount, loan.currency)
    if amount_minor > loan.payoff_minor:
        raise InvalidInput(
            "the amount is more than what closes the loan today",
            code="pay.more_than_payoff", payoff=Money(loan.payoff_minor, loan.currency),
        )  # fmt: skip
    order = PaymentOrder(PAYMENT_PREFIX + key, loan_id, amount_minor, loan.currency, today)
    return provider.collect(order, now)


def minor_units(amount: str | Decimal, currency: str) -> int:
    """Exact minor units of a major amount typed by a person; more decimals than the
    currency has is refused, never rounded (a payment is exactly what was typed)."""
    try:
        value = Decimal(str(amount).strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidInput(
            f"{amount!r} is not an amount", code="amount.not_a_number", amount=str(amount)
        ) from None
    if not value.is_finite() or value <= 0:
        raise InvalidInput("the amount must be more than zero", code="amount.not_positive")
    scaled = value.scaleb(exponent_of(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            f"{value} has more decimals than {currency} allows",
            code="amount.too_many_decimals", amount=str(value), currency=currency,
        )  # fmt: skip
    return int(scaled)
