"""The audit log searched (``uow.audit_search``): the compliance officer's view of it.

Filters are bound parameters; the page is ``LIMIT``/``OFFSET`` over seq descending (the
newest first), which the primary key serves. Subject and kind are matched exactly: they
are ids and codes (``ix_audit_log_kind_subject`` serves the pair).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from arrears.adapters.store.audit_sql import _SELECT, _entry
from arrears.adapters.store.bulk import sql_value
from arrears.domain.audit import AuditEntry


class SqlAuditSearch:
    def __init__(self, connection: Connection):
        self.connection = connection

    def search(
        self, subject: str | None, kind: str | None, start: datetime | None,
        end: datetime | None, offset: int, limit: int,
    ) -> list[AuditEntry]:  # fmt: skip
        """Entries matching every filter given, newest first; ``end`` excluded."""
        where: list[str] = []
        values: dict[str, Any] = {"limit": int(limit), "offset": int(offset)}
        if subject is not None:
            where.append("subject = :subject")
            values["subject"] = subject
        if kind is not None:
            where.append("kind = :kind")
            values["kind"] = kind
        if start is not None:
            where.append("recorded_at >= :start")
            values["start"] = sql_value(self.connection, start)
        if end is not None:
            where.append("recorded_at < :end")
            values["end"] = sql_value(self.connection, end)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        query = f"{_SELECT}{clause} ORDER BY seq DESC LIMIT :limit OFFSET :offset"
        return [_entry(row) for row in self.connection.execute(text(query), values)]

    def kinds(self) -> list[str]:
        """The kinds recorded so far, for the search form's choices."""
        rows = self.connection.execute(text("SELECT DISTINCT kind FROM audit_log ORDER BY kind"))
        return [row[0] for row in rows]
