"""Planned actions and the gate's decisions on them, written together in bulk.

Each decision is appended to the audit log (a hash chain) before its action, and the
action points at its entry: an action is never stored without the decision (and, when
allowed, the permit) it was made under. The messages and work items the actions make
are enqueued in the same transaction (the outbox, ``outbox_sql``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, text

from arrears.adapters.store.audit_sql import SqlAudit
from arrears.adapters.store.bulk import as_date, as_utc, insert_rows, reuse_scratch, sql_value
from arrears.adapters.store.outbox_sql import SqlOutbox
from arrears.domain.actions import ACTION_COLUMNS, STATUS_OF_VERDICT, ActionRow
from arrears.domain.audit import AuditRecord
from arrears.domain.gate import GateBypassError, GateDecision, gate_payload

_PLANNED = (
    "as_of DATE NOT NULL, loan_id VARCHAR(64) NOT NULL, borrower_id VARCHAR(64) NOT NULL,"
    " step VARCHAR(64) NOT NULL, channel VARCHAR(16) NOT NULL, template VARCHAR(64),"
    " strategy VARCHAR(64) NOT NULL, strategy_version INTEGER NOT NULL,"
    " segment VARCHAR(64) NOT NULL, arm VARCHAR(16) NOT NULL, priority INTEGER NOT NULL,"
    " overdue_minor BIGINT NOT NULL, earliest_at TIMESTAMP NOT NULL, verdict VARCHAR(8) NOT NULL,"
    " rule_id VARCHAR(64) NOT NULL, reason TEXT NOT NULL, next_at TIMESTAMP, permit_id VARCHAR(64),"
    " decision_id BIGINT NOT NULL"
)


class SqlActions:
    def __init__(self, connection: Connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def store(self, rows: Sequence[ActionRow], now: datetime) -> None:
        """Write each decision to the audit log, then each action pointing at its entry."""
        if not rows:
            return
        if not all(isinstance(row.decision, GateDecision) for row in rows):
            raise GateBypassError("an action is stored only with the gate's decision on it")
        c = self.connection
        seqs = SqlAudit(c).append([_decision_record(row, now) for row in rows])
        timestamp = "TIMESTAMP WITH TIME ZONE" if self.postgres else "TIMESTAMP"
        reuse_scratch(c, "cycle_planned", _PLANNED.replace("TIMESTAMP", timestamp))
        insert_rows(
            c,
            "cycle_planned",
            (*ACTION_COLUMNS, "decision_id"),
            [(*row.values(), seq) for row, seq in zip(rows, seqs, strict=True)],
        )
        status = " ".join(f"WHEN '{v}' THEN '{s}'" for v, s in STATUS_OF_VERDICT.items())
        # ids only grow: the batch's actions are those after the newest one before it
        before = c.execute(text("SELECT COALESCE(MAX(action_id), 0) FROM action")).scalar_one()
        c.execute(
            text(
                "INSERT INTO action (as_of, loan_id, borrower_id, step, channel, template,"
                " strategy, strategy_version, segment, arm, priority, overdue_minor, earliest_at,"
                " status, decision_id, permit_id, rule_id, not_before, created_at)"
                " SELECT as_of, loan_id, borrower_id, step, channel, template, strategy,"
                " strategy_version, segment, arm, priority, overdue_minor, earliest_at,"
                f" CASE verdict {status} END, decision_id, permit_id, rule_id, next_at, :now"
                " FROM cycle_planned"
            ),
            {"now": sql_value(c, now)},
        )
        c.execute(text("DELETE FROM cycle_planned"))
        # the outbox: the messages and work these actions make, in the same transaction
        SqlOutbox(c).enqueue(seqs[0], seqs[-1], now, after_action=int(before))

    def counts(self, day: date) -> dict[str, dict[str, int]]:
        """Actions of a day: channel → status → count."""
        rows = self.connection.execute(
            text(
                "SELECT channel, status, COUNT(*) FROM action WHERE as_of = :day"
                " GROUP BY channel, status"
            ),
            {"day": sql_value(self.connection, day)},
        )
        found: dict[str, dict[str, int]] = {}
        for channel, status, count in rows:
            found.setdefault(channel, {})[status] = int(count)
        return found

    def totals(self, first: date, last: date) -> dict[str, int]:
        """Actions permitted from ``first`` through ``last``, per channel."""
        rows = self.connection.execute(
            text(
                "SELECT channel, COUNT(*) FROM action WHERE as_of BETWEEN :first AND :last"
                " AND status = 'permitted' GROUP BY channel ORDER BY channel"
            ),
            {
                "first": sql_value(self.connection, first),
                "last": sql_value(self.connection, last),
            },
        )
        return {row[0]: int(row[1]) for row in rows}

    def by_permits(self, permit_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``by_permit`` for many permits at once (a team's day of calls): permit → action."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(permit_ids), 500):
            chunk = list(permit_ids[start : start + 500])
            marks = ", ".join(f":p{i}" for i in range(len(chunk)))
            rows = self.connection.execute(
                text(
                    f"SELECT permit_id, {_PERMIT_COLUMNS} FROM action WHERE permit_id IN ({marks})"
                ),
                {f"p{i}": permit for i, permit in enumerate(chunk)},
            )
            for row in rows:
                action = dict(row._mapping)
                found[action.pop("permit_id")] = _permitted(action)
        return found

    def by_permit(self, permit_id: str) -> dict[str, Any] | None:
        """The action a permit was issued for, with its status and earliest moment."""
        row = self.connection.execute(
            text(f"SELECT {_PERMIT_COLUMNS} FROM action WHERE permit_id = :permit"),
            {"permit": permit_id},
        ).first()
        return None if row is None else _permitted(dict(row._mapping))

    def by_rule(
        self, first: date, last: date, product: str | None = None
    ) -> list[tuple[date, str, str, str, str | None, int]]:
        """Actions from ``first`` through ``last`` by day, status, deciding rule, channel and
        the arm recorded on them; on loans of ``product`` only, when given."""
        of_product = (
            " AND loan_id IN (SELECT pl.loan_id FROM loan pl WHERE pl.product = :product)"
            if product is not None
            else ""
        )
        rows = self.connection.execute(
            text(
                "SELECT as_of, status, rule_id, channel, arm, COUNT(*) FROM action"
                f" WHERE as_of BETWEEN :first AND :last{of_product} GROUP BY as_of, status,"
                " rule_id, channel, arm ORDER BY as_of, status, rule_id, channel, arm"
            ),
            {
                "first": sql_value(self.connection, first),
                "last": sql_value(self.connection, last),
                **({"product": product} if product is not None else {}),
            },
        )
        return [(as_date(r[0]), r[1], r[2] or "", r[3], r[4], int(r[5])) for r in rows]

    def listing(self, day: date, channel: str | None, limit: int | None) -> list[dict[str, Any]]:
        """A day's actions, the work-queue order: priority first, then amount overdue."""
        where = "a.as_of = :day" + (" AND a.channel = :channel" if channel else "")
        rows = self.connection.execute(
            text(
                "SELECT a.action_id, a.as_of, a.loan_id, a.borrower_id, a.channel, a.template,"
                " a.step, a.segment, a.strategy, a.strategy_version, a.arm, a.priority,"
                " a.overdue_minor, l.currency, a.earliest_at, a.status, a.rule_id, a.not_before,"
                " a.permit_id FROM action a JOIN loan l ON l.loan_id = a.loan_id"
                f" WHERE {where} ORDER BY a.priority DESC, a.overdue_minor DESC, a.loan_id"
                + (" LIMIT :limit" if limit else "")
            ),
            {"day": sql_value(self.connection, day), "channel": channel, "limit": limit},
        )
        listed = [dict(row._mapping) for row in rows]
        for row in listed:
            row["as_of"] = as_date(row["as_of"])
            row["earliest_at"] = as_utc(row["earliest_at"])
            row["not_before"] = as_utc(row["not_before"]) if row["not_before"] else None
        return listed


def _decision_record(row: ActionRow, now: datetime) -> AuditRecord:
    p, d = row.planned, row.decision
    payload = gate_payload(
        p.as_of, p.loan_id, p.step, p.channel, str(d.verdict), d.rule_id, d.reason, d.next_at,
        d.permit_id,
    )  # fmt: skip
    return AuditRecord("gate_decision", p.loan_id, payload, now)


_PERMIT_COLUMNS = (
    "action_id, as_of, loan_id, borrower_id, step, channel, template, status,"
    " earliest_at, not_before, decision_id, arm"
)


def _permitted(action: dict[str, Any]) -> dict[str, Any]:
    """An action row read for its permit, with its day and moment typed."""
    action["as_of"] = as_date(action["as_of"])
    action["earliest_at"] = as_utc(action["earliest_at"])
    return action
