"""The sandbox payment provider (``web.payments = "sandbox"``): no money moves; the payment
counts as arrived at once and is posted to the ledger through ``services.payments``.

For demos, tests and a lender trying the portal before a real provider is wired in; a
real provider posts only when its notification says the money arrived, with the same
payment id, so that a retried notification posts nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from arrears.domain.money import format_major
from arrears.domain.records import PaymentRecord
from arrears.services.payments import post_payment
from arrears.services.portal_payments import PaymentOrder, PaymentReceipt
from arrears.services.ports import UnitOfWork

CHANNEL = "portal"  # the payment's channel column: where the money came in


class SandboxProvider:
    name = "sandbox"

    def __init__(self, uow_factory: Callable[[], UnitOfWork]):
        self.uow_factory = uow_factory

    def collect(self, order: PaymentOrder, now: datetime) -> PaymentReceipt:
        """Post the payment; the same order again changes nothing (its id is its key)."""
        amount = Decimal(format_major(order.amount_minor, order.currency))
        record = PaymentRecord(
            order.payment_id, order.loan_id, order.paid_on, amount, order.currency, CHANNEL
        )
        post_payment(self.uow_factory, record, now)
        return PaymentReceipt(
            order.payment_id, order.loan_id, order.amount_minor, order.currency,
            order.paid_on, self.name,
        )  # fmt: skip


def provider_named(name: str, uow_factory: Callable[[], UnitOfWork]) -> SandboxProvider:
    """The provider the settings name (``web.payments``); only the sandbox exists so far."""
    if name != "sandbox":
        raise ValueError(f"no payment provider {name!r}")
    return SandboxProvider(uow_factory)
