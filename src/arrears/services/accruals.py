"""Recognise interest, 罚息 and fees in the journal through a date, for every loan.

The per-loan path; the daily cycle will do the same set-based.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from arrears.services.journal_sync import sync_journals
from arrears.services.ports import UnitOfWork


def post_accruals(
    uow_factory: Callable[[], UnitOfWork],
    as_of: date,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Bring every loan's journal to ``as_of`` (never backwards). Returns entries posted."""
    posted = 0
    with uow_factory() as uow:
        for ids in uow.ledger.loan_ids(1000):
            posted += sync_journals(uow.ledger, ids, now, as_of)
            if progress:
                progress(len(ids))
        uow.commit()
    return posted
