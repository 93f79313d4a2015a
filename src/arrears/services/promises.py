"""Promises to pay: making one, cancelling one, listing them, and settling them by date.

A promise is an amount and a date within the next 30 days that a borrower commits
to for one loan; a loan has at most one open promise. The daily cycle settles
open promises (kept or broken) with the store's set-based ``settle_promises``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from arrears.domain.contacts import (
    MAX_PROMISE_DAYS,
    Promise,
    PromiseSource,
    PromiseStatus,
)
from arrears.domain.money import exponent_of, format_major
from arrears.services.errors import Conflict, InvalidInput, NotFound
from arrears.services.ports import Ledger, UnitOfWork
from arrears.services.strategies import arm_of_loan

MAX_ID_LENGTH = 64


def add_promise(
    uow_factory: Callable[[], UnitOfWork],
    loan_id: str,
    amount: Decimal,
    due_date: date,
    today: date,
    now: datetime,
    source: str = "cli",
    promise_id: str | None = None,
    arm: str | None = None,
) -> str:
    """Record a promise to pay ``amount`` (major units) on ``loan_id`` by ``due_date``.

    ``promise_id`` is an idempotency key: the same id again with the same loan,
    amount and due date returns it and changes nothing; with another payload it is
    a ``Conflict``. Without one, an id is made up. Refused: an amount that is not
    positive or has more decimals than the currency (``InvalidInput``), a due date
    before today or more than 30 days ahead (``InvalidInput``), a second open
    promise on the loan (``Conflict``).
    """
    source_value = _source(source)
    if promise_id is not None and not 0 < len(promise_id) <= MAX_ID_LENGTH:
        raise InvalidInput(f"a promise id must be 1 to {MAX_ID_LENGTH} characters")
    with uow_factory() as uow:
        store = uow.contacts
        parties = store.loan_parties(loan_id, lock=True)  # one open promise per loan, no race
        if parties is None:
            raise NotFound(f"no loan {loan_id} is stored")
        borrower_id, currency = parties
        amount_minor = _amount_minor(amount, currency)
        if promise_id is not None and (first := store.promise(promise_id)) is not None:
            if (first.loan_id, first.amount_minor, first.due_date) == (
                loan_id,
                amount_minor,
                due_date,
            ):
                return promise_id
            raise Conflict(
                f"promise id {promise_id} is already used for loan {first.loan_id}:"
                f" {format_major(first.amount_minor, first.currency)} {first.currency}"
                f" by {first.due_date}"
            )
        _check_due_date(due_date, today)
        if opened := store.promises(loan_id, PromiseStatus.OPEN):
            other = opened[0]
            raise Conflict(
                f"loan {loan_id} already has an open promise {other.promise_id}"
                f" ({format_major(other.amount_minor, other.currency)} {other.currency}"
                f" by {other.due_date}); cancel it first"
            )
        promise = Promise(
            promise_id=promise_id or f"PTP-{uuid4().hex[:16]}",
            loan_id=loan_id,
            borrower_id=borrower_id,
            amount_minor=amount_minor,
            currency=currency,
            made_on=today,
            due_date=due_date,
            status=PromiseStatus.OPEN,
            arm=arm or arm_of_loan(uow, loan_id),
            source=source_value,
        )
        store.insert_promise(promise, now)
        uow.commit()
    return promise.promise_id


def _source(source: str) -> PromiseSource:
    try:
        return PromiseSource(source)
    except ValueError:
        allowed = ", ".join(s.value for s in PromiseSource)
        raise InvalidInput(f"{source!r} is not a promise source ({allowed})") from None


def _amount_minor(amount: Decimal, currency: str) -> int:
    """Exact minor units; more decimals than the currency has is refused, not rounded."""
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput(f"the promised amount must be positive, not {amount}")
    scaled = amount.scaleb(exponent_of(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidInput(f"{amount} has more decimals than {currency} allows")
    return int(scaled)


def _check_due_date(due_date: date, today: date) -> None:
    latest = today + timedelta(days=MAX_PROMISE_DAYS)
    if due_date < today:
        raise InvalidInput(f"a promise cannot be due in the past ({due_date}, today is {today})")
    if due_date > latest:
        raise InvalidInput(
            f"a promise must be due within {MAX_PROMISE_DAYS} days, by {latest}; {due_date} is later"
        )


def cancel_promise(uow_factory: Callable[[], UnitOfWork], promise_id: str, today: date) -> bool:
    """Cancel an open promise; True if cancelled, False if it already was.

    A kept or broken promise is history and cannot be cancelled (``Conflict``).
    """
    with uow_factory() as uow:
        promise = uow.contacts.promise(promise_id)
        if promise is None:
            raise NotFound(f"no promise {promise_id} is stored")
        if promise.status is PromiseStatus.CANCELLED:
            return False
        if promise.status is not PromiseStatus.OPEN:
            raise Conflict(
                f"promise {promise_id} was already {promise.status} on {promise.settled_on}"
            )
        uow.contacts.cancel_promise(promise_id, today)
        uow.commit()
    return True


def list_promises(
    uow_factory: Callable[[], UnitOfWork],
    loan_id: str | None = None,
    status: str | None = None,
) -> list[Promise]:
    """Promises of a loan and/or in a status (open, kept, broken, cancelled), oldest first."""
    wanted = None
    if status is not None:
        try:
            wanted = PromiseStatus(status)
        except ValueError:
            allowed = ", ".join(s.value for s in PromiseStatus)
            raise InvalidInput(f"{status!r} is not a promise status ({allowed})") from None
    with uow_factory() as uow:
        if loan_id is not None and uow.contacts.loan_parties(loan_id) is None:
            raise NotFound(f"no loan {loan_id} is stored")
        return uow.contacts.promises(loan_id, wanted)


def product_tolerances(ledger: Ledger) -> dict[str, int]:
    """Each stored product's tolerance in minor units (a product without rules has 0)."""
    return {name: ledger.product_rules(name).tolerance_minor for name in ledger.product_models()}


def settle_promises(uow_factory: Callable[[], UnitOfWork], day: date) -> tuple[int, int]:
    """Settle open promises as of ``day`` in a transaction of their own: (kept, broken).

    The daily cycle does the same inside its own transaction.
    """
    with uow_factory() as uow:
        settled = uow.contacts.settle_promises(day, product_tolerances(uow.ledger))
        uow.commit()
    return settled
