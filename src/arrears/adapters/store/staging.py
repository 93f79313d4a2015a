"""Stage-and-merge loan imports: parallel readers stage rows, one transaction merges them.

A million-row loans file is mostly CPU work — reading, checking, building
schedules — and SQLite takes one writer. So several reader processes each check
a share of the rows and write them, with their schedules, into a scratch SQLite
file of their own (no locks, no fsync). Then the store's own connection attaches
the scratch files and merges them in set-based SQL, in the one transaction that
keeps the import all-or-nothing: the same rows, findings and journal entries as
the row-by-row path (``services.importing``), which a test holds equal.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from arrears.adapters.store.bulk import sqlite_datetime, sqlite_insert_many
from arrears.domain.findings import Finding, FindingCode
from arrears.domain.records import LoanRecord
from arrears.domain.schedule import Installment

LOAN_COLUMNS = (
    "line", "loan_id", "borrower_id", "currency", "principal_minor", "annual_rate_ppm",
    "term_months", "start_date", "first_due_date", "repayment_method", "rounding", "product",
    "holiday_calendar", "borrower_name", "phone", "email", "timezone", "language", "address",
)  # fmt: skip
INSTALLMENT_COLUMNS = ("line", "loan_id", "seq", "due_date", "principal_minor", "interest_minor")
# The terms a re-imported loan must match (records.loan_identity, column by column).
IDENTITY_COLUMNS = (
    "borrower_id", "currency", "principal_minor", "annual_rate_ppm", "term_months",
    "start_date", "first_due_date", "repayment_method", "rounding", "product",
)  # fmt: skip


class StagingFile:
    """One reader's scratch file: the rows it checked, their schedules, its rejects."""

    def __init__(self, path: Path) -> None:
        """Open a file made by ``create``; what is written is committed by ``close``."""
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=OFF")  # scratch: nothing to roll back to
        self.connection.execute("PRAGMA synchronous=OFF")
        self.connection.execute("BEGIN")

    @staticmethod
    def create(path: Path) -> None:
        """An empty scratch file with the staging tables (made before the merge attaches it)."""
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute(f"CREATE TABLE stage_loan ({', '.join(LOAN_COLUMNS)})")
        connection.execute(f"CREATE TABLE stage_installment ({', '.join(INSTALLMENT_COLUMNS)})")
        connection.execute("CREATE TABLE stage_reject (line INTEGER, raw TEXT, findings TEXT)")
        connection.close()

    def add_loans(
        self,
        staged: Sequence[tuple[int, LoanRecord, int, str | None]],
        schedules: Sequence[Sequence[Installment]],
    ) -> None:
        """(line, record, rate in ppm, holiday calendar) per loan, with its schedule."""
        cursor = self.connection.cursor()
        sqlite_insert_many(cursor, "stage_loan", ", ".join(LOAN_COLUMNS), len(LOAN_COLUMNS), [
            (
                line, r.loan_id, r.borrower_id, r.currency, r.principal_minor, ppm,
                r.term_months, r.start_date.isoformat(),
                r.first_due_date.isoformat() if r.first_due_date else None,
                str(r.method), str(r.rounding), r.product, calendar, r.borrower_name, r.phone,
                r.email, r.timezone, r.language, r.address,
            )
            for line, r, ppm, calendar in staged
        ])  # fmt: skip
        sqlite_insert_many(
            cursor, "stage_installment", ", ".join(INSTALLMENT_COLUMNS), len(INSTALLMENT_COLUMNS),
            [
                (line, r.loan_id, i.seq, i.due_date.isoformat(), i.principal_minor, i.interest_minor)
                for (line, r, _ppm, _cal), schedule in zip(staged, schedules, strict=True)
                for i in schedule
            ],
        )  # fmt: skip

    def add_reject(self, line: int, raw: dict[str, str], findings: Iterable[Finding]) -> None:
        self.connection.execute(
            "INSERT INTO stage_reject VALUES (?, ?, ?)",
            (
                line,
                json.dumps(raw, ensure_ascii=False),
                json.dumps([_finding_json(f) for f in findings]),
            ),
        )

    def close(self) -> None:
        self.connection.execute("COMMIT")
        self.connection.close()


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {"code": str(finding.code), "message": finding.message, "line": finding.line,
            "column": finding.column, "subject": finding.subject}  # fmt: skip


@dataclass(frozen=True, slots=True)
class StagedReject:
    """A rejected row as the readers saw it (the shape the CLI's rejects writer takes)."""

    line: int
    raw: dict[str, str]
    record: None
    findings: tuple[Finding, ...]


def _reject(line: int, raw: str, findings: str) -> StagedReject:
    found = tuple(
        Finding(FindingCode(f["code"]), f["message"], f["line"], f["column"], f["subject"])
        for f in json.loads(findings)
    )
    return StagedReject(line, json.loads(raw), None, found)


@dataclass(frozen=True, slots=True)
class MergeCounts:
    written: int
    unchanged: int


class StagedMerge:
    """Attach the readers' files to the store's connection and merge them (SQLite only).

    Straight from the scratch files into the store, no temporary tables: a loan
    already stored (re-imported unchanged, or staged twice as an identical repeat)
    is skipped by its key (``INSERT OR IGNORE``) along with its schedule and entries;
    loans stored with other terms are found first and, if the import goes on, dropped
    from the scratch files.
    """

    def __init__(self, connection: Connection, paths: Sequence[Path]) -> None:
        self.sql = connection.exec_driver_sql
        self.schemas = [f"stage{k}" for k in range(len(paths))]
        for schema, path in zip(self.schemas, paths, strict=True):
            self.sql(f"ATTACH DATABASE ? AS {schema}", (str(path),))

    def rejects(self, part: int) -> list[StagedReject]:
        """The rows a part's reader rejected, with their findings."""
        rows = self.sql(f"SELECT line, raw, findings FROM {self.schemas[part]}.stage_reject").all()
        return [_reject(line, raw, findings) for line, raw, findings in rows]

    def conflicts(self, part: int) -> list[tuple[int, str]]:
        """(line, loan id) of a part's staged loans already stored with other terms."""
        same = " AND ".join(f"l.{c} IS s.{c}" for c in IDENTITY_COLUMNS)
        rows = [
            row
            for schema in self.schemas[part : part + 1]
            for row in self.sql(
                f"SELECT s.line, s.loan_id FROM {schema}.stage_loan s"
                f" JOIN loan l ON l.loan_id = s.loan_id WHERE NOT ({same})"
            ).all()
        ]
        return sorted((line, loan_id) for line, loan_id in rows)

    def drop(self, part: int, lines: Sequence[int]) -> None:
        """Forget a part's staged rows (loans refused) so that nothing of them is written."""
        for schema in self.schemas[part : part + 1]:
            for table in ("stage_loan", "stage_installment"):
                for start in range(0, len(lines), 900):
                    part = tuple(lines[start : start + 900])
                    marks = ", ".join("?" * len(part))
                    self.sql(f"DELETE FROM {schema}.{table} WHERE line IN ({marks})", part)

    def write(self, part: int, now: datetime) -> MergeCounts:
        """Write a part's loans not yet stored: borrowers, loans, schedules, disbursements."""
        stamp = sqlite_datetime(now)
        before = self.sql("SELECT COUNT(*) FROM loan").scalar_one()
        unchanged = 0
        for schema in self.schemas[part : part + 1]:
            unchanged += self.sql(
                f"SELECT COUNT(*) FROM {schema}.stage_loan s"
                " WHERE EXISTS (SELECT 1 FROM loan l WHERE l.loan_id = s.loan_id)"
            ).scalar_one()
            self._write(schema, stamp)
        written = self.sql("SELECT COUNT(*) FROM loan").scalar_one() - before
        return MergeCounts(written, unchanged)

    def _write(self, schema: str, stamp: str) -> None:
        source = f"{schema}.stage_loan"
        self.sql(
            "INSERT INTO borrower (borrower_id, name, phone, email, timezone, language, address)"
            " SELECT borrower_id, borrower_name, phone, email, timezone, language, address"
            f" FROM {source} s"
            " WHERE NOT EXISTS (SELECT 1 FROM loan l WHERE l.loan_id = s.loan_id) ORDER BY line"
            " ON CONFLICT (borrower_id) DO UPDATE SET name = excluded.name, phone = excluded.phone,"
            " email = excluded.email, timezone = excluded.timezone, language = excluded.language,"
            " address = excluded.address"
        )
        self.sql(
            "INSERT OR IGNORE INTO loan (loan_id, borrower_id, product, currency, principal_minor,"
            " annual_rate_ppm, term_months, start_date, first_due_date, repayment_method, rounding,"
            " holiday_calendar, imported_at, journal_seq, journal_as_of)"
            " SELECT loan_id, borrower_id, product, currency, principal_minor, annual_rate_ppm,"
            " term_months, start_date, first_due_date, repayment_method, rounding, holiday_calendar,"
            f" ?, 1, start_date FROM {source} ORDER BY line",
            (stamp,),
        )
        self.sql(
            "INSERT OR IGNORE INTO installment (loan_id, seq, due_date, principal_minor, interest_minor)"
            f" SELECT loan_id, seq, due_date, principal_minor, interest_minor FROM {schema}.stage_installment"
        )
        # The disbursement of each loan: Dr principal receivable, Cr funding
        # (journal.disbursement_effect, in SQL); a stored loan already has its entry 1.
        self.sql(
            "INSERT OR IGNORE INTO journal_entry (loan_id, entry_seq, kind, source, currency, posted_on, created_at)"
            f" SELECT loan_id, 1, 'disbursement', 'disbursement', currency, start_date, ? FROM {source}",
            (stamp,),
        )
        postings = (
            f"SELECT s.loan_id, a.account, a.sign * s.principal_minor AS amount FROM {source} s,"
            " (SELECT 'funding' AS account, -1 AS sign UNION ALL SELECT 'principal_receivable', 1) a"
            " ORDER BY s.line, a.account"
        )
        self.sql(
            "INSERT OR IGNORE INTO journal_posting (loan_id, entry_seq, account, amount_minor)"
            f" SELECT loan_id, 1, account, amount FROM ({postings})"
        )
        self.sql(
            "INSERT OR IGNORE INTO loan_balance (loan_id, account, balance_minor)"
            f" SELECT loan_id, account, amount FROM ({postings})"
        )
