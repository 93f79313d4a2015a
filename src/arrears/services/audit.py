"""The audit log's use cases: append records, verify the chain, export a span of days.

A decision and its record belong in one transaction: a use case that decides (the
daily cycle, the agent desk) calls ``uow.audit.append`` inside its own unit of work,
so both commit or neither does. ``append_entries`` is for a record on its own.
The chain's format and the reasons a check gives are in docs/audit.md.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING

from arrears.domain.audit import (
    AuditEntry,
    AuditRecord,
    AuditRecordError,
    ChainCheck,
    canonical_time,
    verify_chain,
)
from arrears.services.errors import InvalidInput

if TYPE_CHECKING:  # the ports load with the store that implements them
    from arrears.services.ports import UnitOfWork

EXPORT_COLUMNS = (
    "seq", "recorded_at", "kind", "subject", "payload", "prev_hash", "entry_hash",
)  # fmt: skip
PROGRESS_EVERY = 10_000
_FLUSH_CHARS = 1 << 16  # export text is handed on in pieces of about 64 KiB


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


def append_entries(
    uow_factory: Callable[[], UnitOfWork], records: Sequence[AuditRecord]
) -> list[int]:
    """Append ``records`` to the log in a transaction of their own; returns their seqs.

    A record that cannot be written as it is (a float or a naive time in its payload,
    an empty kind) is ``InvalidInput`` and nothing is written.
    """
    try:
        with uow_factory() as uow:
            seqs = uow.audit.append(records)
            uow.commit()
    except AuditRecordError as error:
        raise InvalidInput(str(error)) from None
    return seqs


def count_entries(uow_factory: Callable[[], UnitOfWork]) -> int:
    """How many entries the head says the log holds (a progress bar's total)."""
    with uow_factory() as uow:
        head = uow.audit.head()
    return 0 if head is None else head.seq


def verify(
    uow_factory: Callable[[], UnitOfWork], progress: Callable[[int], None] | None = None
) -> ChainCheck:
    """Check the whole chain and its head as of one moment: the first break, if any.

    Appends committed while it runs are not looked at (nor mistaken for forgeries).
    ``progress`` is told how many more entries were read, now and then.
    """
    with uow_factory() as uow:
        uow.audit.snapshot()
        head = uow.audit.head()
        return verify_chain(_counted(uow.audit.entries(), progress), head)


def _counted(
    entries: Iterable[AuditEntry], progress: Callable[[int], None] | None
) -> Iterator[AuditEntry]:
    if progress is None:
        yield from entries
        return
    read = 0
    for entry in entries:
        yield entry
        read += 1
        if read == PROGRESS_EVERY:
            progress(read)
            read = 0
    progress(read)


def day_span(first_day: date, last_day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC times from the start of ``first_day`` to the end of ``last_day`` in ``zone``.

    >>> from zoneinfo import ZoneInfo
    >>> start, end = day_span(date(2026, 3, 1), date(2026, 3, 31), ZoneInfo("Asia/Shanghai"))
    >>> start.isoformat(), end.isoformat()
    ('2026-02-28T16:00:00+00:00', '2026-03-31T16:00:00+00:00')
    """
    if last_day < first_day:
        raise InvalidInput(f"the span ends ({last_day}) before it starts ({first_day})")
    start = datetime.combine(first_day, time(), zone).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(), zone).astimezone(UTC)
    return start, end


def export(
    uow_factory: Callable[[], UnitOfWork],
    first_day: date,
    last_day: date,
    zone: tzinfo,
    format: ExportFormat = ExportFormat.CSV,
) -> Iterator[str]:
    """The entries recorded from ``first_day`` through ``last_day`` (days in ``zone``),
    in seq order, as CSV (with a header) or JSON lines: text in pieces, read as written.

    Each entry keeps its hashes and its payload as hashed, so a reader can recompute
    the chain over the span (docs/audit.md shows how).
    """
    start, end = day_span(first_day, last_day, zone)
    return _export_text(uow_factory, start, end, ExportFormat(format))


def _export_text(
    uow_factory: Callable[[], UnitOfWork], start: datetime, end: datetime, format: ExportFormat
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if format is ExportFormat.CSV:
        writer.writerow(EXPORT_COLUMNS)
    with uow_factory() as uow:
        for entry in uow.audit.entries_recorded(start, end):
            if format is ExportFormat.CSV:
                writer.writerow(csv_row(entry))
            else:
                buffer.write(json_line(entry))
            if buffer.tell() >= _FLUSH_CHARS:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_row(entry: AuditEntry) -> list[object]:
    """An entry as an export row: the payload as its canonical JSON text."""
    e = entry
    return [
        e.seq, canonical_time(e.recorded_at), e.kind, e.subject, e.payload_json, e.prev_hash,
        e.entry_hash,
    ]  # fmt: skip


def json_line(entry: AuditEntry) -> str:
    """An entry as one JSON line; the payload is embedded as the exact text that was hashed."""
    e = entry
    return (
        f'{{"seq":{e.seq},"recorded_at":"{canonical_time(e.recorded_at)}",'
        f'"kind":{_text(e.kind)},"subject":{_text(e.subject)},"payload":{e.payload_json},'
        f'"prev_hash":{_text(e.prev_hash)},"entry_hash":{_text(e.entry_hash)}}}\n'
    )


def _text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)
