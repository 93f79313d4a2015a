"""Reading arrangements: listed, or one shown with its instalments and the loan's figures.

Promises to pay are the simplest arrangement and keep their own table; they are
listed and shown here as arrangements of kind ``promise`` (number 0, made and
starting on the day they were made, ending when settled).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from arrears.domain.arrangement_policy import ArrangementKind
from arrears.domain.arrangements import ArrangementStatus
from arrears.domain.contacts import Promise, PromiseStatus
from arrears.domain.loan_state import LoanState
from arrears.services import promises, queries
from arrears.services.errors import InvalidInput, NotFound
from arrears.services.ports import ArrangementInstalmentRow, ArrangementRecord, UnitOfWork

_EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ArrangementView:
    record: ArrangementRecord
    instalments: tuple[ArrangementInstalmentRow, ...]


@dataclass(frozen=True, slots=True)
class ShownArrangement:
    view: ArrangementView
    state: LoanState  # the loan as of the day it is shown


def promise_view(p: Promise) -> ArrangementView:
    """A promise to pay as an arrangement of one instalment."""
    status = "open" if p.status is PromiseStatus.OPEN else str(p.status)
    paid = p.paid_minor or 0
    record = ArrangementRecord(
        arrangement_id=p.promise_id, loan_id=p.loan_id, borrower_id=p.borrower_id, number=0,
        kind=str(ArrangementKind.PROMISE), status=status, currency=p.currency,
        quoted_on=p.made_on, starts_on=p.made_on, ends_on=p.settled_on,
        total_minor=p.amount_minor, waived_minor=0, fee_minor=0, paid_minor=paid,
        terms_json="{}", policy=None, policy_version=None, reasons=(),
        needs_approval_by=None, decided_by=None, decided_at=None, arm=p.arm,
        source=str(p.source), created_by=None, note=None,
    )  # fmt: skip
    instalment = ArrangementInstalmentRow(1, p.due_date, p.amount_minor, status, paid)
    return ArrangementView(record, (instalment,))


def view_of(uow: UnitOfWork, arrangement_id: str) -> ArrangementView | None:
    """An arrangement, or a promise to pay, by its id (None if neither is stored)."""
    record = uow.arrangements.get(arrangement_id)
    if record is not None:
        return ArrangementView(record, tuple(uow.arrangements.instalments(arrangement_id)))
    promise = uow.contacts.promise(arrangement_id)
    return None if promise is None else promise_view(promise)


def list_arrangements(
    uow_factory: Callable[[], UnitOfWork],
    loan_id: str | None = None,
    status: str | None = None,
    kind: str | None = None,
) -> list[ArrangementRecord]:
    """Arrangements, promises to pay among them, of a loan, in a status and/or of a kind;
    oldest first."""
    if kind is not None and kind not in {k.value for k in ArrangementKind}:
        allowed = ", ".join(k.value for k in ArrangementKind)
        raise InvalidInput(f"{kind!r} is not a kind of arrangement ({allowed})")
    arrangement_statuses = {s.value for s in ArrangementStatus}
    promise_statuses = {s.value for s in PromiseStatus}
    if status is not None and status not in arrangement_statuses | promise_statuses:
        allowed = ", ".join(sorted(arrangement_statuses | promise_statuses))
        raise InvalidInput(f"{status!r} is not a status of an arrangement ({allowed})")
    found: list[ArrangementRecord] = []
    with uow_factory() as uow:
        if loan_id is not None and uow.contacts.loan_parties(loan_id) is None:
            raise NotFound(f"no loan {loan_id} is stored")
        if kind != ArrangementKind.PROMISE and status in (None, *arrangement_statuses):
            found += [
                r for r in uow.arrangements.list(loan_id, status) if kind is None or r.kind == kind
            ]
    if kind in (None, ArrangementKind.PROMISE) and status in (None, *promise_statuses):
        found += [
            promise_view(p).record for p in promises.list_promises(uow_factory, loan_id, status)
        ]
    return sorted(found, key=lambda r: (r.quoted_on, r.created_at or _EARLIEST, r.arrangement_id))


def show_arrangement(
    uow_factory: Callable[[], UnitOfWork], arrangement_id: str, as_of: date
) -> ShownArrangement:
    """An arrangement (or promise) with its instalments, and its loan as of ``as_of``."""
    with uow_factory() as uow:
        view = view_of(uow, arrangement_id)
    if view is None:
        raise NotFound(f"no arrangement {arrangement_id} is stored")
    return ShownArrangement(view, queries.loan_status(uow_factory, view.record.loan_id, as_of))
