"""The field and legal queues' reads and writes (services.casework_ports): work items
joined to their loan, borrower and delinquency status; an item taken by one person
only (the update holds ``status = 'open'``, so of two at once one wins); the records
of a legal case file. Nothing here commits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, exists, or_, select, update

from arrears.adapters.store import tables as t
from arrears.adapters.store.bulk import as_utc

_w, _l, _b, _s = t.work_item, t.loan, t.borrower, t.loan_status
_ITEM = (
    _w.c.work_item_id, _w.c.action_id, _w.c.queue, _w.c.as_of, _w.c.loan_id,
    _w.c.borrower_id, _w.c.channel, _w.c.step, _w.c.priority, _w.c.overdue_minor,
    _w.c.permit_id, _w.c.status, _w.c.assigned_to, _w.c.claimed_at, _w.c.closed_at,
    _l.c.currency, _l.c.product, _b.c.name, _b.c.phone, _b.c.address, _b.c.timezone,
    _s.c.dpd, _s.c.bucket,
)  # fmt: skip
_TIMES = ("claimed_at", "closed_at")


def _joined() -> Any:
    return (
        select(*_ITEM)
        .join(_l, _l.c.loan_id == _w.c.loan_id)
        .join(_b, _b.c.borrower_id == _w.c.borrower_id)
        .outerjoin(_s, _s.c.loan_id == _w.c.loan_id)
    )


def _superseded() -> Any:
    """An open item whose loan has a newer open item in the queue, or one taken: the
    strategy plans a visit every 14 days and a review every 30, and the loan is one
    errand, not two (``supersede`` closes the rest when one is done)."""
    other = _w.alias("other")
    return (_w.c.status == "open") & exists().where(
        other.c.queue == _w.c.queue,
        other.c.loan_id == _w.c.loan_id,
        other.c.work_item_id != _w.c.work_item_id,
        (other.c.status == "claimed")
        | ((other.c.status == "open") & (other.c.work_item_id > _w.c.work_item_id)),
    )


def _item(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    for name in _TIMES:
        if found[name] is not None:
            found[name] = as_utc(found[name])
    return found


class SqlCasework:
    def __init__(self, connection: Connection):
        self.connection = connection

    def items(
        self, queue: str, statuses: Sequence[str], visible_to: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` of the queue's items in a status: the taken ones first, then in
        queue order; ``visible_to``: only the open ones and those taken by that user."""
        query = _joined().where(
            _w.c.queue == queue, _w.c.status.in_(list(statuses)), ~_superseded()
        )
        if visible_to is not None:
            query = query.where(or_(_w.c.status == "open", _w.c.assigned_to == visible_to))
        taken_first = case((_w.c.status == "claimed", 0), else_=1)  # never cut off by the limit
        query = query.order_by(
            taken_first, _w.c.priority.desc(), _w.c.overdue_minor.desc(), _w.c.work_item_id
        ).limit(limit)
        return [_item(row) for row in self.connection.execute(query)]

    def item(self, work_item_id: int) -> dict[str, Any] | None:
        row = self.connection.execute(_joined().where(_w.c.work_item_id == work_item_id)).first()
        return None if row is None else _item(row)

    def take(self, work_item_id: int, user: str, at: datetime) -> bool:
        """Claim an open item for ``user``; False when it was no longer open."""
        result = self.connection.execute(
            update(_w)
            .where(_w.c.work_item_id == work_item_id, _w.c.status == "open")
            .values(status="claimed", assigned_to=user, claimed_at=at)
        )
        return int(result.rowcount) == 1

    def finish(self, work_item_id: int, user: str, status: str, at: datetime) -> bool:
        """Close an item ``user`` holds as ``status``; False when they do not hold it."""
        result = self.connection.execute(
            update(_w)
            .where(
                _w.c.work_item_id == work_item_id,
                _w.c.status == "claimed",
                _w.c.assigned_to == user,
            )
            .values(status=status, closed_at=at)
        )
        return int(result.rowcount) == 1

    def supersede(self, queue: str, loan_id: str, at: datetime) -> int:
        """Cancel the loan's items still open in ``queue``: one done covers them."""
        result = self.connection.execute(
            update(_w)
            .where(_w.c.queue == queue, _w.c.loan_id == loan_id, _w.c.status == "open")
            .values(status="cancelled", closed_at=at)
        )
        return int(result.rowcount)

    def decisions(self, loan_id: str) -> list[dict[str, Any]]:
        """Every action planned for the loan with the gate's decision (verdict, rule,
        reason) as the audit log recorded it, oldest first."""
        a, g = t.action, t.audit_log
        rows = self.connection.execute(
            select(
                a.c.action_id,
                a.c.as_of,
                a.c.step,
                a.c.channel,
                a.c.template,
                a.c.status,
                a.c.rule_id,
                a.c.permit_id,
                a.c.decision_id,
                g.c.recorded_at,
                g.c.payload_json,
            )
            .join(g, g.c.seq == a.c.decision_id)
            .where(a.c.loan_id == loan_id)
            .order_by(a.c.as_of, a.c.action_id)
        )
        found = []
        for row in rows:
            decision = dict(row._mapping)
            payload = json.loads(decision.pop("payload_json"))
            decision["verdict"] = payload.get("verdict")
            decision["reason"] = payload.get("reason")
            decision["recorded_at"] = as_utc(decision["recorded_at"])
            found.append(decision)
        return found

    def payments(self, loan_id: str) -> list[dict[str, Any]]:
        """The loan's payments, each with its reversal if it was reversed."""
        p, r = t.payment, t.payment_reversal
        rows = self.connection.execute(
            select(
                p.c.payment_id,
                p.c.paid_on,
                p.c.amount_minor,
                p.c.currency,
                p.c.channel,
                r.c.reversed_on,
            )
            .outerjoin(r, r.c.payment_id == p.c.payment_id)
            .where(p.c.loan_id == loan_id)
            .order_by(p.c.paid_on, p.c.payment_id)
        )
        return [dict(row._mapping) for row in rows]

    def journal_lines(self, loan_id: str) -> list[dict[str, Any]]:
        """Every posting of the loan's journal, entry by entry."""
        e, p = t.journal_entry, t.journal_posting
        rows = self.connection.execute(
            select(
                e.c.entry_seq,
                e.c.posted_on,
                e.c.kind,
                e.c.source,
                e.c.currency,
                p.c.account,
                p.c.amount_minor,
            )
            .join(p, (p.c.loan_id == e.c.loan_id) & (p.c.entry_seq == e.c.entry_seq))
            .where(e.c.loan_id == loan_id)
            .order_by(e.c.entry_seq, p.c.account)
        )
        return [dict(row._mapping) for row in rows]
