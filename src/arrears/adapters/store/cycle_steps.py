"""One day of the cycle for loans whose history did not change: a few set-based statements.

Each step mirrors one moment of the per-loan reference's day (``loan_state``):
late fees the day after grace ends, installments falling due, then a day of
罚息 on each open installment's unpaid principal, rounded once per installment
by the loan's rounding. The status refresh then derives DPD, bucket and the
overdue amounts from the open installments, and the day's accruals become
journal entries. Loans listed in ``cycle_rebuild`` are left alone.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, text

from arrears.adapters.store.bulk import sql_value

UNPAID = (
    "(ds.principal_minor + ds.interest_minor + ds.penalty_minor + ds.fee_minor"
    " - ds.paid_principal_minor - ds.paid_interest_minor"
    " - ds.paid_penalty_minor - ds.paid_fee_minor)"
)


def not_rebuilt(alias: str) -> str:
    return f"NOT EXISTS (SELECT 1 FROM cycle_rebuild rb WHERE rb.loan_id = {alias}.loan_id)"


def rounded(numerator: str, denominator: str) -> str:
    """SQL for ``round_ratio(numerator, denominator, ls.rounding)`` on non-negative integers."""
    a, b = f"({numerator})", f"({denominator})"
    return (
        f"(CASE ls.rounding WHEN 'down' THEN {a} / {b}"
        f" WHEN 'up' THEN ({a} + {b} - 1) / {b}"
        f" WHEN 'half_up' THEN (2 * {a} + {b}) / (2 * {b})"
        f" ELSE {a} / {b} + CASE WHEN 2 * ({a} % {b}) > {b} THEN 1"
        f" WHEN 2 * ({a} % {b}) = {b} THEN ({a} / {b}) % 2 ELSE 0 END END)"
    )


def least(a: str, b: str) -> str:
    return f"(CASE WHEN ({a}) < ({b}) THEN ({a}) ELSE ({b}) END)"


class DaySteps:
    """The set-based steps of one day (mixed into ``SqlCycle``)."""

    connection: Connection
    postgres: bool

    def _sql(self, statement: str, params: dict[str, object] | None = None) -> int:
        return self.connection.execute(text(statement), params or {}).rowcount

    def _day_of(self, column: str) -> str:
        """SQL turning a DATE (or a UTC timestamp's date) column into a day number."""
        if self.postgres:
            return f"(CAST({column} AT TIME ZONE 'UTC' AS DATE) - DATE '1970-01-01')"
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"

    def _bind(self, value: date | datetime) -> object:
        return sql_value(self.connection, value)

    def _book(self, kind: str) -> int:
        """Add the day's charges in ``cycle_charge`` to their installments and to the
        day's accruals of ``kind`` (a ``due_status`` column prefix); returns loans charged."""
        self._sql("DELETE FROM cycle_charge WHERE amount = 0")
        column = f"{kind}_minor"
        self._sql(
            f"UPDATE due_status SET {column} = due_status.{column} + c.amount"
            " FROM cycle_charge c WHERE c.loan_id = due_status.loan_id AND c.seq = due_status.seq"
        )
        charged = self._sql(
            "INSERT INTO cycle_accrual (loan_id, kind, amount)"
            f" SELECT loan_id, '{kind}', SUM(amount) FROM cycle_charge GROUP BY loan_id"
        )
        self._sql("DELETE FROM cycle_charge")
        return charged

    # -- the day's moments, in the reference's order ------------------------------------
    def charge_late_fees(self, day: int) -> int:
        """A late fee on each installment whose grace ended yesterday, still unpaid beyond
        the tolerance, up to the product's lifetime cap."""
        fee = (
            f"CASE WHEN r.fee_cap IS NULL THEN r.late_fee"
            f" ELSE {least('r.late_fee', 'r.fee_cap - ls.fees_charged_minor')} END"
        )
        self._sql(
            "INSERT INTO cycle_charge (loan_id, seq, amount)"
            f" SELECT ds.loan_id, ds.seq, {fee} FROM due_status ds"
            " JOIN loan_status ls ON ls.loan_id = ds.loan_id"
            " JOIN cycle_rules r ON r.product = ls.product"
            f" WHERE ds.due_day = :day - r.grace - 1 AND {UNPAID} > r.tolerance"
            f" AND r.late_fee > 0 AND {not_rebuilt('ls')}"
            # the same days, known before the loan is looked up: most rows stop here
            " AND ds.due_day BETWEEN :day - (SELECT MAX(grace) FROM cycle_rules) - 1"
            " AND :day - (SELECT MIN(grace) FROM cycle_rules) - 1",
            {"day": day},
        )
        self._sql("DELETE FROM cycle_charge WHERE amount < 0")
        self._sql(
            "UPDATE loan_status SET fees_charged_minor = loan_status.fees_charged_minor + c.total"
            " FROM (SELECT loan_id, SUM(amount) AS total FROM cycle_charge GROUP BY loan_id) c"
            " WHERE c.loan_id = loan_status.loan_id"
        )
        return self._book("fee")

    def fall_due(self, day: int) -> int:
        """Installments due today join the open installments; their interest is recognised."""
        fallen = 0
        while True:  # more than one installment may fall due on the same day
            self._sql(
                "INSERT INTO cycle_charge (loan_id, seq, amount)"
                " SELECT i.loan_id, i.seq, i.interest_minor FROM loan_status ls"
                " JOIN installment i ON i.loan_id = ls.loan_id AND i.seq = ls.next_seq"
                f" WHERE ls.next_due_day = :day AND {not_rebuilt('ls')}",
                {"day": day},
            )
            self._sql(
                "INSERT INTO due_status (loan_id, seq, due_day, principal_minor, interest_minor,"
                " penalty_minor, fee_minor, paid_principal_minor, paid_interest_minor,"
                " paid_penalty_minor, paid_fee_minor)"
                " SELECT i.loan_id, i.seq, :day, i.principal_minor, i.interest_minor, 0, 0, 0, 0, 0, 0"
                " FROM cycle_charge c JOIN installment i ON i.loan_id = c.loan_id AND i.seq = c.seq"
                " WHERE i.principal_minor + i.interest_minor > 0",
                {"day": day},
            )
            moved = self._sql(
                "UPDATE loan_status SET"
                " next_seq = CASE WHEN n.due_date IS NULL THEN NULL ELSE n.seq END,"
                f" next_due_day = {self._day_of('n.due_date')}"
                " FROM cycle_charge c LEFT JOIN installment n"
                " ON n.loan_id = c.loan_id AND n.seq = c.seq + 1"
                " WHERE c.loan_id = loan_status.loan_id"
            )
            self._sql("DELETE FROM cycle_charge WHERE amount = 0")
            self._sql(
                "INSERT INTO cycle_accrual (loan_id, kind, amount)"
                " SELECT loan_id, 'interest', amount FROM cycle_charge WHERE true"
                " ON CONFLICT (loan_id, kind) DO UPDATE"
                " SET amount = cycle_accrual.amount + excluded.amount"
            )
            self._sql("DELETE FROM cycle_charge")
            fallen += moved
            if moved == 0:
                return fallen

    def apply_payments(self, day: int, as_of: date) -> int:
        """Money of the loans in ``cycle_paying``, as the reference's day applies it: held
        credit first when an installment falls due today (posted as credit applied),
        then today's payments; what is left is held as credit. Returns the loans."""
        self._sql(
            "INSERT INTO cycle_alloc (loan_id, amount) SELECT loan_id, credit FROM cycle_paying"
            " WHERE falls_today = 1 AND credit > 0"
        )
        self._allocate()
        self._sql(  # credit applied: each receivable down, the credit held down by the sum
            "INSERT INTO cycle_posting (loan_id, kind, account, amount)"
            " SELECT loan_id, 'credit_applied', component || '_receivable', -SUM(amount)"
            " FROM cycle_paid GROUP BY loan_id, component HAVING SUM(amount) > 0"
            " UNION ALL SELECT loan_id, 'credit_applied', 'borrower_credit', SUM(amount)"
            " FROM cycle_paid GROUP BY loan_id HAVING SUM(amount) > 0"
        )
        self._settle_allocation("- COALESCE(p.total, 0)")  # no open part left: credit stays
        self._sql(
            "INSERT INTO cycle_alloc (loan_id, amount) SELECT loan_id, amount FROM cycle_paying"
            " WHERE amount > 0"
        )
        self._allocate()
        self._settle_allocation("+ a.amount - COALESCE(p.total, 0)")
        self._sql(
            f"DELETE FROM due_status WHERE EXISTS (SELECT 1 FROM cycle_paying cp"
            f" WHERE cp.loan_id = due_status.loan_id) AND {UNPAID.replace('ds.', '')} = 0"
        )
        # The marks of today are spent; a payment dated later marks its own day.
        self._sql(
            "DELETE FROM cycle_dirty WHERE EXISTS (SELECT 1 FROM cycle_paying cp"
            " WHERE cp.loan_id = cycle_dirty.loan_id)"
        )
        # A subquery per paying loan: a join lets SQLite scan every payment of the book.
        self._sql(
            "INSERT INTO cycle_dirty (loan_id, from_day)"
            f" SELECT loan_id, {self._day_of('paid_on')} FROM (SELECT cp.loan_id,"
            " (SELECT MIN(p.paid_on) FROM payment p LEFT JOIN payment_reversal pr"
            " ON pr.payment_id = p.payment_id WHERE p.loan_id = cp.loan_id"
            " AND p.paid_on > :as_of AND pr.payment_id IS NULL) AS paid_on"
            " FROM cycle_paying cp) AS later WHERE paid_on IS NOT NULL",
            {"as_of": self._bind(as_of)},
        )
        return int(self.connection.execute(text("SELECT COUNT(*) FROM cycle_paying")).scalar_one())

    def _allocate(self) -> None:
        """Split each amount in ``cycle_alloc`` down its product's waterfall over the loan's
        open installments (oldest first, or one component across all first) into
        ``cycle_paid``: a running sum in waterfall order gives each owed part what is
        left for it."""
        order = (
            "CASE WHEN r.component_first = 1 THEN r.rank_{c} * 1000000 + ds.seq"
            " ELSE ds.seq * 4 + r.rank_{c} END"
        )
        owed = " UNION ALL ".join(
            f"SELECT ds.loan_id, ds.seq, '{c}', ds.{c}_minor - ds.paid_{c}_minor, "
            + order.format(c=c)
            + " FROM due_status ds JOIN loan_status ls ON ls.loan_id = ds.loan_id"
            " JOIN cycle_rules r ON r.product = ls.product"
            # from the few loans allocating, not down every open installment
            " WHERE ds.loan_id IN (SELECT loan_id FROM cycle_alloc)"
            for c in ("penalty", "fee", "interest", "principal")
        )
        self._sql("DELETE FROM cycle_paid")
        self._sql(f"INSERT INTO cycle_paid (loan_id, seq, component, unpaid, visit) {owed}")
        self._sql(  # the running sums once (UPDATE … FROM), not again for each row
            "UPDATE cycle_paid SET amount = CASE WHEN x.room <= 0 THEN 0"
            " WHEN x.room >= cycle_paid.unpaid THEN cycle_paid.unpaid ELSE x.room END FROM"
            " (SELECT o.loan_id, o.seq, o.component, a.amount - SUM(o.unpaid) OVER"
            " (PARTITION BY o.loan_id ORDER BY o.visit ROWS UNBOUNDED PRECEDING) + o.unpaid"
            " AS room FROM cycle_paid o JOIN cycle_alloc a ON a.loan_id = o.loan_id) AS x"
            " WHERE x.loan_id = cycle_paid.loan_id AND x.seq = cycle_paid.seq"
            " AND x.component = cycle_paid.component"
        )

    def _settle_allocation(self, credit_change: str) -> None:
        """Book ``cycle_paid`` on the installments and the loans: paid components up,
        outstanding principal down, credit by ``credit_change`` (SQL over ``a.amount``,
        the amount allocated, and ``p.total``, what it paid)."""
        sums = ", ".join(
            f"SUM(CASE WHEN component = '{c}' THEN amount ELSE 0 END) AS {c}"
            for c in ("penalty", "fee", "interest", "principal")
        )
        self._sql(
            "UPDATE due_status SET"
            " paid_penalty_minor = due_status.paid_penalty_minor + p.penalty,"
            " paid_fee_minor = due_status.paid_fee_minor + p.fee,"
            " paid_interest_minor = due_status.paid_interest_minor + p.interest,"
            " paid_principal_minor = due_status.paid_principal_minor + p.principal"
            f" FROM (SELECT loan_id, seq, {sums} FROM cycle_paid GROUP BY loan_id, seq) AS p"
            " WHERE p.loan_id = due_status.loan_id AND p.seq = due_status.seq"
        )
        self._sql(
            "UPDATE loan_status SET outstanding_principal_minor ="
            " loan_status.outstanding_principal_minor - COALESCE(p.principal, 0),"
            f" credit_minor = loan_status.credit_minor {credit_change}"
            " FROM cycle_alloc a LEFT JOIN (SELECT loan_id, SUM(amount) AS total,"
            " SUM(CASE WHEN component = 'principal' THEN amount ELSE 0 END) AS principal"
            " FROM cycle_paid GROUP BY loan_id) AS p ON p.loan_id = a.loan_id"
            " WHERE a.loan_id = loan_status.loan_id"
            # the IN leads SQLite from the few loans paying, not down every loan's status
            " AND loan_status.loan_id IN (SELECT loan_id FROM cycle_alloc)"
        )
        self._sql("DELETE FROM cycle_alloc")
        self._sql("DELETE FROM cycle_paid")

    def accrue_penalty(self, day: int) -> int:
        """A day of 罚息 on the unpaid principal of every open installment past grace."""
        unpaid_principal = "ds.principal_minor - ds.paid_principal_minor"
        daily = rounded(f"({unpaid_principal}) * ls.penalty_rate_num", "ls.penalty_rate_den")
        self._sql(
            "INSERT INTO cycle_charge (loan_id, seq, amount)"
            f" SELECT ds.loan_id, ds.seq, {daily} FROM due_status ds"
            " JOIN loan_status ls ON ls.loan_id = ds.loan_id"
            " JOIN cycle_rules r ON r.product = ls.product"
            f" WHERE ds.due_day + r.grace < :day AND {unpaid_principal} > 0"
            f" AND {UNPAID} > r.tolerance AND {not_rebuilt('ls')}",
            {"day": day},
        )
        return self._book("penalty")

    def refresh_status(self, day: int, as_of: date) -> int:
        """DPD, bucket and overdue amounts of every loan with open installments; a roll-history
        row for each bucket change. Returns the loans whose bucket changed."""
        self._sql(
            "INSERT INTO cycle_fresh (loan_id, product, dpd, open_due_day, overdue_principal_minor,"
            " overdue_interest_minor, penalty_minor, fees_minor)"
            " SELECT loan_id, product, CASE WHEN open_due_day < :day AND :day - open_due_day > grace"
            " THEN :day - open_due_day ELSE 0 END, open_due_day, op, oi, pen, fees FROM ("
            " SELECT ds.loan_id, MIN(ls.product) AS product, MIN(r.grace) AS grace,"
            f" MIN(CASE WHEN {UNPAID} > r.tolerance THEN ds.due_day END) AS open_due_day,"
            " SUM(CASE WHEN ds.due_day < :day"
            " THEN ds.principal_minor - ds.paid_principal_minor ELSE 0 END) AS op,"
            " SUM(CASE WHEN ds.due_day < :day"
            " THEN ds.interest_minor - ds.paid_interest_minor ELSE 0 END) AS oi,"
            " SUM(ds.penalty_minor - ds.paid_penalty_minor) AS pen,"
            " SUM(ds.fee_minor - ds.paid_fee_minor) AS fees"
            " FROM due_status ds JOIN loan_status ls ON ls.loan_id = ds.loan_id"
            " JOIN cycle_rules r ON r.product = ls.product"
            f" WHERE {not_rebuilt('ls')} GROUP BY ds.loan_id) AS agg",
            {"day": day},
        )
        self._sql(  # loans whose payments today closed every open installment
            "INSERT INTO cycle_fresh (loan_id, product, dpd, open_due_day, overdue_principal_minor,"
            " overdue_interest_minor, penalty_minor, fees_minor)"
            " SELECT cp.loan_id, ls.product, 0, NULL, 0, 0, 0, 0 FROM cycle_paying cp"
            " JOIN loan_status ls ON ls.loan_id = cp.loan_id WHERE NOT EXISTS"
            " (SELECT 1 FROM due_status ds WHERE ds.loan_id = cp.loan_id)"
        )
        self._sql(
            "UPDATE cycle_fresh SET bucket = (SELECT b.label FROM cycle_bucket b"
            " WHERE b.product = cycle_fresh.product AND cycle_fresh.dpd >= b.min_dpd"
            " AND (b.max_dpd IS NULL OR cycle_fresh.dpd <= b.max_dpd))"
        )
        rolled = self._sql(
            "INSERT INTO roll_history (loan_id, as_of, from_bucket, to_bucket, dpd)"
            " SELECT f.loan_id, :as_of, ls.bucket, f.bucket, f.dpd FROM cycle_fresh f"
            " JOIN loan_status ls ON ls.loan_id = f.loan_id WHERE ls.bucket <> f.bucket",
            {"as_of": self._bind(as_of)},
        )
        self._sql(
            "UPDATE loan_status SET status_day = :day, dpd = f.dpd, bucket = f.bucket,"
            " open_due_day = f.open_due_day, overdue_principal_minor = f.overdue_principal_minor,"
            " overdue_interest_minor = f.overdue_interest_minor, penalty_minor = f.penalty_minor,"
            " fees_minor = f.fees_minor FROM cycle_fresh f WHERE f.loan_id = loan_status.loan_id",
            {"day": day},
        )
        return rolled

    def post_accruals(self, as_of: date, now: datetime) -> int:
        """The day's interest, fee and 罚息 accruals and credit applied as journal entries,
        one per loan and kind, for loans whose journal is not already past the day.
        Returns entries posted."""
        self._sql(
            "INSERT INTO cycle_posting (loan_id, kind, account, amount)"
            " SELECT loan_id, kind, kind || '_receivable', amount FROM cycle_accrual"
            " WHERE amount <> 0 UNION ALL"
            " SELECT loan_id, kind, kind || '_income', -amount FROM cycle_accrual"
            " WHERE amount <> 0"
        )
        self._sql(  # a loan whose journal a payment already brought past the day is skipped
            "INSERT INTO cycle_entry (loan_id, kind, currency, entry_seq)"
            " SELECT k.loan_id, k.kind, l.currency,"
            " l.journal_seq + ROW_NUMBER() OVER (PARTITION BY k.loan_id ORDER BY k.kind)"
            " AS entry_seq FROM (SELECT DISTINCT loan_id, kind FROM cycle_posting) AS k"
            " JOIN loan l ON l.loan_id = k.loan_id"
            " WHERE l.journal_as_of IS NULL OR l.journal_as_of < :as_of",
            {"as_of": self._bind(as_of)},
        )
        posted = self._sql(
            "INSERT INTO journal_entry (loan_id, entry_seq, kind, source, currency, posted_on,"
            " created_at) SELECT loan_id, entry_seq, kind, kind, currency, :as_of, :now"
            " FROM cycle_entry ORDER BY loan_id, entry_seq",  # one sweep down the key order
            {"as_of": self._bind(as_of), "now": self._bind(now)},
        )
        self._sql(
            "INSERT INTO journal_posting (loan_id, entry_seq, account, amount_minor)"
            " SELECT e.loan_id, e.entry_seq, p.account, p.amount FROM cycle_posting p"
            " JOIN cycle_entry e ON e.loan_id = p.loan_id AND e.kind = p.kind"
            " ORDER BY e.loan_id, e.entry_seq, p.account"
        )
        self._sql(
            "INSERT INTO loan_balance (loan_id, account, balance_minor)"
            " SELECT p.loan_id, p.account, SUM(p.amount) FROM cycle_posting p"
            " JOIN cycle_entry e ON e.loan_id = p.loan_id AND e.kind = p.kind"
            " GROUP BY p.loan_id, p.account HAVING true ORDER BY p.loan_id, p.account ON CONFLICT (loan_id, account) DO UPDATE"
            " SET balance_minor = loan_balance.balance_minor + excluded.balance_minor"
        )
        self._sql(
            "UPDATE loan SET journal_seq = e.last_seq, journal_as_of = :as_of"
            " FROM (SELECT loan_id, MAX(entry_seq) AS last_seq FROM cycle_entry GROUP BY loan_id) e"
            " WHERE e.loan_id = loan.loan_id",
            {"as_of": self._bind(as_of)},
        )
        self._sql("DELETE FROM cycle_entry")
        self._sql("DELETE FROM cycle_posting")
        return posted
