"""The gate every planned action passes before it is stored as permitted.

One interface decides every proposed contact: ``allow``, ``deny`` or ``defer``
(with the next lawful moment), with the rule and a reason in plain words. The
compliance policy packs implement it; until one is active, ``AllowAllGate``
permits everything but still writes down a decision for each action, so every
stored action carries the decision and permit it was made under.

>>> from datetime import UTC, date, datetime
>>> proposal = ContactProposal("L1", "B1", date(2026, 3, 5), "m1.0", "sms",
...                            datetime(2026, 3, 5, 1, 0, tzinfo=UTC))
>>> AllowAllGate().decide([proposal])[0].permit_id
'20260305:L1:m1.0'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol


class Verdict(StrEnum):
    ALLOW = "allow"
    DENY = "deny"
    DEFER = "defer"


@dataclass(frozen=True, slots=True)
class ContactProposal:
    """An action the strategy wants to take: whom, by which channel, from when."""

    loan_id: str
    borrower_id: str
    as_of: date
    step: str
    channel: str  # an ActionKind: sms, email, call, field_visit, letter, legal_review, …
    earliest_at: datetime
    party: str = "borrower"


@dataclass(frozen=True, slots=True)
class GateDecision:
    verdict: Verdict
    rule_id: str
    reason: str
    next_at: datetime | None = None  # for DEFER: the next lawful moment
    permit_id: str | None = None  # for ALLOW: what a channel must present to act


class Gate(Protocol):
    def decide(self, proposals: Sequence[ContactProposal]) -> list[GateDecision]:
        """One decision per proposal, in order."""
        ...


def permit_id_for(proposal: ContactProposal) -> str:
    """A permit's id: stable for the same action (loan, day, step), so re-running a day
    issues the same permit."""
    return f"{proposal.as_of:%Y%m%d}:{proposal.loan_id}:{proposal.step}"


class AllowAllGate:
    """Permits every action and says so: the stand-in until a policy pack is active."""

    RULE_ID = "none.allow_all"
    REASON = "no compliance policy pack is active: every action is permitted"

    def decide(self, proposals: Sequence[ContactProposal]) -> list[GateDecision]:
        return [
            GateDecision(Verdict.ALLOW, self.RULE_ID, self.REASON, None, permit_id_for(p))
            for p in proposals
        ]
