"""Import a big loans file on every core: readers stage their share, one transaction merges.

Same contract as ``services.importing.import_loans`` — every row checked, every
finding reported, nothing written unless all is well (or ``skip_invalid``),
re-import changes nothing — for SQLite stores. See ``adapters.store.staging``.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from arrears.adapters.csv_formats import Share, read_loans
from arrears.adapters.store.staging import StagedMerge, StagedReject, StagingFile
from arrears.domain.calendar import calendar_for
from arrears.domain.findings import Finding, FindingCode
from arrears.domain.schedule import build_schedule
from arrears.entrypoints.batch.memory import collector_paused
from arrears.entrypoints.bootstrap import App
from arrears.services.importing import CHUNK, ImportReport, rate_findings

Rejected = Callable[[Any, list[Finding]], None]
PARTS_PER_READER = 3  # scratch files a reader fills in turn (SQLite attaches at most 10)

_counter: Any = None  # rows read, shared with the readers
_done: Any = None  # the index of each scratch file, as its reader closes it


def _init_reader(counter: Any, done: Any) -> None:
    global _counter, _done
    _counter, _done = counter, done


def stage_share(
    path: str, share: Share, parts: list[str], first_part: int, part_rows: int,
    calendars: dict[str, str | None],
) -> None:  # fmt: skip
    """A reader: check its share of the rows (see ``read_loans``) and stage them, filling
    ``parts`` in turn (``part_rows`` rows each) and announcing each part it closes, so the
    merge can take it while this reader goes on.

    The cyclic garbage collector is off in the reader process: nothing it builds forms a
    cycle, and full collections over its large caches cost a third of its time.
    """
    gc.disable()
    part, in_part = 0, 0
    out = StagingFile(Path(parts[part]))
    seen: set[str] = set()
    pending: list[Any] = []
    with open(path, newline="", encoding="utf-8-sig") as stream:
        for row in read_loans(stream, share):
            record, findings = row.record, list(row.findings)
            if record is not None and not findings:
                findings = rate_findings(record, row.line)
            if findings or record is None:
                out.add_reject(row.line, row.raw, findings)
            elif record.loan_id not in seen:  # an identical repeat of this reader's own row
                seen.add(record.loan_id)
                pending.append((row.line, record))
            in_part += 1
            if len(pending) >= CHUNK:
                _stage(out, pending, calendars)
                pending = []
            if in_part >= part_rows and part < len(parts) - 1:
                _stage(out, pending, calendars)
                pending, in_part = [], 0
                out.close()
                _done.put(first_part + part)
                part += 1
                out = StagingFile(Path(parts[part]))
    _stage(out, pending, calendars)
    out.close()
    for index in range(part, len(parts)):  # this part, and any left empty
        _done.put(first_part + index)


def _stage(out: StagingFile, pending: list[Any], calendars: dict[str, str | None]) -> None:
    if not pending:
        return
    from arrears.adapters.store.ledger_sql import rate_ppm

    staged = [
        (line, r, rate_ppm(r.annual_rate_percent), calendars.get(r.product)) for line, r in pending
    ]
    schedules = [
        build_schedule(r.method, r.principal_minor, r.annual_rate_percent, r.term_months,
                       r.rounding, r.start_date, r.first_due_date, calendar_for(cal))
        for _line, r, _ppm, cal in staged
    ]  # fmt: skip
    out.add_loans(staged, schedules)
    if _counter is not None:
        with _counter.get_lock():
            _counter.value += len(pending)


def import_loans_parallel(
    app: App,
    path: Path,
    now: datetime,
    *,
    readers: int = 2,
    skip_invalid: bool = False,
    on_reject: Callable[[Any, list[Finding]], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a loans file with ``readers`` processes; the store must be SQLite."""
    if app.engine.dialect.name != "sqlite":
        raise ValueError("the parallel import merges into SQLite; PostgreSQL imports by COPY")
    with app.uow() as uow:
        calendars = {
            name: uow.ledger.product_calendar(name) for name in uow.ledger.product_models()
        }
    folder = Path(tempfile.mkdtemp(prefix="arrears-import-"))
    try:
        with collector_paused():
            parts = [folder / f"part{k}.db" for k in range(readers * PARTS_PER_READER)]
            for part in parts:
                StagingFile.create(part)
            return _import(
                app, path, parts, readers, calendars, now, skip_invalid, on_reject, progress
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def count_lines(path: Path) -> int:
    """Data lines in a file (a quick count for progress and for splitting it)."""
    with path.open("rb") as stream:
        newlines = sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))
    return max(newlines - 1, 0)


def _import(app: App, path: Path, parts: list[Path], readers: int,
            calendars: dict[str, str | None], now: datetime, skip_invalid: bool,
            on_reject: Rejected | None, progress: Callable[[int], None] | None) -> ImportReport:  # fmt: skip
    report = ImportReport()
    rejects: list[StagedReject] = []
    conflicts: list[tuple[int, str]] = []
    block = max(-(-count_lines(path) // readers), 1)  # each reader one contiguous part
    part_rows = max(-(-block // PARTS_PER_READER), 1)
    context = multiprocessing.get_context("fork")
    counter, done = context.Value("q", 0), context.Queue()
    with app.uow() as uow:
        connection = uow.ledger.connection
        # The merge writes parents before children by construction (tested against the
        # row-by-row path), so the per-row foreign-key lookups are skipped for it.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        merge = StagedMerge(connection, parts)  # attaches every part before writing begins
        with context.Pool(readers, initializer=_init_reader, initargs=(counter, done)) as pool:
            jobs = [
                pool.apply_async(
                    stage_share, _reader_args(path, k, readers, block, parts, part_rows, calendars)
                )
                for k in range(readers)
            ]
            reported = 0
            for _ in parts:
                index = _next_part(done, jobs)
                rejects.extend(merge.rejects(index))
                found = merge.conflicts(index)
                conflicts.extend(found)
                if skip_invalid or not (rejects or conflicts):
                    merge.drop(index, [line for line, _loan in found])
                    counts = merge.write(index, now)
                    report.written += counts.written
                    report.unchanged += counts.unchanged
                if progress and counter.value > reported:
                    progress(counter.value - reported)
                    reported = counter.value
            for job in jobs:
                job.get()
        everything = sorted([*rejects, *_conflict_rejects(path, conflicts)], key=lambda r: r.line)
        for reject in everything:
            report.findings.extend(reject.findings)
            if skip_invalid and on_reject:
                on_reject(reject, list(reject.findings))
        report.rejected = len(everything)
        if report.findings and not skip_invalid:
            report.written = report.unchanged = 0
            uow.rollback()  # nothing of the file is kept
        else:
            uow.commit()
        report.rows = report.written + report.unchanged + report.rejected
        for schema in merge.schemas:
            connection.exec_driver_sql(f"DETACH DATABASE {schema}")
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    return report


def _reader_args(path: Path, k: int, readers: int, block: int, parts: list[Path], part_rows: int,
                 calendars: dict[str, str | None]) -> tuple[Any, ...]:  # fmt: skip
    mine = parts[k * PARTS_PER_READER : (k + 1) * PARTS_PER_READER]
    share = (k, readers, block)
    return (str(path), share, [str(p) for p in mine], k * PARTS_PER_READER, part_rows, calendars)


def _next_part(done: Any, jobs: list[Any]) -> int:
    """The next scratch file a reader has closed; a reader's failure is raised here."""
    while True:
        try:
            return int(done.get(timeout=0.2))
        except queue.Empty:
            for job in jobs:
                if job.ready() and not job.successful():
                    job.get()


def _conflict_rejects(path: Path, conflicts: list[tuple[int, str]]) -> list[Any]:
    """Rejects for loans stored with other terms, with their raw cells read back from the file."""
    if not conflicts:
        return []
    wanted = dict(conflicts)
    raws: dict[int, dict[str, str]] = {}
    with path.open(newline="", encoding="utf-8-sig") as stream:
        for row in read_loans(stream):
            if row.line in wanted:
                raws[row.line] = row.raw
    return [
        StagedReject(line, raws.get(line, {}), None, (_conflict(line, loan_id),))
        for line, loan_id in conflicts
    ]


def _conflict(line: int, loan_id: str) -> Finding:
    message = f"loan {loan_id} is already stored with other terms"
    return Finding(FindingCode.CONFLICTING_ID, message, line, "loan_id", loan_id)
