"""The agent desk's reads and writes of the call queue (``work_item``, queue ``agent``).

Claiming is the one thing here that must hold under concurrency: two agents pressing
"next account" at once never get the same item. PostgreSQL locks the chosen row with
``FOR UPDATE SKIP LOCKED`` (a second claimer skips it rather than waiting); SQLite
serialises writers, so one ``UPDATE … WHERE work_item_id = (SELECT …) AND status =
'open'`` is atomic on its own, and the ``status = 'open'`` guard makes a lost race
claim nothing rather than the same item twice.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, bindparam, text

from arrears.adapters.store.bulk import as_utc
from arrears.domain.compliance.facts import loan_file_person

# The columns a queue line shows: the item, the borrower's name, the loan's state.
_LINE = """
SELECT w.work_item_id, w.action_id, w.loan_id, w.borrower_id, w.channel, w.step,
    w.permit_id, w.priority, w.overdue_minor, w.status, w.assigned_to, w.claimed_at,
    w.callback_at, w.call_decision_id, w.as_of, b.name, l.currency,
    COALESCE(s.dpd, 0) AS dpd, COALESCE(s.bucket, 'M0') AS bucket
FROM work_item w JOIN borrower b ON b.borrower_id = w.borrower_id
JOIN loan l ON l.loan_id = w.loan_id
LEFT JOIN loan_status s ON s.loan_id = w.loan_id
"""
_ORDER = " ORDER BY w.priority DESC, w.overdue_minor DESC, w.work_item_id"
_MINE = text(_LINE + " WHERE w.queue = 'agent' AND w.status = 'claimed'"
             " AND w.assigned_to = :agent ORDER BY w.callback_at, w.claimed_at, w.work_item_id")  # fmt: skip
_OPEN = text(
    _LINE
    + " WHERE w.queue = 'agent' AND w.status = 'open' AND w.as_of = :day"
    + _ORDER
    + " LIMIT :limit"
).bindparams(bindparam("day", type_=Date))
_COUNT_OPEN = text(
    "SELECT COUNT(*) FROM work_item WHERE queue = 'agent' AND status = 'open' AND as_of = :day"
).bindparams(bindparam("day", type_=Date))
_ONE = text(_LINE + " WHERE w.work_item_id = :item")
_NEXT = (
    "SELECT work_item_id FROM work_item WHERE queue = 'agent' AND status = 'open'"
    " AND as_of = :day ORDER BY priority DESC, overdue_minor DESC, work_item_id LIMIT 1"
)
_CLAIM_PG = text(_NEXT + " FOR UPDATE SKIP LOCKED").bindparams(bindparam("day", type_=Date))
_CLAIM_ONE = text(
    "UPDATE work_item SET status = 'claimed', assigned_to = :agent, claimed_at = :now"
    " WHERE work_item_id = :item AND status = 'open' RETURNING work_item_id"
)
_CLAIM_SQLITE = text(
    "UPDATE work_item SET status = 'claimed', assigned_to = :agent, claimed_at = :now"
    f" WHERE work_item_id = ({_NEXT}) AND status = 'open' RETURNING work_item_id"
).bindparams(bindparam("day", type_=Date))
_VISIBLE = text(
    "SELECT 1 FROM work_item WHERE borrower_id = :borrower AND queue = 'agent' AND ("
    " (status IN ('open', 'claimed') AND as_of = :day) OR assigned_to = :agent AND"
    " (status = 'claimed' OR as_of = :day)) LIMIT 1"
).bindparams(bindparam("day", type_=Date))


class SqlDesk:
    def __init__(self, connection: Connection):
        self.connection = connection

    def claimed_by(self, agent: str) -> list[dict[str, Any]]:
        """The agent's claimed items, callbacks first by their time."""
        return self._lines(_MINE, {"agent": agent})

    def open_lines(self, day: date, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` open items opened on ``day``, in queue order."""
        return self._lines(_OPEN, {"day": day, "limit": limit})

    def count_open(self, day: date) -> int:
        return int(self.connection.execute(_COUNT_OPEN, {"day": day}).scalar_one())

    def line(self, work_item_id: int) -> dict[str, Any] | None:
        found = self._lines(_ONE, {"item": work_item_id})
        return found[0] if found else None

    def claim_next(self, agent: str, day: date, now: datetime) -> int | None:
        """Claim the first open item of ``day`` for ``agent``; its id, or None when none is
        left. Atomic: see the module's docstring."""
        values = {"agent": agent, "day": day, "now": now}
        if self.connection.dialect.name == "postgresql":
            chosen = self.connection.execute(_CLAIM_PG, values).scalar()
            if chosen is None:
                return None
            claimed = self.connection.execute(_CLAIM_ONE, {**values, "item": chosen}).scalar()
        else:
            claimed = self.connection.execute(_CLAIM_SQLITE, values).scalar()
        return None if claimed is None else int(claimed)

    def may_see(self, agent: str, borrower_id: str, day: date) -> bool:
        """Has ``borrower_id`` an item in the call queue of ``day``, or one ``agent`` holds?"""
        found = self.connection.execute(
            _VISIBLE, {"borrower": borrower_id, "agent": agent, "day": day}
        ).first()
        return found is not None

    def set_call_decision(self, work_item_id: int, decision_id: int | None) -> None:
        self.connection.execute(
            text("UPDATE work_item SET call_decision_id = :d WHERE work_item_id = :item"),
            {"d": decision_id, "item": work_item_id},
        )

    def keep_for_callback(self, work_item_id: int, agent: str, at: datetime) -> int:
        """The item stays the agent's, to be called back at ``at`` (under a new clearance)."""
        result = self.connection.execute(
            text(
                "UPDATE work_item SET callback_at = :at, call_decision_id = NULL"
                " WHERE work_item_id = :item AND status = 'claimed' AND assigned_to = :agent"
            ),
            {"at": at, "item": work_item_id, "agent": agent},
        )
        return int(result.rowcount)

    def close_claimed(self, work_item_id: int, agent: str, now: datetime) -> int:
        result = self.connection.execute(
            text(
                "UPDATE work_item SET status = 'done', closed_at = :now, callback_at = NULL"
                " WHERE work_item_id = :item AND status = 'claimed' AND assigned_to = :agent"
            ),
            {"now": now, "item": work_item_id, "agent": agent},
        )
        return int(result.rowcount)

    def call_facts(self, loan_id: str) -> dict[str, Any] | None:
        """What the gate needs to judge a call about ``loan_id`` now: the product, the
        purpose, the borrower's flags, and the person as the loan file has them (None when
        they hold a compliance profile, which the gate reads itself) — as the dispatcher's
        ``outbox.people`` gives them for a message."""
        row = self.connection.execute(
            text(
                "SELECT l.borrower_id, l.product, COALESCE(s.dpd, 0), b.name, b.phone, b.email,"
                " b.language, b.timezone, cp.borrower_id IS NOT NULL FROM loan l"
                " JOIN borrower b ON b.borrower_id = l.borrower_id"
                " LEFT JOIN loan_status s ON s.loan_id = l.loan_id"
                " LEFT JOIN compliance_profile cp ON cp.borrower_id = l.borrower_id"
                " WHERE l.loan_id = :loan"
            ),
            {"loan": loan_id},
        ).first()
        if row is None:
            return None
        borrower_id, product, dpd, name, phone, email, language, zone, has_profile = row
        flags = tuple(
            (flag, as_utc(set_at))
            for flag, set_at in self.connection.execute(
                text("SELECT flag, set_at FROM borrower_flag WHERE borrower_id = :b ORDER BY flag"),
                {"b": borrower_id},
            )
        )
        person = None if has_profile else loan_file_person(
            borrower_id, name, phone, email, zone, language)  # fmt: skip
        return {
            "borrower_id": borrower_id, "product": product, "phone": phone, "flags": flags,
            "purpose": "reminder" if int(dpd) == 0 else "collection", "person": person,
        }  # fmt: skip

    def borrower(self, borrower_id: str) -> dict[str, Any] | None:
        row = self.connection.execute(
            text(
                "SELECT borrower_id, name, phone, email, address, timezone, language"
                " FROM borrower WHERE borrower_id = :b"
            ),
            {"b": borrower_id},
        ).first()
        return None if row is None else dict(row._mapping)

    def loans(self, borrower_id: str) -> list[dict[str, Any]]:
        rows = self.connection.execute(
            text(
                "SELECT loan_id, product, currency, principal_minor, term_months, start_date"
                " FROM loan WHERE borrower_id = :b ORDER BY start_date, loan_id"
            ),
            {"b": borrower_id},
        )
        return [_dated(dict(row._mapping), "start_date") for row in rows]

    def payments(self, borrower_id: str) -> list[dict[str, Any]]:
        rows = self.connection.execute(
            text(
                "SELECT p.payment_id, p.loan_id, p.paid_on, p.amount_minor, p.currency, p.channel"
                " FROM payment p JOIN loan l ON l.loan_id = p.loan_id WHERE l.borrower_id = :b"
                " ORDER BY p.paid_on DESC, p.payment_id"
            ),
            {"b": borrower_id},
        )
        return [_dated(dict(row._mapping), "paid_on") for row in rows]

    def contact_history(self, borrower_id: str, limit: int) -> list[dict[str, Any]]:
        """The borrower's latest attempts, each with the gate decision its action was made
        under (rule and reason from the audit log), newest first."""
        rows = self.connection.execute(
            text(
                "SELECT c.attempt_id, c.loan_id, c.channel, c.direction, c.outcome,"
                " c.attempted_at, c.agent, c.note, a.rule_id, g.payload_json"
                " FROM contact_attempt c LEFT JOIN action a ON a.action_id = c.action_id"
                " LEFT JOIN audit_log g ON g.seq = a.decision_id WHERE c.borrower_id = :b"
                " ORDER BY c.attempted_at DESC, c.attempt_id DESC LIMIT :limit"
            ),
            {"b": borrower_id, "limit": limit},
        )
        return [_with_decision(dict(row._mapping)) for row in rows]

    def decisions(self, loan_ids: list[str], limit: int) -> list[dict[str, Any]]:
        """The latest gate decisions about the loans (the cycle's and the desk's calls)."""
        if not loan_ids:
            return []
        rows = self.connection.execute(
            text(
                "SELECT seq, recorded_at, subject, payload_json FROM audit_log"
                " WHERE kind = 'gate_decision' AND subject IN :loans"
                " ORDER BY seq DESC LIMIT :limit"
            ).bindparams(bindparam("loans", expanding=True)),
            {"loans": loan_ids, "limit": limit},
        )
        found = []
        for seq, recorded_at, subject, payload_json in rows:
            payload = json.loads(payload_json)
            found.append({
                "seq": int(seq), "recorded_at": as_utc(recorded_at), "loan_id": subject,
                "channel": payload.get("channel"), "verdict": payload.get("verdict"),
                "rule": payload.get("rule"), "reason": payload.get("reason"),
                "not_before": _moment(payload.get("not_before")),
            })  # fmt: skip
        return found

    def _lines(self, query: Any, values: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for row in self.connection.execute(query, values):
            line = dict(row._mapping)
            for name in ("claimed_at", "callback_at"):
                if line[name] is not None:
                    line[name] = as_utc(line[name])
            found.append(_dated(line, "as_of"))
        return found


def _with_decision(row: dict[str, Any]) -> dict[str, Any]:
    payload = json.loads(row.pop("payload_json") or "{}")
    row["attempted_at"] = as_utc(row["attempted_at"])
    row["rule"] = payload.get("rule") or row.pop("rule_id")
    row.pop("rule_id", None)
    row["reason"] = payload.get("reason")
    return row


def _dated(row: dict[str, Any], name: str) -> dict[str, Any]:
    """SQLite hands a DATE back as text from a textual query."""
    if isinstance(row[name], str):
        row[name] = date.fromisoformat(row[name])
    return row


def _moment(value: object) -> datetime | None:
    return as_utc(value) if isinstance(value, str | datetime) else None
