"""Working the queues: the calls and visits the gate permitted, taken in queue order
(priority, then the amount overdue), each carried out under its permit and closed
with what came of it.

The agent desk (issue #8) claims items one at a time; the simulator's agent team
works a day's items as a batch through ``record_work``. Either way nothing is
dialled or visited without its permit honoured (``permits``) at the moment of the
contact, and each contact becomes a contact attempt carrying the action and its arm.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from arrears.domain.contacts import AttemptRecord, Channel, Outcome
from arrears.services.contacts import check_attempt
from arrears.services.permits import PermitRefused, permit_of
from arrears.services.ports import UnitOfWork

QUEUES = {"call": "agent", "field_visit": "field"}  # the queue a channel's items are in


@dataclass(frozen=True, slots=True)
class WorkItem:
    work_item_id: int
    action_id: int
    loan_id: str
    borrower_id: str
    channel: str
    permit_id: str | None
    priority: int
    overdue_minor: int


@dataclass(frozen=True, slots=True)
class Worked:
    """An item carried out: who did it, when, and what came of it."""

    item: WorkItem
    agent: str
    at: datetime
    outcome: Outcome
    note: str | None = None


def open_work(
    uow_factory: Callable[[], UnitOfWork], queue: str, day: date, limit: int
) -> list[WorkItem]:
    """Up to ``limit`` items of ``queue`` opened on ``day`` and not yet worked."""
    with uow_factory() as uow:
        rows: list[dict[str, Any]] = uow.work.open_items(queue, day, limit)
    return [WorkItem(**row) for row in rows]


def record_work(
    uow_factory: Callable[[], UnitOfWork], worked: Sequence[Worked], now: datetime
) -> tuple[int, list[tuple[WorkItem, str]]]:
    """Carry out each item under its permit and record it, in one transaction: the
    contact attempt (with the action and its arm) and the item closed as done.

    Returns how many were recorded, and the items whose permit was refused with the
    reason (those are left open: the gate did not allow the contact at that moment).
    """
    refused: list[tuple[WorkItem, str]] = []
    attempts: list[AttemptRecord] = []
    closed: list[tuple[int, str]] = []
    with uow_factory() as uow:
        actions = uow.actions.by_permits([w.item.permit_id for w in worked if w.item.permit_id])
        for work in worked:
            item = work.item
            try:
                if item.permit_id is None:
                    raise PermitRefused(f"item {item.work_item_id} holds no permit")
                action = actions.get(item.permit_id)
                permit = permit_of(action, item.permit_id, item.loan_id, item.channel, work.at)
            except PermitRefused as error:
                refused.append((item, str(error)))
                continue
            record = AttemptRecord(
                item.borrower_id, Channel(item.channel), work.outcome, work.at,
                loan_id=item.loan_id, agent=work.agent, note=work.note,
                action_id=item.action_id, arm=permit.arm,
            )  # fmt: skip
            check_attempt(record, now)
            attempts.append(record)
            closed.append((item.work_item_id, work.agent))
        uow.contacts.insert_attempts(attempts, now)
        uow.work.close_items(closed, "done", now)
        uow.commit()
    return len(attempts), refused
