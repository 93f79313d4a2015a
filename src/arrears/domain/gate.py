"""The gate every planned action passes before it is stored as permitted.

One interface decides every proposed contact: ``allow``, ``deny`` or ``defer`` (with the
next lawful moment), with the rule and a reason in plain words. The compliance gate
(``services.compliance_gate``) implements it with the active policy packs; where no pack
is active for a product, ``AllowAllGate`` permits everything but still writes down a
decision for each action, so every stored action carries the decision it was made under.

A decision can only be made by a gate: ``GateDecision`` refuses to be built without the
seal that ``decide_as_gate`` holds, and an architecture test holds that only gate
modules call it. The store writes each decision to the audit log before the action that
points at it; a sender needs the permit id of a permitted action.

>>> from datetime import UTC, date, datetime
>>> proposal = ContactProposal("L1", "B1", date(2026, 3, 5), "m1.0", "sms",
...                            datetime(2026, 3, 5, 1, 0, tzinfo=UTC))
>>> AllowAllGate().decide([proposal])[0].permit_id
'20260305:L1:m1.0'
>>> GateDecision(Verdict.ALLOW, "mine", "I say so")
Traceback (most recent call last):
...
arrears.domain.gate.GateBypassError: a gate decision is made only by a gate (decide_as_gate)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

from arrears.domain.compliance.facts import Person


class Verdict(StrEnum):
    ALLOW = "allow"
    DENY = "deny"
    DEFER = "defer"


class GateBypassError(RuntimeError):
    """Something tried to make a decision without the gate."""


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
    product: str = ""
    purpose: str = "collection"  # "reminder" before the due date (domain.compliance.facts)
    # The borrower as the proposer already knows them, when they hold no compliance
    # profile (the cycle reads it with the candidates); None: the gate reads the person.
    recipient: Person | None = field(default=None, compare=False)
    # The borrower's flags (name, set at) the gate holds them to (compliance.facts.with_flags).
    flags: tuple[tuple[str, datetime], ...] = ()
    # The words to be sent, when the sender has rendered them (the dispatcher, at the
    # moment of sending): the content rules judge them.
    text: str | None = None


_SEAL = object()


@dataclass(frozen=True, slots=True)
class GateDecision:
    verdict: Verdict
    rule_id: str
    reason: str
    next_at: datetime | None = None  # for DEFER: the next lawful moment
    permit_id: str | None = None  # for ALLOW: what a channel must present to act
    seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seal is not _SEAL:
            raise GateBypassError("a gate decision is made only by a gate (decide_as_gate)")


def decide_as_gate(
    proposal: ContactProposal,
    verdict: Verdict,
    rule_id: str,
    reason: str,
    next_at: datetime | None = None,
) -> GateDecision:
    """The one way to make a decision; only gate implementations call it. An allowed
    proposal gets its permit."""
    permit = permit_id_for(proposal) if verdict is Verdict.ALLOW else None
    at = next_at if verdict is Verdict.DEFER else None
    return GateDecision(verdict, rule_id, reason, at, permit, _SEAL)


class Gate(Protocol):
    def decide(self, proposals: Sequence[ContactProposal]) -> list[GateDecision]:
        """One decision per proposal, in order."""
        ...


def permit_id_for(proposal: ContactProposal) -> str:
    """A permit's id: stable for the same action (loan, day, step), so re-running a day
    issues the same permit."""
    return f"{_compact(proposal.as_of)}:{proposal.loan_id}:{proposal.step}"


@lru_cache(maxsize=1024)
def _compact(day: date) -> str:
    return day.strftime("%Y%m%d")


def gate_payload(
    as_of: date,
    loan_id: str,
    step: str,
    channel: str,
    verdict: str,
    rule_id: str,
    reason: str,
    next_at: datetime | None,
    permit_id: str | None,
) -> dict[str, object]:
    """What the audit log holds of a decision (entry kind ``gate_decision``)."""
    return {
        "as_of": as_of.isoformat(),
        "loan_id": loan_id,
        "step": step,
        "channel": channel,
        "verdict": verdict,
        "rule": rule_id,
        "reason": reason,
        "not_before": next_at,
        "permit_id": permit_id,
    }


class AllowAllGate:
    """Permits every action and says so: the stand-in where no policy pack is active."""

    RULE_ID = "none.allow_all"
    REASON = "no compliance policy pack is active: every action is permitted"

    def decide(self, proposals: Sequence[ContactProposal]) -> list[GateDecision]:
        return [decide_as_gate(p, Verdict.ALLOW, self.RULE_ID, self.REASON) for p in proposals]
