"""Promises to pay: making one, cancelling one, listing them, and settling them by date.

A promise is an amount and a date within the next 30 days that a borrower commits
to for one loan; a loan has at most one open promise. The daily cycle settles
open promises (kept or broken) with the store's set-based ``settle_promises``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from arrears.domain.contacts import (
    MAX_PROMISE_DAYS,
    Promise,
    PromiseSource,
    PromiseStatus,
)
from arrears.domain.money import Money, exponent_of, format_major
from arrears.services.errors import ArrearsError, Conflict, InvalidInput, NotFound
from arrears.services.ports import Ledger, UnitOfWork
from arrears.services.strategies import arm_of_loan

MAX_ID_LENGTH = 64


@dataclass(frozen=True, slots=True)
class PromiseRequest:
    """One promise to record: ``amount`` in major units by ``due_date``; ``promise_id`` an
    idempotency key (None: one is made up); ``arm`` None: the loan's arm now."""

    loan_id: str
    amount: Decimal
    due_date: date
    promise_id: str | None = None
    arm: str | None = None


@dataclass(frozen=True, slots=True)
class AddedPromises:
    """What a batch recorded: per request its promise id (None where refused), and the
    refused requests' errors by their index."""

    ids: list[str | None]
    refused: dict[int, ArrearsError] = field(default_factory=dict)


class PromisesRefused(InvalidInput):
    """Requests of a batch were refused, so none of the batch was recorded."""

    def __init__(self, refused: dict[int, ArrearsError]):
        super().__init__(
            "; ".join(f"request {index + 1}: {error}" for index, error in refused.items())
        )
        self.refused = refused
        if all(isinstance(error, Conflict) for error in refused.values()):
            self.exit_code = Conflict.exit_code


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
    request = PromiseRequest(loan_id, amount, due_date, promise_id, arm)
    added = add_promises(uow_factory, [request], today, now, source, skip_invalid=True)
    if added.refused:
        raise added.refused[0]  # nothing was recorded: the batch was this one request
    promise_id = added.ids[0]
    assert promise_id is not None
    return promise_id


def add_promises(
    uow_factory: Callable[[], UnitOfWork],
    requests: Sequence[PromiseRequest],
    today: date,
    now: datetime,
    source: str = "cli",
    *,
    skip_invalid: bool = False,
) -> AddedPromises:
    """Record a batch of promises in one transaction, each checked as ``add_promise``
    checks it, in order (a request sees those before it: a second promise on a loan in
    the same batch is a ``Conflict``, the same id and payload again returns it).

    All or nothing: if any request is refused, nothing is recorded and
    ``PromisesRefused`` names every refused request with its reason — unless the caller
    chose ``skip_invalid``, in which case the others are recorded and the refused ones
    handed back in ``refused``. The loans' rows are locked first, in loan id order, so
    that two batches cannot both open a promise on one loan.
    """
    source_value = _source(source)
    ids: list[str | None] = []
    refused: dict[int, ArrearsError] = {}
    with uow_factory() as uow:
        batch = _Batch(uow, requests, today)
        for index, request in enumerate(requests):
            try:
                ids.append(batch.add(request, source_value))
            except ArrearsError as error:
                refused[index] = error
                ids.append(None)
        if refused and not skip_invalid:
            raise PromisesRefused(refused)  # rolled back: nothing of the batch is kept
        uow.contacts.insert_promises(batch.new, now)
        uow.commit()
    return AddedPromises(ids, refused)


class _Batch:
    """What a batch's requests are checked against: the stored loans, promises by id and
    open promises by loan, read at once, and the promises the batch has made so far."""

    def __init__(self, uow: UnitOfWork, requests: Sequence[PromiseRequest], today: date):
        self.uow, self.today = uow, today
        loan_ids = [r.loan_id for r in requests]
        self.parties = uow.contacts.loans_parties(loan_ids, lock=True)  # one open promise
        ids = [r.promise_id for r in requests if r.promise_id]  # per loan: no race
        self.by_id, self.opened = uow.contacts.promises_of(ids, loan_ids)
        self.new: list[Promise] = []

    def add(self, request: PromiseRequest, source: PromiseSource) -> str:
        """Check one request and keep it for writing; returns its promise id, the stored
        one where the same promise was recorded before."""
        loan_id, promise_id, due_date = request.loan_id, request.promise_id, request.due_date
        if promise_id is not None and not 0 < len(promise_id) <= MAX_ID_LENGTH:
            raise InvalidInput(f"a promise id must be 1 to {MAX_ID_LENGTH} characters")
        parties = self.parties.get(loan_id)
        if parties is None:
            raise NotFound(f"no loan {loan_id} is stored", code="loan.not_found", loan_id=loan_id)
        borrower_id, currency = parties
        amount_minor = _amount_minor(request.amount, currency)
        if promise_id is not None and (first := self.by_id.get(promise_id)) is not None:
            if (first.loan_id, first.amount_minor, first.due_date) == (
                loan_id,
                amount_minor,
                due_date,
            ):
                return promise_id
            raise Conflict(
                f"promise id {promise_id} is already used for loan {first.loan_id}:"
                f" {format_major(first.amount_minor, first.currency)} {first.currency}"
                f" by {first.due_date}",
                code="promise.key_used", loan_id=first.loan_id,
                amount=Money(first.amount_minor, first.currency), due_date=first.due_date,
            )  # fmt: skip
        _check_due_date(due_date, self.today)
        if opened := self.opened.get(loan_id):
            other = opened[0]
            raise Conflict(
                f"loan {loan_id} already has an open promise {other.promise_id}"
                f" ({format_major(other.amount_minor, other.currency)} {other.currency}"
                f" by {other.due_date}); cancel it first",
                code="promise.one_open", loan_id=loan_id,
                amount=Money(other.amount_minor, other.currency), due_date=other.due_date,
            )  # fmt: skip
        promise = Promise(
            promise_id=promise_id or f"PTP-{uuid4().hex[:16]}",
            loan_id=loan_id,
            borrower_id=borrower_id,
            amount_minor=amount_minor,
            currency=currency,
            made_on=self.today,
            due_date=due_date,
            status=PromiseStatus.OPEN,
            arm=request.arm or arm_of_loan(self.uow, loan_id),
            source=source,
        )
        self.new.append(promise)
        self.by_id[promise.promise_id] = promise
        self.opened[loan_id] = [promise]
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
        raise InvalidInput(
            f"the promised amount must be positive, not {amount}", code="amount.not_positive"
        )
    scaled = amount.scaleb(exponent_of(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            f"{amount} has more decimals than {currency} allows",
            code="amount.too_many_decimals", amount=str(amount), currency=currency,
        )  # fmt: skip
    return int(scaled)


def _check_due_date(due_date: date, today: date) -> None:
    latest = today + timedelta(days=MAX_PROMISE_DAYS)
    if due_date < today:
        raise InvalidInput(
            f"a promise cannot be due in the past ({due_date}, today is {today})",
            code="promise.due_in_the_past", due_date=due_date, today=today,
        )  # fmt: skip
    if due_date > latest:
        raise InvalidInput(
            f"a promise must be due within {MAX_PROMISE_DAYS} days, by {latest}; {due_date} is later",
            code="promise.due_too_late", days=MAX_PROMISE_DAYS, latest=latest, due_date=due_date,
        )  # fmt: skip


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
