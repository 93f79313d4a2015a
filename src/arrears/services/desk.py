"""The agent desk (issue #8): an agent's queue of permitted calls, claimed one at a time,
each call cleared by the gate at the moment it is made, and what came of it recorded.

Why the call is judged again: the cycle's permit was issued in the morning for the day;
by the time an agent dials, the hour may be outside contact hours, the day's cap may be
spent, or the borrower may have disputed or asked us to stop. So a call needs both the
item's permit honoured now (services.permits) and a fresh gate decision, written to the
audit log before the number is shown — the dispatcher's pattern for a deferred message
(services.dispatch). The outcome can then only be recorded for a call so cleared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from arrears.domain.access import User, mask_phone, sees_pii
from arrears.domain.audit import AuditRecord
from arrears.domain.gate import ContactProposal, Verdict, gate_payload
from arrears.services.compliance_gate import ComplianceGate
from arrears.services.errors import Conflict, NotFound
from arrears.services.permits import PermitRefused, honour_permit
from arrears.services.ports import UnitOfWork

OPEN_SHOWN = 50  # open items listed on the queue page; the count says how many there are
PERMIT_RULE = "desk.permit_refused"  # the rule a refused permit is shown under


@dataclass(frozen=True, slots=True)
class QueueLine:
    """One item of the call queue, as a line of the agent's list."""

    work_item_id: int
    loan_id: str
    borrower_id: str
    borrower_name: str | None
    status: str  # open | claimed
    priority: int
    overdue_minor: int
    currency: str
    dpd: int
    bucket: str
    as_of: date
    claimed_at: datetime | None
    callback_at: datetime | None
    cleared: bool  # a call was cleared by the gate and its outcome not yet recorded


@dataclass(frozen=True, slots=True)
class Queue:
    mine: list[QueueLine]  # claimed by this agent: callbacks first
    open: list[QueueLine]  # today's open items in queue order (up to OPEN_SHOWN)
    open_count: int


@dataclass(frozen=True, slots=True)
class CallClearance:
    """The gate's word on a call about to be made: the number only when it is allowed."""

    work_item_id: int
    verdict: str  # allow | deny | defer
    rule: str
    reason: str
    next_at: datetime | None  # for defer: the next lawful moment
    phone: str | None  # in full when allowed; masked otherwise
    decision_id: int | None  # the audit entry (None: the permit was refused; no call)

    @property
    def allowed(self) -> bool:
        return self.verdict == Verdict.ALLOW


def my_queue(uow_factory: Callable[[], UnitOfWork], user: User, day: date) -> Queue:
    """``user``'s claimed items and the open call items of ``day`` (the portfolio's date)."""
    with uow_factory() as uow:
        mine = uow.desk.claimed_by(user.username)
        opened = uow.desk.open_lines(day, OPEN_SHOWN)
        count = uow.desk.count_open(day)
    return Queue([_line(r) for r in mine], [_line(r) for r in opened], count)


def claim_next(
    uow_factory: Callable[[], UnitOfWork], user: User, day: date, now: datetime
) -> QueueLine | None:
    """Claim the first open item of ``day`` for ``user``; None when the queue is empty.
    Two agents claiming at once never get the same item (adapters.store.desk_sql)."""
    with uow_factory() as uow:
        claimed = uow.desk.claim_next(user.username, day, now)
        line = None if claimed is None else uow.desk.line(claimed)
        uow.commit()
    return None if line is None else _line(line)


def work_item(uow_factory: Callable[[], UnitOfWork], user: User, work_item_id: int) -> QueueLine:
    """An item ``user`` holds (claimed by them); another's or an unknown one is not found."""
    with uow_factory() as uow:
        return _line(held_item(uow, user, work_item_id))


def clear_call(
    uow_factory: Callable[[], UnitOfWork], user: User, work_item_id: int, now: datetime
) -> CallClearance:
    """Honour the item's permit now and have the gate judge the call at this moment; the
    decision is written to the audit log (and, when allowed, noted on the item) before the
    number is given. A refused permit or a gate's deny/defer gives the rule and reason."""
    with uow_factory() as uow:
        row = held_item(uow, user, work_item_id)
        facts = uow.desk.call_facts(row["loan_id"])
        assert facts is not None  # the item's loan exists (foreign key)
        masked = mask_phone(facts["phone"])
        try:
            honour_permit(uow, row["permit_id"] or "", row["loan_id"], "call", now)
        except PermitRefused as refused:
            uow.desk.set_call_decision(work_item_id, None)
            uow.commit()
            return CallClearance(
                work_item_id, "deny", PERMIT_RULE, str(refused), None, masked, None
            )
        proposal = _proposal(row, facts, now)
        decision = ComplianceGate.of(uow).decide([proposal])[0]
        record = AuditRecord("gate_decision", proposal.loan_id, gate_payload(
            proposal.as_of, proposal.loan_id, proposal.step, proposal.channel,
            str(decision.verdict), decision.rule_id, decision.reason, decision.next_at,
            decision.permit_id), now)  # fmt: skip
        seq = uow.audit.append([record])[0]
        allowed = decision.verdict is Verdict.ALLOW
        uow.desk.set_call_decision(work_item_id, seq if allowed else None)
        uow.commit()
    phone = facts["phone"] if allowed else masked
    return CallClearance(work_item_id, str(decision.verdict), decision.rule_id, decision.reason,
                         decision.next_at, phone, seq)  # fmt: skip


def shown_phone(user: User, phone: str | None) -> str | None:
    """A number as ``user`` may see it outside a cleared call."""
    return phone if sees_pii(user.role) else mask_phone(phone)


def _proposal(row: dict[str, Any], facts: dict[str, Any], now: datetime) -> ContactProposal:
    return ContactProposal(
        row["loan_id"], row["borrower_id"], row["as_of"], row["step"], "call", now,
        product=facts["product"], purpose=facts["purpose"], recipient=facts["person"],
        flags=facts["flags"],
    )  # fmt: skip


def held_item(uow: UnitOfWork, user: User, work_item_id: int) -> dict[str, Any]:
    """The item's row, if ``user`` holds it: another agent's item is "not found" to them."""
    row = uow.desk.line(work_item_id)
    if row is None or row["assigned_to"] != user.username:
        raise NotFound(f"no work item {work_item_id} is yours")
    if row["status"] != "claimed":
        raise Conflict(f"work item {work_item_id} is {row['status']}")
    return row


def _line(row: dict[str, Any]) -> QueueLine:
    return QueueLine(
        row["work_item_id"], row["loan_id"], row["borrower_id"], row["name"], row["status"],
        int(row["priority"]), int(row["overdue_minor"]), row["currency"], int(row["dpd"]),
        row["bucket"], row["as_of"], row["claimed_at"], row["callback_at"],
        row["call_decision_id"] is not None,
    )  # fmt: skip
