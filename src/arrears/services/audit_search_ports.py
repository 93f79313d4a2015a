"""What the audit log's search needs from the store (adapters.store.audit_search_sql), as
``uow.audit_search``: entries filtered by subject, kind and time, newest first, a page at
a time. Kept apart from ``AuditLog``, whose reads walk the whole chain in seq order."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from arrears.domain.audit import AuditEntry


class AuditSearchStore(Protocol):
    def search(
        self, subject: str | None, kind: str | None, start: datetime | None,
        end: datetime | None, offset: int, limit: int,
    ) -> list[AuditEntry]: ...  # fmt: skip
    def kinds(self) -> list[str]: ...
