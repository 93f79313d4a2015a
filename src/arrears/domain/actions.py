"""A planned action as it is stored: what, for whom, under which strategy, and the
gate's decision on it.

An action is keyed by (loan, day, step): planning a day again plans the same actions.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from arrears.domain.gate import GateDecision


class PlannedAction(NamedTuple):
    """One planned action, before the gate; the store takes it only together with the
    gate's (sealed) decision on it."""

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


class ActionRow(NamedTuple):
    """A planned action with the gate's decision on it, as the store writes it."""

    planned: PlannedAction
    decision: GateDecision

    def values(self) -> tuple[object, ...]:
        d = self.decision
        return (*self.planned, str(d.verdict), d.rule_id, d.reason, d.next_at, d.permit_id)


# the columns of ``ActionRow.values``
ACTION_COLUMNS = (
    *PlannedAction._fields, "verdict", "rule_id", "reason", "next_at", "permit_id",
)  # fmt: skip


# The action's status follows the gate's verdict.
STATUS_OF_VERDICT = {"allow": "permitted", "deny": "denied", "defer": "deferred"}
