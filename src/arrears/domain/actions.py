"""A planned action as it is stored: what, for whom, under which strategy, and the
gate's decision on it.

An action is keyed by (loan, day, step): planning a day again plans the same actions.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple


class ActionRow(NamedTuple):
    """One planned action with its gate decision."""

    as_of: date
    loan_id: str
    borrower_id: str
    step: str
    channel: str
    template: str | None
    strategy: str
    strategy_version: int
    segment: str
    arm: str
    priority: int
    overdue_minor: int
    earliest_at: datetime
    verdict: str
    rule_id: str
    reason: str
    next_at: datetime | None
    permit_id: str | None


# The action's status follows the gate's verdict.
STATUS_OF_VERDICT = {"allow": "permitted", "deny": "denied", "defer": "deferred"}
