"""Posting one payment and reversing one (a bounced payment), with the journal kept in step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from arrears.domain.records import PaymentRecord
from arrears.services.errors import Conflict, InvalidInput, NotFound
from arrears.services.importing import ImportReport, import_payments, record_rows
from arrears.services.journal_sync import sync_journals
from arrears.services.ports import UnitOfWork


def post_payment(
    uow_factory: Callable[[], UnitOfWork], record: PaymentRecord, now: datetime
) -> ImportReport:
    """Post one payment; posting the same payment again changes nothing.

    The same payment id with another loan, date or amount is refused (``Conflict``).
    """
    report = import_payments(uow_factory, record_rows([record]), now)
    if report.findings:
        message = "; ".join(f.message for f in report.findings)
        conflict = any(f.code == "conflicting_id" for f in report.findings)
        raise (Conflict if conflict else InvalidInput)(message)
    return report


def reverse_payment(
    uow_factory: Callable[[], UnitOfWork],
    payment_id: str,
    reversed_on: date,
    reason: str,
    now: datetime,
) -> int:
    """Reverse a payment: the loan returns exactly to the state as if it never arrived.

    Later payments are re-allocated; the journal gets reversing entries, never edits.
    Reversing an already reversed payment changes nothing. Returns entries posted.
    """
    with uow_factory() as uow:
        row = uow.ledger.payment_row(payment_id)
        if row is None:
            raise NotFound(f"no payment {payment_id} is stored")
        if row.reversed_on is not None:
            return 0
        if reversed_on < row.paid_on:
            raise InvalidInput(
                f"a reversal on {reversed_on} cannot precede the payment ({row.paid_on})"
            )
        uow.ledger.insert_reversal(payment_id, reversed_on, reason, now)
        posted = sync_journals(uow.ledger, [row.loan_id], now, reversed_on)
        uow.commit()
    return posted
