"""Moving the gate decisions of schema 0003 into the audit chain (migration 0005).

Each ``gate_decision`` row becomes an audit entry of kind ``gate_decision``, in the
order they were decided, and its action is repointed at the entry and given the
deciding rule and next lawful moment. Kept out of the migration file so a test can
read it and the same payload shape as the live gate is used (``gate_payload``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from arrears.adapters.store.audit_sql import SqlAudit
from arrears.adapters.store.bulk import as_date, as_utc
from arrears.domain.audit import AuditRecord
from arrears.domain.gate import gate_payload

_CHUNK = 5_000


def move_gate_decisions(connection: Connection) -> None:
    audit = SqlAudit(connection)
    last = 0
    while True:
        rows = connection.execute(
            text(
                "SELECT decision_id, loan_id, as_of, step, channel, verdict, rule_id, reason,"
                " next_at, permit_id, decided_at FROM gate_decision WHERE decision_id > :last"
                " ORDER BY decision_id LIMIT :chunk"
            ),
            {"last": last, "chunk": _CHUNK},
        ).all()
        if not rows:
            return
        seqs = audit.append([_record(row) for row in rows])
        for row, seq in zip(rows, seqs, strict=True):
            connection.execute(
                text(
                    "UPDATE action SET decision_id = :seq, rule_id = :rule, not_before = :next"
                    " WHERE decision_id = :old AND rule_id IS NULL"
                ),
                {"seq": seq, "rule": row.rule_id, "next": row.next_at, "old": row.decision_id},
            )
        last = rows[-1].decision_id


def _record(row: Any) -> AuditRecord:
    payload = gate_payload(
        as_date(row.as_of), row.loan_id, row.step, row.channel, row.verdict, row.rule_id,
        row.reason, as_utc(row.next_at) if row.next_at else None, row.permit_id,
    )  # fmt: skip
    return AuditRecord("gate_decision", row.loan_id, payload, as_utc(row.decided_at))
