"""Cohort reports as set-based SQL: recovery by the month loans entered a bucket, and
vintage delinquency by the month loans were originated (services.reports_cohorts).

Months and shifted days come from scratch tables (report_scratch), so the statements
are the same on SQLite and PostgreSQL; each returns a row per cohort (and horizon, or
months on book), never per loan.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection

from arrears.adapters.store.bulk import as_date, create_scratch, insert_rows
from arrears.adapters.store.report_scratch import (
    add_months,
    drop,
    fill_months,
    fill_shifts,
    run_dated,
)
from arrears.services.report_ports import CohortPaidRow, CohortRow, VintageRow

# A payment that stands: never reversed (a bounced payment never was money).
_STANDING = "NOT EXISTS (SELECT 1 FROM payment_reversal v WHERE v.payment_id = p.payment_id)"

# Cohort members: a loan's first entry, in a month from :first through :last, into a
# delinquent bucket (DPD > 0) from another bucket. The row the cycle writes when it first
# sees a loan (no from_bucket) is not an entry: the loan may have been there for months.
_MEMBERS = """
WITH entered AS (
    SELECT r.loan_id, r.to_bucket, r.as_of, m.month,
        ROW_NUMBER() OVER (PARTITION BY r.loan_id, r.to_bucket, m.month ORDER BY r.as_of) AS nth
    FROM roll_history r JOIN report_month m ON r.as_of BETWEEN m.month AND m.month_end
    WHERE r.as_of BETWEEN :first AND :last AND r.dpd > 0 AND r.from_bucket IS NOT NULL
), members AS (
    SELECT e.loan_id, e.to_bucket AS bucket, e.as_of, e.month, l.currency
    FROM entered e JOIN loan l ON l.loan_id = e.loan_id
    WHERE e.nth = 1 /*product e.loan_id*/
)
"""

# Owed at entry: the principal and interest of the instalments fallen due by the entry
# day, less the standing payments made by then; never below zero.
_OWED = f"""(
    SELECT COALESCE(SUM(i.principal_minor + i.interest_minor), 0) FROM installment i
    WHERE i.loan_id = m.loan_id AND i.due_date <= m.as_of
) - (
    SELECT COALESCE(SUM(p.amount_minor), 0) FROM payment p
    WHERE p.loan_id = m.loan_id AND p.paid_on <= m.as_of AND {_STANDING}
)"""

_COHORTS = f"""{_MEMBERS}
SELECT currency, bucket, month, COUNT(*), SUM(CASE WHEN owed > 0 THEN owed ELSE 0 END)
FROM (SELECT m.currency, m.bucket, m.month, {_OWED} AS owed FROM members m) AS owing
GROUP BY currency, bucket, month
"""

# Paid after entry: standing payments dated after the entry day, up to the shifted day.
_PAID = f"""{_MEMBERS}
SELECT m.currency, m.bucket, m.month, s.days, SUM((
    SELECT COALESCE(SUM(p.amount_minor), 0) FROM payment p
    WHERE p.loan_id = m.loan_id AND p.paid_on > m.as_of AND p.paid_on <= s.later AND {_STANDING}
))
FROM members m JOIN report_shift s ON s.day = m.as_of
GROUP BY m.currency, m.bucket, m.month, s.days
"""

# Per origination month and months on book: the loans that had been on the book that
# long by the last cycle day, and of them those with a roll row by then at a DPD over
# each threshold (a bucket entered past it).
_EVER_OVER = """SUM(CASE WHEN EXISTS (
    SELECT 1 FROM roll_history r WHERE r.loan_id = l.loan_id AND r.dpd > :over_{n}
    AND r.as_of <= b.ends) THEN 1 ELSE 0 END)"""


def _vintage_sql(thresholds: int) -> str:
    over = ", ".join(_EVER_OVER.format(n=n) for n in range(thresholds))
    return f"""
SELECT m.month, b.months, COUNT(*), {over}
FROM loan l
JOIN report_month m ON l.start_date BETWEEN m.month AND m.month_end
JOIN report_book b ON b.start = l.start_date
WHERE 1 = 1 /*product l.loan_id*/
GROUP BY m.month, b.months
"""


def cohorts(
    connection: Connection, first: date, last: date, product: str | None = None
) -> list[CohortRow]:
    """The cohorts of the entries from ``first`` through ``last`` (unordered), of the
    loans of ``product`` when given (so every function here)."""
    fill_months(connection, first, last)
    rows = run_dated(connection, _COHORTS, product, first=first, last=last)
    drop(connection, "report_month")
    return [CohortRow(r[0], r[1], as_date(r[2]), int(r[3]), int(r[4])) for r in rows]


def cohort_paid(
    connection: Connection,
    first: date,
    last: date,
    horizons: Sequence[int],
    product: str | None = None,
) -> list[CohortPaidRow]:
    """What each cohort paid within each of ``horizons`` days of entry (unordered)."""
    fill_months(connection, first, last)
    days = run_dated(
        connection, f"{_MEMBERS} SELECT DISTINCT as_of FROM members", product, first=first,
        last=last,
    )  # fmt: skip
    fill_shifts(connection, [as_date(row[0]) for row in days], horizons)
    rows = run_dated(connection, _PAID, product, first=first, last=last)
    drop(connection, "report_month", "report_shift")
    return [CohortPaidRow(r[0], r[1], as_date(r[2]), int(r[3]), int(r[4])) for r in rows]


def vintages(
    connection: Connection, last_day: date, thresholds: Sequence[int], product: str | None = None
) -> list[VintageRow]:
    """Each origination month's loans by months on book, as far as ``last_day`` shows them,
    with how many had been over each of the three ``thresholds`` (DPD) by then."""
    starts_sql = "SELECT DISTINCT start_date FROM loan WHERE 1 = 1 /*product loan_id*/"
    starts = [as_date(r[0]) for r in run_dated(connection, starts_sql, product)]
    book = [
        (start, months, add_months(start, months))
        for start in starts
        for months in range(1, 1 + _months_until(start, last_day))
    ]
    if not book:
        return []
    fill_months(connection, min(starts), max(starts))
    create_scratch(
        connection,
        "report_book",
        "start DATE NOT NULL, months INTEGER NOT NULL, ends DATE NOT NULL",
    )
    insert_rows(connection, "report_book", ("start", "months", "ends"), book)
    values = {f"over_{n}": threshold for n, threshold in enumerate(thresholds)}
    rows = run_dated(connection, _vintage_sql(len(thresholds)), product, **values)
    drop(connection, "report_month", "report_book")
    return [VintageRow(as_date(r[0]), int(r[1]), *(int(n) for n in r[2:])) for r in rows]


def _months_until(start: date, last_day: date) -> int:
    """Whole months on book from ``start`` by ``last_day``.

    >>> _months_until(date(2026, 1, 31), date(2026, 2, 28)), _months_until(date(2026, 1, 15), date(2026, 3, 14))
    (1, 1)
    """
    months = 0
    while add_months(start, months + 1) <= last_day:
        months += 1
    return months
