"""The queues people work by hand beyond the phone — field visits and legal cases — read
with each item's loan and borrower, taken by one person, and closed by them.

An item is seen by object as well as by area: a field agent or legal officer sees the
open items of their queue and those they took, never another's (``NotFound``, so an
item's existence is not confirmed); managers and admins see every item, to reassign
and oversee. Personal data is masked for the roles that do not need it in full
(``domain.access.sees_pii``: a manager sees the area of an address, not the door).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from arrears.domain.access import User, UserRole, mask_address, mask_phone, sees_pii
from arrears.domain.contacts import AttemptRecord
from arrears.services.errors import Conflict, NotFound
from arrears.services.ports import UnitOfWork

OVERSEERS = frozenset({UserRole.MANAGER, UserRole.ADMIN})  # see and take any item
SHOWN = ("open", "claimed")  # the statuses a queue lists
LISTED = 200  # items a queue page lists: more than a day's visits or cases, fast to read


@dataclass(frozen=True, slots=True)
class CaseItem:
    """A field visit or legal case: the work item, its loan's figures and the borrower."""

    work_item_id: int
    action_id: int
    queue: str
    as_of: date
    loan_id: str
    borrower_id: str
    channel: str
    step: str
    priority: int
    overdue_minor: int
    currency: str
    product: str
    permit_id: str | None
    status: str  # open | claimed | done | cancelled
    assigned_to: str | None
    claimed_at: datetime | None
    closed_at: datetime | None
    borrower_name: str | None
    phone: str | None
    address: str | None
    timezone: str | None
    dpd: int | None
    bucket: str | None

    @property
    def area(self) -> str:
        """The address's last line (city, postcode): what visits are grouped by."""
        lines = [line.strip() for line in (self.address or "").splitlines() if line.strip()]
        return lines[-1].removeprefix("… ") if lines else ""

    @property
    def address_lines(self) -> tuple[str, ...]:
        return tuple(line for line in (self.address or "").splitlines() if line.strip())


def case_item(row: dict[str, Any], user: User) -> CaseItem:
    """An item as ``user`` may see it: phone and address masked unless their role needs them."""
    fields = dict(row)
    item = CaseItem(borrower_name=fields.pop("name"), **fields)
    if sees_pii(user.role):
        return item
    return replace(item, phone=mask_phone(item.phone), address=mask_address(item.address))


def may_see(user: User, row: dict[str, Any]) -> bool:
    return user.role in OVERSEERS or row["status"] == "open" or row["assigned_to"] == user.username


def listed(uow_factory: Callable[[], UnitOfWork], queue: str, user: User) -> list[CaseItem]:
    """The queue's open and taken items ``user`` may see, in queue order."""
    visible_to = None if user.role in OVERSEERS else user.username
    with uow_factory() as uow:
        rows = uow.casework.items(queue, SHOWN, visible_to, LISTED)
    return [case_item(row, user) for row in rows]


def visible_row(uow: UnitOfWork, queue: str, work_item_id: int, user: User) -> dict[str, Any]:
    """The item's row, if it is in ``queue`` and ``user`` may see it; else ``NotFound``."""
    row = uow.casework.item(work_item_id)
    if row is None or row["queue"] != queue or not may_see(user, row):
        raise NotFound(f"no {queue} item {work_item_id} for you")
    return row


def get_item(
    uow_factory: Callable[[], UnitOfWork], queue: str, work_item_id: int, user: User
) -> CaseItem:
    with uow_factory() as uow:
        return case_item(visible_row(uow, queue, work_item_id, user), user)


def take_item(
    uow_factory: Callable[[], UnitOfWork], queue: str, work_item_id: int, user: User, now: datetime
) -> CaseItem:
    """Take an open item: only one person gets it (``Conflict`` for the others, who see
    it gone from their queue after)."""
    with uow_factory() as uow:
        visible_row(uow, queue, work_item_id, user)
        if not uow.casework.take(work_item_id, user.username, now):
            raise Conflict(f"{queue} item {work_item_id} was already taken")
        row = uow.casework.item(work_item_id)
        uow.commit()
    assert row is not None
    return case_item(row, user)


def held_row(uow: UnitOfWork, queue: str, work_item_id: int, user: User) -> dict[str, Any]:
    """The item's row, if ``user`` holds it (took it and it is not closed)."""
    row = visible_row(uow, queue, work_item_id, user)
    if row["status"] != "claimed" or row["assigned_to"] != user.username:
        raise Conflict(f"take {queue} item {work_item_id} before closing it")
    return row


def history(
    uow_factory: Callable[[], UnitOfWork], items: list[CaseItem], last: int
) -> dict[int, list[AttemptRecord]]:
    """The last ``last`` contact attempts about each item's loan, newest first."""
    with uow_factory() as uow:
        return {
            item.work_item_id: uow.contacts.attempts(item.borrower_id, item.loan_id)[::-1][:last]
            for item in items
        }
