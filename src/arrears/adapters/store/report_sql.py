"""The manager's reports as set-based SQL: each report a few statements over the whole
portfolio, grouped in the database, so that what comes back is a row per line of the
report, never a row per loan.

Statements are the same on SQLite and PostgreSQL. Dates are compared through bound
parameters typed as dates (SQLite stores them as ISO text, which sorts as dates do);
where a report needs "a day plus N days" per row, the distinct days are shifted in
Python (a row per calendar day, not per loan) and joined from a scratch table, since
the two databases add days to a date differently.

Each report has its section: its statements, then its methods on ``SqlReports``.

Reports:
    the arrangements report (services.reports, docs/arrangements.md "Reports").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Date, bindparam, text

from arrears.adapters.store.bulk import as_date, create_scratch, insert_rows
from arrears.adapters.store.report_scratch import for_product
from arrears.services.ports import ArrangementCountRow, ArrangementCureRow, ArrangementMoneyRow

# -- the arrangements report --------------------------------------------------------------
# Arrangements quoted from :first through :last; a bound not given is left out.
_QUOTED = "{quoted}"
_TOOK_EFFECT = "a.starts_on IS NOT NULL"  # pending, rejected and withdrawn ones never did


def _count(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


# One row per kind and bucket when quoted, a count per status; a cancelled arrangement
# that never took effect (cancelled while pending) is counted as withdrawn.
_COUNTS = f"""
SELECT a.kind, a.bucket,
    {_count("a.status = 'active'")},
    {_count("a.status = 'kept'")},
    {_count("a.status = 'broken'")},
    {_count(f"a.status = 'cancelled' AND {_TOOK_EFFECT}")},
    {_count("a.status = 'pending'")},
    {_count(f"a.status = 'cancelled' AND NOT ({_TOOK_EFFECT})")},
    {_count("a.status = 'rejected'")}
FROM arrangement a
WHERE {_QUOTED}
GROUP BY a.kind, a.bucket
"""

# What the loan's journal holds on an account, net, over the entries an arrangement
# posted (its source names it; a reversal keeps the source of what it reverses).
# (``\\:`` keeps ``text()`` from taking ``:waiver`` for a parameter.)
_SOURCES = ", ".join(
    f"'arrangement:' || a.arrangement_id || '\\:{effect}'"
    for effect in ("waiver", "fee", "capitalised", "settled")
)
_NET = f"""(
    SELECT COALESCE(SUM(p.amount_minor), 0) FROM journal_entry e
    JOIN journal_posting p ON p.loan_id = e.loan_id AND p.entry_seq = e.entry_seq
    WHERE e.loan_id = a.loan_id AND e.source IN ({_SOURCES}) AND p.account = '{{account}}'
)"""

# One row per kind and currency, over the arrangements that took effect. Debits are
# positive: ``waived`` is what was waived; ``fee_income`` is negative, its negation the fees.
_MONEY = f"""
SELECT kind, currency, COUNT(*), SUM(total_minor), SUM(paid_minor), SUM(waived), SUM(fees)
FROM (
    SELECT a.kind, a.currency, a.total_minor, a.paid_minor,
        {_NET.format(account="waived")} AS waived,
        -{_NET.format(account="fee_income")} AS fees
    FROM arrangement a
    WHERE {_TOOK_EFFECT} AND {_QUOTED}
) AS made
GROUP BY kind, currency
"""

# Arrangements that took effect and ended (kept, broken, cancelled) on or before :ended_by.
_ENDED = (
    f"a.status IN ('kept', 'broken', 'cancelled') AND {_TOOK_EFFECT} AND a.ends_on <= :ended_by"
)

# Each such arrangement's loan's bucket at the end of the shifted day (its latest roll
# before or on it), counted by kind, product and that bucket; loans with no roll yet
# by then (not seen by the cycle) have no bucket and are left out.
_CURES = f"""
SELECT kind, product, bucket_after, COUNT(*)
FROM (
    SELECT a.kind, l.product, (
        SELECT r.to_bucket FROM roll_history r
        WHERE r.loan_id = a.loan_id AND r.as_of <= s.later
        ORDER BY r.as_of DESC LIMIT 1
    ) AS bucket_after
    FROM arrangement a
    JOIN report_shift s ON s.day = a.ends_on
    JOIN loan l ON l.loan_id = a.loan_id
    WHERE {_ENDED} AND {_QUOTED}
) AS ended
WHERE bucket_after IS NOT NULL
GROUP BY kind, product, bucket_after
"""


class SqlReports:
    def __init__(self, connection: Connection):
        self.connection = connection

    # -- the arrangements report ------------------------------------------------------------
    def arrangement_counts(
        self, first: date | None, last: date | None, product: str | None = None
    ) -> list[ArrangementCountRow]:
        """Arrangements quoted from ``first`` through ``last``, counted by kind, bucket
        when quoted and status (unordered); on loans of ``product`` only, when given (so
        every method here)."""
        rows = self._quoted_rows(_COUNTS, product, first=first, last=last)
        return [ArrangementCountRow(row[0], row[1], *(int(n) for n in row[2:])) for row in rows]

    def arrangement_money(
        self, first: date | None, last: date | None, product: str | None = None
    ) -> list[ArrangementMoneyRow]:
        """The money of the arrangements quoted from ``first`` through ``last`` that took
        effect, by kind and currency (unordered); waivers and fees as the journal holds
        them, net of reversals."""
        rows = self._quoted_rows(_MONEY, product, first=first, last=last)
        return [ArrangementMoneyRow(row[0], row[1], *(int(n) for n in row[2:])) for row in rows]

    def arrangement_cures(
        self,
        first: date | None,
        last: date | None,
        ended_by: date,
        after_days: int,
        product: str | None = None,
    ) -> list[ArrangementCureRow]:
        """The arrangements quoted from ``first`` through ``last`` that took effect and
        ended on or before ``ended_by``, by kind, the loan's product and its bucket at
        the end of the day ``after_days`` after the end, from the roll history."""
        ends = self._quoted_rows(
            f"SELECT DISTINCT a.ends_on FROM arrangement a WHERE {_ENDED} AND {_QUOTED}",
            product, first=first, last=last, ended_by=ended_by,
        )  # fmt: skip
        if not ends:
            return []
        create_scratch(self.connection, "report_shift", "day DATE PRIMARY KEY, later DATE NOT NULL")
        days = [as_date(row[0]) for row in ends]
        insert_rows(
            self.connection,
            "report_shift",
            ("day", "later"),
            [(day, day + timedelta(days=after_days)) for day in days],
        )
        rows = self._quoted_rows(_CURES, product, first=first, last=last, ended_by=ended_by)
        self.connection.exec_driver_sql("DROP TABLE report_shift")
        return [ArrangementCureRow(row[0], row[1], row[2], int(row[3])) for row in rows]

    def _quoted_rows(self, sql: str, product: str | None, **dates: date | None) -> Sequence[Any]:
        """Run ``sql`` with its ``{quoted}`` condition and its dates bound as dates;
        ``first`` and ``last`` bound the day quoted, None leaves that side open; an
        arrangement on a loan of ``product`` only, when given."""
        bounds = [
            f"a.quoted_on {op} :{name}"
            for name, op in (("first", ">="), ("last", "<="))
            if dates.get(name) is not None
        ]
        given: dict[str, Any] = {name: value for name, value in dates.items() if value is not None}
        condition = (" AND ".join(bounds) or "1 = 1") + for_product(
            " /*product a.loan_id*/", product
        )
        statement = text(sql.replace(_QUOTED, condition))
        statement = statement.bindparams(*(bindparam(name, type_=Date) for name in given))
        if product is not None:
            given["product"] = product
        return self.connection.execute(statement, given).all()
