"""The audit log in SQL (``uow.audit``): batches appended to the hash chain, entries streamed.

An append takes the log's write lock first, reads the head once, links the whole
batch in Python (domain.audit) and writes it in one bulk insert (COPY on PostgreSQL,
multi-row VALUES on SQLite), then moves the head — all in the caller's transaction,
so the decisions and their record commit together or not at all. Nothing here commits.

The lock keeps two transactions from both continuing the chain from the same head
(the seq primary key would refuse the second; the lock makes it wait instead). It is
held until the caller's transaction ends: append late in a transaction, after any
other locks it takes, so that locks are always taken in the same order.

Reading never loads the whole log: entries come in chunks of consecutive seqs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from arrears.adapters.store.bulk import as_utc, insert_rows, sql_value
from arrears.domain.audit import AuditEntry, AuditRecord, ChainHead, link
from arrears.services.errors import Conflict

HEAD_ID = 1
CHUNK_SIZE = 10_000
COLUMNS = ("seq", "recorded_at", "kind", "subject", "payload_json", "prev_hash", "entry_hash")
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM audit_log"


class SqlAudit:
    def __init__(self, connection: Connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    # -- appending ------------------------------------------------------------------------
    def append(self, records: Sequence[AuditRecord]) -> list[int]:
        """Append ``records`` in order after the head; returns their seqs."""
        if not records:
            return []
        self._lock()
        head = self.head()
        if head is None and self._has_entries():
            raise Conflict(
                "the audit log has entries but no head, so it cannot be continued;"
                " run `arrears audit verify`"
            )
        entries = link(records, head)
        insert_rows(self.connection, "audit_log", COLUMNS, self._rows(entries))
        self._move_head(ChainHead(entries[-1].seq, entries[-1].entry_hash), head is None)
        return [e.seq for e in entries]

    def _rows(self, entries: Sequence[AuditEntry]) -> list[tuple[Any, ...]]:
        if self.postgres:
            return [
                (e.seq, e.recorded_at, e.kind, e.subject, e.payload_json, e.prev_hash, e.entry_hash)
                for e in entries
            ]
        return [
            (e.seq, _sqlite_time(e.recorded_at), e.kind, e.subject, e.payload_json, e.prev_hash,
             e.entry_hash)
            for e in entries
        ]  # fmt: skip

    def _lock(self) -> None:
        """Hold off other appends until this transaction ends (readers are not blocked).

        SQLite: a write to the head starts the transaction as a writer, waiting for the
        busy timeout if another holds the database; the head is then read inside it.
        """
        if self.postgres:
            self.connection.exec_driver_sql("LOCK TABLE audit_head IN EXCLUSIVE MODE")
        else:
            self.connection.exec_driver_sql("UPDATE audit_head SET seq = seq WHERE head_id = 1")

    def _has_entries(self) -> bool:
        return (
            self.connection.exec_driver_sql("SELECT 1 FROM audit_log LIMIT 1").first() is not None
        )

    def _move_head(self, head: ChainHead, new: bool) -> None:
        values = {"id": HEAD_ID, "seq": head.seq, "hash": head.entry_hash}
        if new:
            statement = (
                "INSERT INTO audit_head (head_id, seq, entry_hash) VALUES (:id, :seq, :hash)"
            )
        else:
            statement = "UPDATE audit_head SET seq = :seq, entry_hash = :hash WHERE head_id = :id"
        self.connection.execute(text(statement), values)

    # -- reading --------------------------------------------------------------------------
    def snapshot(self) -> None:
        """Make every later read of this transaction see the same moment (call it first).

        ``verify`` reads the head and then every entry; without one snapshot an append
        committed in between would look like an entry written around the log.
        """
        if self.postgres:
            self.connection.exec_driver_sql(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
            )
            return
        raw = self.connection.connection.driver_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN")  # WAL: the first read fixes what the transaction sees

    def head(self) -> ChainHead | None:
        row = self.connection.execute(
            text("SELECT seq, entry_hash FROM audit_head WHERE head_id = :id"), {"id": HEAD_ID}
        ).first()
        return None if row is None else ChainHead(int(row[0]), row[1])

    def entries(
        self, after_seq: int | None = None, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[AuditEntry]:
        """Every entry in seq order (after ``after_seq``), read ``chunk_size`` at a time."""
        last = after_seq
        while True:
            where = "" if last is None else f" WHERE seq > {int(last)}"
            rows = self.connection.exec_driver_sql(
                f"{_SELECT}{where} ORDER BY seq LIMIT {int(chunk_size)}"
            ).fetchall()
            yield from (_entry(row) for row in rows)
            if len(rows) < chunk_size:
                return
            last = rows[-1][0]

    def entries_recorded(
        self, start: datetime, end: datetime, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[AuditEntry]:
        """Entries recorded at ``start`` or later and before ``end``, in seq order.

        The span's seqs are found on the ``recorded_at`` index, then read in chunks of
        consecutive seqs (entries are recorded nearly in seq order)."""
        span = {"start": sql_value(self.connection, start), "end": sql_value(self.connection, end)}
        recorded = "recorded_at >= :start AND recorded_at < :end"
        first, last = self.connection.execute(
            text(f"SELECT MIN(seq), MAX(seq) FROM audit_log WHERE {recorded}"), span
        ).one()
        if first is None:
            return
        query = text(f"{_SELECT} WHERE seq >= :low AND seq <= :high AND {recorded} ORDER BY seq")
        for low in range(int(first), int(last) + 1, chunk_size):
            high = min(low + chunk_size - 1, int(last))
            rows = self.connection.execute(query, {**span, "low": low, "high": high}).fetchall()
            yield from (_entry(row) for row in rows)


def _sqlite_time(value: datetime) -> str:
    """A UTC time as the text SQLAlchemy's SQLite DATETIME stores (bulk.sqlite_datetime),
    formatted by hand: strftime is most of an append's time on SQLite otherwise."""
    v = value.astimezone(UTC)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 (faster than f-strings)
        v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond,
    )  # fmt: skip


def _entry(row: Any) -> AuditEntry:
    seq, recorded_at, kind, subject, payload_json, prev_hash, entry_hash = row
    return AuditEntry(
        int(seq), as_utc(recorded_at), kind, subject, payload_json, prev_hash, entry_hash
    )
