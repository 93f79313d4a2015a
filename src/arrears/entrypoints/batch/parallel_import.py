"""Import a big loans file on every core: readers stage their share, one transaction merges.

Same contract as ``services.importing.import_loans`` — every row checked, every
finding reported, nothing written unless all is well (or ``skip_invalid``),
re-import changes nothing — for SQLite stores. See ``adapters.store.staging``.
"""

from __future__ import annotations

import gc
import multiprocessing
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from arrears.adapters.csv_formats import Share, read_loans
from arrears.adapters.store.staging import StagedMerge, StagedReject, StagingFile, staged_rejects
from arrears.domain.calendar import calendar_for
from arrears.domain.findings import Finding, FindingCode
from arrears.domain.schedule import build_schedule
from arrears.entrypoints.batch.memory import collector_paused
from arrears.entrypoints.bootstrap import App
from arrears.services.importing import CHUNK, ImportReport, rate_findings

_counter: Any = None  # rows read, shared with the readers


def _init_reader(counter: Any) -> None:
    global _counter
    _counter = counter


def stage_share(path: str, share: Share, staging: str, calendars: dict[str, str | None]) -> None:
    """A reader: check its share of the rows (see ``read_loans``) and stage them.

    The cyclic garbage collector is off in the reader process: nothing it builds forms a
    cycle, and full collections over its large caches cost a third of its time.
    """
    gc.disable()
    out = StagingFile(Path(staging))
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
            if len(pending) >= CHUNK:
                _stage(out, pending, calendars)
                pending = []
    _stage(out, pending, calendars)
    out.close()


def _stage(out: StagingFile, pending: list[Any], calendars: dict[str, str | None]) -> None:
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
            paths = [folder / f"share{k}.db" for k in range(readers)]
            # Each reader takes one contiguous part of the file, so the merge appends in order.
            block = max(-(-count_lines(path) // readers), 1)
            _run_readers(str(path), paths, block, calendars, progress)
            return _merge(app, path, paths, now, skip_invalid, on_reject)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def count_lines(path: Path) -> int:
    """Data lines in a file (a quick count for progress and for splitting it)."""
    with path.open("rb") as stream:
        return max(
            sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b"")) - 1, 0
        )


def _run_readers(path: str, paths: list[Path], block: int, calendars: dict[str, str | None],
                 progress: Callable[[int], None] | None) -> None:  # fmt: skip
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    with context.Pool(len(paths), initializer=_init_reader, initargs=(counter,)) as pool:
        jobs = [
            pool.apply_async(stage_share, (path, (k, len(paths), block), str(p), calendars))
            for k, p in enumerate(paths)
        ]
        reported = 0
        while not all(job.ready() for job in jobs):
            time.sleep(0.2)
            if progress and counter.value > reported:
                progress(counter.value - reported)
                reported = counter.value
        for job in jobs:
            job.get()  # re-raise a reader's failure here
        if progress and counter.value > reported:
            progress(counter.value - reported)


def _merge(app: App, path: Path, paths: list[Path], now: datetime, skip_invalid: bool,
           on_reject: Callable[[Any, list[Finding]], None] | None) -> ImportReport:  # fmt: skip
    report = ImportReport()
    rejects = staged_rejects(paths)
    with app.uow() as uow:
        connection = uow.ledger.connection
        # The merge writes parents before children by construction (tested against the
        # row-by-row path), so the per-row foreign-key lookups are skipped for it.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        merge = StagedMerge(connection, paths)
        conflicts = merge.conflicts()
        conflicting = _conflict_rejects(path, conflicts)
        everything = sorted([*rejects, *conflicting], key=lambda r: r.line)
        for reject in everything:
            report.findings.extend(reject.findings)
            if skip_invalid and on_reject:
                on_reject(reject, list(reject.findings))
        report.rejected = len(everything)
        if not report.findings or skip_invalid:
            merge.drop([line for line, _loan in conflicts])
            counts = merge.write(now)
            report.written, report.unchanged = counts.written, counts.unchanged
        report.rows = report.written + report.unchanged + report.rejected
        if report.written or not report.findings:
            uow.commit()
        else:
            uow.rollback()  # nothing of the file is kept
        for schema in merge.schemas:
            connection.exec_driver_sql(f"DETACH DATABASE {schema}")
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    if report.findings and not skip_invalid:
        report.written = 0
    return report


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
