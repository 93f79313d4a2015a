"""The work queues people take calls, visits and legal referrals from (``work_item``).

An item is opened by the outbox when the gate permits a call, visit or referral
(adapters.store.outbox_sql); here it is read in queue order — priority, then the
amount overdue — and closed once worked. The agent desk claims items one at a time
(issue #8); the simulated agent team works a day's items as a batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, bindparam, text

_OPEN = text("""
SELECT work_item_id, action_id, loan_id, borrower_id, channel, permit_id, priority,
    overdue_minor
FROM work_item
WHERE queue = :queue AND status = 'open' AND as_of = :day
ORDER BY priority DESC, overdue_minor DESC, work_item_id
LIMIT :limit
""").bindparams(bindparam("day", type_=Date))

_CLOSE = text("""
UPDATE work_item SET status = :status, assigned_to = :agent, claimed_at = :at, closed_at = :at
WHERE work_item_id = :item AND status = 'open'
""")


class SqlWork:
    def __init__(self, connection: Connection):
        self.connection = connection

    def open_items(self, queue: str, day: date, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` open items of ``queue`` opened on ``day``, in queue order."""
        rows = self.connection.execute(_OPEN, {"queue": queue, "day": day, "limit": limit})
        return [dict(row._mapping) for row in rows]

    def close_items(self, closed: Sequence[tuple[int, str]], status: str, at: datetime) -> int:
        """Close each (item id, agent) still open as ``status``; returns how many were."""
        if not closed:
            return 0
        result = self.connection.execute(
            _CLOSE, [{"item": i, "agent": a, "status": status, "at": at} for i, a in closed]
        )
        return int(result.rowcount)
