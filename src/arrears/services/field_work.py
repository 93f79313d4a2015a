"""Field visits (issue #8): the assignments grouped by area, one taken by one field
agent, and the visit's outcome recorded as a contact attempt on channel field_visit.

The visit is recorded under the item's permit, honoured at the moment of the visit
(``permits``): no one knocks on a door the gate did not allow at that hour. The
attempt, the item closed and — when the borrower promised — the promise to pay are
written together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from arrears.domain.access import User
from arrears.domain.contacts import (
    MAX_PROMISE_DAYS,
    AttemptRecord,
    Channel,
    Outcome,
    Promise,
    PromiseSource,
    PromiseStatus,
)
from arrears.domain.money import exponent_of
from arrears.services import casework
from arrears.services.casework import CaseItem
from arrears.services.contacts import check_attempt
from arrears.services.errors import Conflict, InvalidInput
from arrears.services.permits import honour_permit
from arrears.services.ports import UnitOfWork

QUEUE = "field"
HISTORY = 5  # attempts shown with each assignment


class VisitResult(StrEnum):
    """What a field agent found, as the visit form offers it."""

    MET = "met"
    PROMISE = "promise"
    REFUSED = "refused"
    NOT_HOME = "not_home"
    MOVED_AWAY = "moved_away"
    WRONG_ADDRESS = "wrong_address"


# A visit's result as a contact outcome: moving away is a wrong address for the roll-up
# (the borrower does not live there; domain.contacts counts both as unreached).
OUTCOME_OF = {
    VisitResult.MET: Outcome.REACHED,
    VisitResult.PROMISE: Outcome.PROMISE_TO_PAY,
    VisitResult.REFUSED: Outcome.REFUSED,
    VisitResult.NOT_HOME: Outcome.NOT_HOME,
    VisitResult.MOVED_AWAY: Outcome.WRONG_ADDRESS,
    VisitResult.WRONG_ADDRESS: Outcome.WRONG_ADDRESS,
}


@dataclass(frozen=True, slots=True)
class Assignment:
    item: CaseItem
    history: tuple[AttemptRecord, ...]  # newest first


@dataclass(frozen=True, slots=True)
class VisitArea:
    area: str  # the address's city/postcode line ("" when no address is on file)
    assignments: tuple[Assignment, ...]


@dataclass(frozen=True, slots=True)
class VisitReport:
    result: VisitResult
    note: str | None = None
    promise_amount: Decimal | None = None  # major units, with promise_due for a promise
    promise_due: date | None = None


@dataclass(frozen=True, slots=True)
class RecordedVisit:
    attempt_id: int
    promise_id: str | None


def visit_areas(uow_factory: Callable[[], UnitOfWork], user: User) -> list[VisitArea]:
    """The assignments ``user`` may see, grouped by area, each with its loan's last
    contact attempts. Areas come in the order of their first assignment (taken ones first,
    then queue order), and so do assignments within each: the route starts where the
    most is owed."""
    items = casework.listed(uow_factory, QUEUE, user)
    attempts = casework.history(uow_factory, items, HISTORY)
    grouped: dict[str, list[Assignment]] = {}
    for item in items:
        grouped.setdefault(item.area, []).append(
            Assignment(item, tuple(attempts[item.work_item_id]))
        )
    return [VisitArea(area, tuple(assignments)) for area, assignments in grouped.items()]


def assignment(uow_factory: Callable[[], UnitOfWork], work_item_id: int, user: User) -> Assignment:
    item = casework.get_item(uow_factory, QUEUE, work_item_id, user)
    with uow_factory() as uow:
        attempts = uow.contacts.attempts(item.borrower_id, item.loan_id)[::-1]
    return Assignment(item, tuple(attempts))


def take_assignment(
    uow_factory: Callable[[], UnitOfWork], work_item_id: int, user: User, now: datetime
) -> CaseItem:
    return casework.take_item(uow_factory, QUEUE, work_item_id, user, now)


def record_visit(
    uow_factory: Callable[[], UnitOfWork],
    work_item_id: int,
    user: User,
    report: VisitReport,
    now: datetime,
    today: date,
) -> RecordedVisit:
    """Record the visit ``user`` made to an assignment they hold, under its permit, and
    close it. Refused: an item not held (``Conflict``), a permit not honoured now
    (``PermitRefused``), a promise without a positive amount or a date within 30 days."""
    with uow_factory() as uow:
        row = casework.held_row(uow, QUEUE, work_item_id, user)
        promise = (
            _promise(report, row, today, now) if report.result is VisitResult.PROMISE else None
        )
        if row["permit_id"] is None:
            raise Conflict(f"field item {work_item_id} holds no permit")
        permit = honour_permit(uow, row["permit_id"], row["loan_id"], Channel.FIELD_VISIT, now)
        record = AttemptRecord(
            row["borrower_id"], Channel.FIELD_VISIT, OUTCOME_OF[report.result], now,
            loan_id=row["loan_id"], agent=user.username, note=_note(report),
            action_id=row["action_id"], arm=permit.arm,
        )  # fmt: skip
        check_attempt(record, now)
        attempt_id = uow.contacts.insert_attempt(record, now)
        if promise is not None:
            if uow.contacts.promises_of([], [promise.loan_id])[1].get(promise.loan_id):
                raise Conflict(f"loan {promise.loan_id} already has an open promise to pay")
            uow.contacts.insert_promise(replace(promise, arm=permit.arm), now)
        if not uow.casework.finish(work_item_id, user.username, "done", now):
            raise Conflict(f"field item {work_item_id} was closed meanwhile")
        uow.casework.supersede(QUEUE, row["loan_id"], now)
        uow.commit()
    return RecordedVisit(attempt_id, None if promise is None else promise.promise_id)


def _note(report: VisitReport) -> str | None:
    """The agent's note; moving away is said in it, as the outcome is a wrong address."""
    note = (report.note or "").strip() or None
    if report.result is VisitResult.MOVED_AWAY:
        return "moved away" + (f": {note}" if note else "")
    return note


def _promise(report: VisitReport, row: dict[str, object], today: date, now: datetime) -> Promise:
    """The promise to pay made at the door, checked as promises.add_promise checks it."""
    amount, due = report.promise_amount, report.promise_due
    currency = str(row["currency"])
    if amount is None or due is None:
        raise InvalidInput("a promise to pay needs an amount and a date")
    try:
        scaled = amount.scaleb(exponent_of(currency))
    except InvalidOperation:
        raise InvalidInput(f"{amount} is not an amount") from None
    if not amount.is_finite() or amount <= 0 or scaled != scaled.to_integral_value():
        raise InvalidInput(f"{amount} is not a positive amount in {currency}")
    if not today <= due <= today + timedelta(days=MAX_PROMISE_DAYS):
        raise InvalidInput(f"a promise must be due from {today} to {MAX_PROMISE_DAYS} days after")
    loan_id = str(row["loan_id"])
    return Promise(
        f"field-{row['work_item_id']}", loan_id, str(row["borrower_id"]), int(scaled),
        currency, today, due, PromiseStatus.OPEN, source=PromiseSource.FIELD,
    )  # fmt: skip
