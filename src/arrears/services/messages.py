"""What the outbox holds and how delivery went: the message listing and the delivery
statistics by day, channel and template (`arrears messages`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from arrears.domain.messages import Receipt
from arrears.services.errors import NotFound

if TYPE_CHECKING:  # the ports load with the store that implements them
    from arrears.services.ports import UnitOfWork

# How each status counts in the statistics. "sent" counts every message the provider
# took, whatever became of it afterwards; "failed" every one that did not arrive.
TAKEN = frozenset({"sent", "delivered", "undeliverable", "bounced"})
NOT_ARRIVED = frozenset({"failed", "undeliverable", "bounced"})
PENDING = frozenset({"queued", "sending"})


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    as_of: date
    channel: str
    template: str
    sent: int
    delivered: int
    failed: int
    blocked: int
    expired: int
    pending: int

    @property
    def delivery_rate(self) -> float | None:
        """Delivered over sent (a ratio for display, not money)."""
        return self.delivered / self.sent if self.sent else None


def list_messages(
    uow_factory: Callable[[], UnitOfWork],
    *,
    status: str | None = None,
    loan_id: str | None = None,
    channel: str | None = None,
    limit: int | None = 50,
) -> list[dict[str, Any]]:
    with uow_factory() as uow:
        return uow.outbox.listing(status, loan_id, channel, limit)


def message(uow_factory: Callable[[], UnitOfWork], message_id: str) -> dict[str, Any]:
    with uow_factory() as uow:
        found = uow.outbox.listing(limit=1, message_id=message_id)
    if not found:
        raise NotFound(f"no message {message_id!r}")
    return found[0]


def delivery_statistics(
    uow_factory: Callable[[], UnitOfWork], first: date | None = None, last: date | None = None
) -> list[DeliveryRow]:
    """Per day, channel and template: sent, delivered, failed, blocked, expired, pending."""
    with uow_factory() as uow:
        rows = uow.outbox.statistics(first, last)
    grouped: dict[tuple[date, str, str], dict[str, int]] = {}
    for day, channel, template, status, count in rows:
        grouped.setdefault((day, channel, template), {})[status] = count
    return [_row(key, counts) for key, counts in sorted(grouped.items())]


def _row(key: tuple[date, str, str], counts: dict[str, int]) -> DeliveryRow:
    def total(statuses: frozenset[str]) -> int:
        return sum(n for status, n in counts.items() if status in statuses)

    return DeliveryRow(
        *key,
        sent=total(TAKEN),
        delivered=counts.get("delivered", 0),
        failed=total(NOT_ARRIVED),
        blocked=counts.get("blocked", 0),
        expired=counts.get("expired", 0),
        pending=total(PENDING),
    )


def apply_receipts(
    uow_factory: Callable[[], UnitOfWork], receipts: Sequence[Receipt], now: datetime
) -> int:
    """Receipts that came in another way than the provider's connection (bounced e-mails
    read from a mailbox): matched by the provider's id alone; returns how many messages
    they settled."""
    with uow_factory() as uow:
        changed = uow.outbox.apply_receipts(None, receipts)
        uow.outbox.record_receipts(changed, now)
        uow.commit()
    return len(changed)
