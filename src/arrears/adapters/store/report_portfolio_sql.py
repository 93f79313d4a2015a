"""The portfolio reports as set-based SQL: aging, the bucket mix over time, cure, and (in
report_cohort_sql) recovery by cohort and vintage delinquency.

Each method is a few statements grouped in the database; what comes back is a row per
line of a report (a bucket, a day and bucket, a cohort), never a row per loan. The
statements are the same on SQLite and PostgreSQL: dates are bound as dates, and where a
row needs "its day plus N" or "its month", the few distinct days or months are worked
out in Python and joined from a scratch table (report_sql does the same).

A loan's bucket at the end of a day is the ``to_bucket`` of its latest roll-history row
on or before that day (the cycle writes a row when the bucket changes, and one when it
first sees the loan).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from arrears.adapters.store import report_cohort_sql
from arrears.adapters.store.bulk import as_date, create_scratch, insert_rows
from arrears.adapters.store.report_scratch import run_dated
from arrears.services.report_ports import (
    AgingRow,
    BucketDayRow,
    CohortPaidRow,
    CohortRow,
    CureRow,
    VintageRow,
)

# A loan owing anything: principal not yet repaid, or anything overdue.
_OVERDUE = "s.overdue_principal_minor + s.overdue_interest_minor + s.penalty_minor + s.fees_minor"
_AGING = f"""
SELECT l.currency, s.bucket, COUNT(*), SUM({_OVERDUE}), SUM(s.outstanding_principal_minor)
FROM loan_status s JOIN loan l ON l.loan_id = s.loan_id
WHERE s.outstanding_principal_minor + {_OVERDUE} > 0 /*product l.loan_id*/
GROUP BY l.currency, s.bucket
"""

# Each sample day's loans by the bucket of their latest roll on or before it.
_BUCKET_DAYS = """
SELECT d.day, r.to_bucket, COUNT(*)
FROM report_day d JOIN roll_history r ON r.as_of <= d.day
WHERE NOT EXISTS (
    SELECT 1 FROM roll_history n
    WHERE n.loan_id = r.loan_id AND n.as_of > r.as_of AND n.as_of <= d.day
) /*product r.loan_id*/
GROUP BY d.day, r.to_bucket
"""

# The arm a loan is treated in: the challenger takes the slots below its share
# (domain.strategy.arm_for), ``:challenger_slots`` = share in hundredths of a percent.
ARM = "CASE WHEN s.arm_slot < :challenger_slots THEN 'challenger' ELSE 'champion' END"

# Per loan, the rows in view over the period: the one it started the period in (its
# latest before :first) and those from :first through :last. The deepest bucket is the
# one of the row with the highest DPD (buckets grow with DPD); the end bucket is the
# latest row's. Grouped by product, arm, deepest and end bucket.
_CURES = f"""
WITH seen AS (
    SELECT r.loan_id, r.as_of, r.to_bucket, r.dpd FROM roll_history r
    WHERE r.as_of BETWEEN :first AND :last
       OR r.as_of = (SELECT MAX(b.as_of) FROM roll_history b
                     WHERE b.loan_id = r.loan_id AND b.as_of < :first)
), ranked AS (
    SELECT loan_id, to_bucket,
        ROW_NUMBER() OVER (PARTITION BY loan_id ORDER BY dpd DESC, as_of DESC) AS deepest,
        ROW_NUMBER() OVER (PARTITION BY loan_id ORDER BY as_of DESC) AS latest
    FROM seen
)
SELECT product, currency, arm, worst_bucket, end_bucket, COUNT(*)
FROM (
    SELECT l.product, l.currency, {ARM} AS arm, w.to_bucket AS worst_bucket, e.to_bucket AS end_bucket
    FROM ranked w
    JOIN ranked e ON e.loan_id = w.loan_id AND e.latest = 1
    JOIN loan l ON l.loan_id = w.loan_id
    JOIN loan_status s ON s.loan_id = w.loan_id
    WHERE w.deepest = 1 /*product w.loan_id*/
) AS loans
GROUP BY product, currency, arm, worst_bucket, end_bucket
"""


class SqlPortfolioReports:
    def __init__(self, connection: Connection):
        self.connection = connection

    def cycle_days(self) -> tuple[date, date] | None:
        """The first and last day the daily cycle ran; None if it never did."""
        row = self.connection.execute(text("SELECT MIN(as_of), MAX(as_of) FROM cycle_day")).one()
        return None if row[0] is None else (as_date(row[0]), as_date(row[1]))

    def products(self) -> list[str]:
        """The products of the loans in the book, by code."""
        rows = self.connection.execute(text("SELECT DISTINCT product FROM loan ORDER BY product"))
        return [row[0] for row in rows]

    def aging(self, product: str | None = None) -> list[AgingRow]:
        """Open loans by currency and bucket as the last cycle day left them (unordered);
        of ``product`` only, when given (so every method here)."""
        rows = self._rows(_AGING, product=product)
        return [AgingRow(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in rows]

    def bucket_days(self, days: Sequence[date], product: str | None = None) -> list[BucketDayRow]:
        """Loans by bucket at the end of each of ``days`` (unordered; none where none)."""
        if not days:
            return []
        create_scratch(self.connection, "report_day", "day DATE PRIMARY KEY")
        insert_rows(self.connection, "report_day", ("day",), [(day,) for day in sorted(set(days))])
        rows = self._rows(_BUCKET_DAYS, product=product)
        self.connection.exec_driver_sql("DROP TABLE report_day")
        return [BucketDayRow(as_date(r[0]), r[1], int(r[2])) for r in rows]

    def cures(
        self, first: date, last: date, challenger_slots: int, product: str | None = None
    ) -> list[CureRow]:
        """Loans seen by the cycle by product, currency, arm, deepest bucket in the period and bucket
        at its end (unordered)."""
        rows = self._rows(
            _CURES, first=first, last=last, challenger_slots=challenger_slots, product=product
        )
        return [CureRow(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in rows]

    # -- cohorts (report_cohort_sql) ---------------------------------------------------------
    def cohorts(self, first: date, last: date, product: str | None = None) -> list[CohortRow]:
        return report_cohort_sql.cohorts(self.connection, first, last, product)

    def cohort_paid(
        self, first: date, last: date, horizons: Sequence[int], product: str | None = None
    ) -> list[CohortPaidRow]:
        return report_cohort_sql.cohort_paid(self.connection, first, last, horizons, product)

    def vintages(
        self, last_day: date, thresholds: Sequence[int], product: str | None = None
    ) -> list[VintageRow]:
        return report_cohort_sql.vintages(self.connection, last_day, thresholds, product)

    def _rows(self, sql: str, **values: Any) -> Sequence[Any]:
        return run_dated(self.connection, sql, **values)
