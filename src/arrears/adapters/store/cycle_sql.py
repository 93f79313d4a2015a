"""The daily cycle's set-based SQL over loan and installment status.

One day advances every loan whose history did not change in a handful of
statements: late fees on the day after grace, installments falling due, a day
of 罚息 on each open installment, the status refresh, roll history and the
journal entries of the day's accruals. Loans whose history changed (a payment,
a reversal, new rules) are rebuilt from the per-loan reference instead and
written here row by row in bulk; the statements below skip them.

Days are day numbers (integers), so the arithmetic is the same on both stores.
Scratch tables are temporary and live for one day's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import phonenumbers
from sqlalchemy import Connection, text

from arrears.adapters.store.bulk import (
    as_date,
    as_utc,
    insert_rows,
    placeholder,
    reuse_scratch,
    select_in,
)
from arrears.adapters.store.cycle_steps import UNPAID, DaySteps
from arrears.domain.allocation import Component, WaterfallMode
from arrears.domain.daily_status import DueRow, StatusRow
from arrears.domain.terms import ProductRules

# The day's scratch tables: temporary, gone at commit (PostgreSQL) or emptied at close and
# kept for the next day (SQLite: see ``reuse_scratch``).
SCRATCH_TABLES = (
    ("cycle_rebuild", "loan_id VARCHAR(64) PRIMARY KEY"),
    ("cycle_rules", "product VARCHAR(64) PRIMARY KEY, grace INTEGER NOT NULL,"
     " tolerance BIGINT NOT NULL, late_fee BIGINT NOT NULL, fee_cap BIGINT,"
     " component_first INTEGER NOT NULL, rank_penalty INTEGER NOT NULL,"
     " rank_fee INTEGER NOT NULL, rank_interest INTEGER NOT NULL,"
     " rank_principal INTEGER NOT NULL"),
    ("cycle_paying", "loan_id VARCHAR(64) PRIMARY KEY, amount BIGINT NOT NULL,"
     " credit BIGINT NOT NULL, falls_today INTEGER NOT NULL, prepays INTEGER NOT NULL,"
     " owed BIGINT, future_principal BIGINT"),
    ("cycle_alloc", "loan_id VARCHAR(64) PRIMARY KEY, amount BIGINT NOT NULL"),
    ("cycle_posting", "loan_id VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL,"
     " account VARCHAR(32) NOT NULL, amount BIGINT NOT NULL"),
    ("cycle_paid", "loan_id VARCHAR(64) NOT NULL, seq INTEGER NOT NULL,"
     " component VARCHAR(16) NOT NULL, unpaid BIGINT NOT NULL, visit INTEGER NOT NULL,"
     " amount BIGINT, PRIMARY KEY (loan_id, seq, component)"),
    ("cycle_bucket", "product VARCHAR(64) NOT NULL, label VARCHAR(16) NOT NULL,"
     " min_dpd INTEGER NOT NULL, max_dpd INTEGER"),
    ("cycle_charge", "loan_id VARCHAR(64) NOT NULL, seq INTEGER NOT NULL,"
     " amount BIGINT NOT NULL, PRIMARY KEY (loan_id, seq)"),
    ("cycle_accrual", "loan_id VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL,"
     " amount BIGINT NOT NULL, PRIMARY KEY (loan_id, kind)"),
    ("cycle_entry", "loan_id VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL,"
     " currency VARCHAR(3) NOT NULL, entry_seq INTEGER NOT NULL, PRIMARY KEY (loan_id, kind)"),
    ("cycle_fresh", "loan_id VARCHAR(64) PRIMARY KEY, product VARCHAR(64) NOT NULL,"
     " dpd INTEGER NOT NULL,"
     " bucket VARCHAR(16), open_due_day INTEGER,"
     " overdue_principal_minor BIGINT NOT NULL, overdue_interest_minor BIGINT NOT NULL,"
     " penalty_minor BIGINT NOT NULL, fees_minor BIGINT NOT NULL"),
)  # fmt: skip

# A loan that ever had an arrangement in effect takes the reference path for its payments
# and marks: the set-based steps know nothing of what an arrangement carries or holds.
_NO_ARRANGEMENT = (
    "NOT EXISTS (SELECT 1 FROM arrangement a WHERE a.loan_id = ls.loan_id"
    " AND a.starts_on IS NOT NULL)"
)

ARRANGEMENT_MEMORY_DAYS = 30  # a broken or kept arrangement is remembered this long

COMPONENTS = (Component.PENALTY, Component.FEE, Component.INTEREST, Component.PRINCIPAL)
STATUS_COLUMNS = StatusRow._fields
DUE_COLUMNS = DueRow._fields


def mark_for_rebuild(connection: Connection, from_days: Mapping[str, int]) -> None:
    """Ask the next cycle to rebuild these loans from the reference, from a day on."""
    if not from_days:
        return
    mark = placeholder(connection)
    connection.exec_driver_sql(
        f"INSERT INTO cycle_dirty (loan_id, from_day) VALUES ({mark}, {mark})"
        " ON CONFLICT (loan_id) DO UPDATE SET from_day = CASE"
        " WHEN excluded.from_day < cycle_dirty.from_day THEN excluded.from_day"
        " ELSE cycle_dirty.from_day END",
        list(from_days.items()),
    )


def cycle_has_run(connection: Connection) -> bool:
    return connection.execute(text("SELECT 1 FROM cycle_day LIMIT 1")).first() is not None


class SqlCycle(DaySteps):
    def __init__(self, connection: Connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    # -- days ------------------------------------------------------------------------
    def last_day(self) -> date | None:
        value = self.connection.execute(text("SELECT MAX(as_of) FROM cycle_day")).scalar()
        return None if value is None else as_date(value)

    def day_summary(self, day: date) -> dict[str, object] | None:
        row = self.connection.execute(
            text("SELECT summary_json FROM cycle_day WHERE as_of = :day"), {"day": self._bind(day)}
        ).first()
        return json.loads(row[0]) if row else None

    def record_day(
        self, day: date, started_at: datetime, finished_at: datetime, summary: Mapping[str, object]
    ) -> None:
        self.connection.execute(
            text(
                "INSERT INTO cycle_day (as_of, started_at, finished_at, summary_json)"
                " VALUES (:day, :started, :finished, :summary)"
            ),
            {
                "day": self._bind(day),
                "started": self._bind(started_at),
                "finished": self._bind(finished_at),
                "summary": json.dumps(summary, ensure_ascii=False, sort_keys=True),
            },
        )

    # -- scratch tables ----------------------------------------------------------------
    def open_day(self) -> None:
        """Create (or empty) the day's scratch tables (emptied by ``close_day``).

        On PostgreSQL the day also holds back concurrent payment posting on the rebuild
        marks until it commits, so that no mark is cleared that the day did not see.
        """
        if self.postgres:
            self._sql("LOCK TABLE cycle_dirty IN SHARE ROW EXCLUSIVE MODE")
        for name, columns in SCRATCH_TABLES:
            reuse_scratch(self.connection, name, columns)

    def close_day(self) -> None:
        for name, _ in SCRATCH_TABLES:
            self._sql(f"DELETE FROM {name}")

    # -- which loans are rebuilt from the reference --------------------------------------
    def choose_rebuilds(
        self, day: int, as_of: date, prepay_products: Sequence[str]
    ) -> tuple[list[str], set[str]]:
        """Which loans today's steps cannot advance, to be rebuilt from the reference.

        Set-based (``cycle_paying``) are loans with no adjusted schedule whose only
        changes are today's payments, and loans whose installment falls due onto held
        credit, when what they pay either fits in what they owe, or (credit products)
        stays below the principal not yet due, so that no payoff can happen. Rebuilt
        are: loans changed before today (a backdated payment, a reversal, new rules),
        loans never seen, the rest of today's payers, and loans with an adjusted
        schedule or held credit beyond those bounds that have an installment falling
        due today. Also returns, among them, the loans whose product rules changed
        (their journal must be re-derived even where payments brought it past the day).
        """
        today = {"day": day, "as_of": self._bind(as_of)}
        paid_today = (
            "COALESCE((SELECT SUM(p.amount_minor) FROM payment p LEFT JOIN payment_reversal pr"
            " ON pr.payment_id = p.payment_id WHERE p.loan_id = ls.loan_id"
            " AND p.paid_on = :as_of AND pr.payment_id IS NULL), 0)"
        )
        marks = ", ".join(f":prepay{i}" for i in range(len(prepay_products))) or "NULL"
        prepays = f"CASE WHEN ls.product IN ({marks}) THEN 1 ELSE 0 END"
        params = {**today, **{f"prepay{i}": name for i, name in enumerate(prepay_products)}}
        columns = (
            f"ls.loan_id, {paid_today}, ls.credit_minor,"
            f" CASE WHEN ls.next_due_day = :day THEN 1 ELSE 0 END, {prepays}"
        )
        self._sql(
            "INSERT INTO cycle_paying (loan_id, amount, credit, falls_today, prepays)"
            f" SELECT {columns} FROM cycle_dirty d JOIN loan_status ls ON ls.loan_id = d.loan_id"
            f" WHERE d.from_day = :day AND ls.adjusted = 0 AND {_NO_ARRANGEMENT}",
            params,
        )
        self._sql(
            "INSERT INTO cycle_paying (loan_id, amount, credit, falls_today, prepays)"
            f" SELECT {columns} FROM loan_status ls WHERE ls.next_due_day = :day"
            f" AND ls.credit_minor > 0 AND ls.adjusted = 0 AND {_NO_ARRANGEMENT}"
            " AND NOT EXISTS (SELECT 1 FROM cycle_dirty d WHERE d.loan_id = ls.loan_id"
            " AND d.from_day <= :day)",
            params,
        )
        falling = (
            "(SELECT i.{part} FROM loan_status ls JOIN installment i ON i.loan_id = ls.loan_id"
            " AND i.seq = ls.next_seq WHERE ls.loan_id = cycle_paying.loan_id"
            " AND ls.next_due_day = :day)"
        )
        self._sql(
            "UPDATE cycle_paying SET"
            f" owed = COALESCE((SELECT SUM({UNPAID}) FROM due_status ds"
            " WHERE ds.loan_id = cycle_paying.loan_id), 0)"
            f" + COALESCE({falling.format(part='principal_minor + i.interest_minor')}, 0),"
            " future_principal = (SELECT outstanding_principal_minor FROM loan_status ls"
            " WHERE ls.loan_id = cycle_paying.loan_id)"
            " - COALESCE((SELECT SUM(ds.principal_minor - ds.paid_principal_minor)"
            " FROM due_status ds WHERE ds.loan_id = cycle_paying.loan_id), 0)"
            f" - COALESCE({falling.format(part='principal_minor')}, 0)",
            today,
        )
        self._sql(
            "DELETE FROM cycle_paying WHERE NOT ("
            " amount + CASE WHEN falls_today = 1 THEN credit ELSE 0 END <= owed"
            " OR (prepays = 0 AND amount + credit < future_principal))"
        )
        self._sql(
            "INSERT INTO cycle_rebuild (loan_id)"
            " SELECT loan_id FROM cycle_dirty d WHERE from_day <= :day AND NOT EXISTS"
            " (SELECT 1 FROM cycle_paying cp WHERE cp.loan_id = d.loan_id)"
            " UNION SELECT loan_id FROM loan_status ls"
            " WHERE next_due_day = :day AND (credit_minor > 0 OR adjusted = 1) AND NOT EXISTS"
            " (SELECT 1 FROM cycle_paying cp WHERE cp.loan_id = ls.loan_id)",
            today,
        )
        loans = self.connection.execute(text("SELECT COUNT(*) FROM loan")).scalar_one()
        known = self.connection.execute(text("SELECT COUNT(*) FROM loan_status")).scalar_one()
        if loans != known:
            self._sql(
                "INSERT INTO cycle_rebuild (loan_id) SELECT l.loan_id FROM loan l"
                " WHERE NOT EXISTS (SELECT 1 FROM loan_status s WHERE s.loan_id = l.loan_id)"
                " AND NOT EXISTS (SELECT 1 FROM cycle_rebuild r WHERE r.loan_id = l.loan_id)"
            )
        rows = self.connection.execute(text("SELECT loan_id FROM cycle_rebuild ORDER BY loan_id"))
        resync = self.connection.execute(text("SELECT loan_id FROM cycle_dirty WHERE from_day = 0"))
        return [row[0] for row in rows], {row[0] for row in resync}

    def status_buckets(self, loan_ids: Sequence[str]) -> dict[str, str]:
        """The stored bucket of each of these loans (before today's rebuild)."""
        rows = select_in(
            self.connection, "SELECT loan_id, bucket FROM loan_status WHERE loan_id IN ({ids})",
            loan_ids,
        )  # fmt: skip
        return {row[0]: row[1] for row in rows}

    def write_rebuilt(
        self,
        statuses: Sequence[StatusRow],
        dues: Sequence[DueRow],
        rolls: Sequence[tuple[str, date, str | None, str, int]],
        next_dirty: Mapping[str, int],
        day: int,
    ) -> None:
        """Replace the status and open installments of rebuilt loans; clear their marks."""
        ids = [(s.loan_id,) for s in statuses]
        c, mark = self.connection, placeholder(self.connection)
        for table in ("due_status", "loan_status"):
            c.exec_driver_sql(f"DELETE FROM {table} WHERE loan_id = {mark}", ids)
        c.exec_driver_sql(
            f"DELETE FROM cycle_dirty WHERE loan_id = {mark} AND from_day <= {mark}",
            [(s.loan_id, day) for s in statuses],
        )
        insert_rows(c, "loan_status", STATUS_COLUMNS, statuses)
        insert_rows(c, "due_status", DUE_COLUMNS, dues)
        self.insert_rolls(rolls)
        mark_for_rebuild(c, next_dirty)

    def insert_rolls(self, rolls: Sequence[tuple[str, date, str | None, str, int]]) -> None:
        insert_rows(
            self.connection,
            "roll_history",
            ("loan_id", "as_of", "from_bucket", "to_bucket", "dpd"),
            rolls,
        )

    # -- the rules of the products in play ------------------------------------------------
    def products_in_play(self, day: int) -> list[str]:
        rows = self.connection.execute(
            text(
                "SELECT DISTINCT product FROM loan_status WHERE next_due_day = :day"
                " UNION SELECT DISTINCT ls.product FROM due_status ds"
                " JOIN loan_status ls ON ls.loan_id = ds.loan_id"
                " UNION SELECT DISTINCT product FROM loan_status"
                " WHERE loan_id IN (SELECT loan_id FROM cycle_paying)"
            ),
            {"day": day},
        )
        return sorted(row[0] for row in rows)

    def load_rules(self, rules: Mapping[str, ProductRules]) -> None:
        """Each product's grace, tolerance, late fee and cap, waterfall and buckets."""
        insert_rows(
            self.connection,
            "cycle_rules",
            ("product", "grace", "tolerance", "late_fee", "fee_cap", "component_first",
             "rank_penalty", "rank_fee", "rank_interest", "rank_principal"),
            [
                (name, r.grace_days, r.tolerance_minor, r.late_fee_minor, r.late_fee_cap_minor,
                 int(r.waterfall.mode is WaterfallMode.COMPONENT_FIRST),
                 *(r.waterfall.order.index(c) for c in COMPONENTS))
                for name, r in rules.items()
            ],
        )  # fmt: skip
        buckets = {name: r.buckets for name, r in rules.items()}
        insert_rows(
            self.connection,
            "cycle_bucket",
            ("product", "label", "min_dpd", "max_dpd"),
            [
                (product, b.label, b.min_dpd, b.max_dpd)
                for product, ranges in buckets.items()
                for b in ranges.ranges
            ],
        )

    # -- who the strategy looks at today --------------------------------------------------
    def strategy_candidates(self, due_days: Sequence[int], promised: Sequence[str]) -> list[Any]:
        """Loans a step could fire for today: with an open installment (late, or due today),
        next due on one of ``due_days``, or with a promise (``promised``). Each row: loan_id,
        borrower_id, product, currency, bucket, dpd, open_due_day, next_due_day,
        overdue_minor, outstanding_principal_minor, arm_slot, timezone, and the
        borrower's contact roll-up: when last reached (UTC),
        unreached attempts since, lost contact, refused to pay; then the flags; then what
        the gate knows of the borrower from the loan file — name, phone, e-mail, language —,
        whether they have a compliance profile, the zones their phone was placed in
        (None: not placed yet), and their flags with when each was set."""
        reuse_scratch(self.connection, "cycle_candidate", "loan_id VARCHAR(64) PRIMARY KEY")
        marks = ", ".join(f":due{i}" for i in range(len(due_days))) or "NULL"
        self._sql(
            "INSERT INTO cycle_candidate (loan_id)"
            " SELECT loan_id FROM loan_status WHERE open_due_day IS NOT NULL"
            f" UNION SELECT loan_id FROM loan_status WHERE next_due_day IN ({marks})",
            {f"due{i}": due for i, due in enumerate(due_days)},
        )
        if promised:
            reuse_scratch(self.connection, "cycle_promised", "loan_id VARCHAR(64) PRIMARY KEY")
            insert_rows(self.connection, "cycle_promised", ("loan_id",), [(i,) for i in promised])
            self._sql(
                "INSERT INTO cycle_candidate (loan_id) SELECT p.loan_id FROM cycle_promised p"
                " WHERE NOT EXISTS (SELECT 1 FROM cycle_candidate c WHERE c.loan_id = p.loan_id)"
            )
            self._sql("DELETE FROM cycle_promised")
        rows = self.connection.execute(
            text(
                "SELECT ls.loan_id, l.borrower_id, ls.product, l.currency, ls.bucket, ls.dpd,"
                " ls.open_due_day, ls.next_due_day, ls.overdue_principal_minor"
                " + ls.overdue_interest_minor + ls.penalty_minor + ls.fees_minor,"
                " ls.outstanding_principal_minor, ls.arm_slot, b.timezone,"
                " cs.last_reached_at, COALESCE(cs.unreached_since_reached, 0),"
                " COALESCE(cs.lost_contact, 0), cs.refused_at IS NOT NULL,"
                " b.name, b.phone, b.email, b.language, cp.borrower_id IS NOT NULL, pz.zones"
                " FROM cycle_candidate c JOIN loan_status ls ON ls.loan_id = c.loan_id"
                " JOIN loan l ON l.loan_id = c.loan_id"
                " JOIN borrower b ON b.borrower_id = l.borrower_id"
                " LEFT JOIN contact_summary cs ON cs.borrower_id = l.borrower_id"
                " LEFT JOIN compliance_profile cp ON cp.borrower_id = l.borrower_id"
                " LEFT JOIN phone_zone pz ON pz.number = b.phone AND pz.library = :library"
                " ORDER BY c.loan_id"  # down the candidates, not every loan's status
            ),
            {"library": phonenumbers.__version__},
        ).all()
        flags = self.connection.execute(
            text(
                # CROSS JOIN: SQLite from the candidates, not down the whole book
                "SELECT f.borrower_id, f.flag, f.set_at FROM cycle_candidate c"
                " CROSS JOIN loan l CROSS JOIN borrower_flag f"
                " WHERE l.loan_id = c.loan_id AND f.borrower_id = l.borrower_id"
            )
        ).all()
        self._sql("DELETE FROM cycle_candidate")
        flagged: dict[str, set[str]] = {}
        flag_times: dict[str, list[tuple[str, datetime]]] = {}
        for borrower_id, flag, set_at in flags:
            flagged.setdefault(borrower_id, set()).add(flag)
            flag_times.setdefault(borrower_id, []).append((flag, as_utc(set_at)))
        return [
            (*row[:12], as_utc(row[12]) if row[12] else None, *row[13:16],
             frozenset(flagged.get(row[1], ())), *row[16:20], bool(row[20]),
             None if row[21] is None else tuple(z for z in row[21].split(",") if z),
             tuple(sorted(flag_times.get(row[1], ()))))
            for row in rows
        ]  # fmt: skip

    # -- arrangements, as the strategy sees them ---------------------------------------------
    def arrangement_facts(self, day: date) -> dict[str, tuple[str, str, date | None]]:
        """Each loan with an arrangement in force, or one broken or kept in the 30 days
        through ``day``: loan → (state, kind, the next unpaid instalment's date or None).
        In force wins over broken, broken over kept; the latest of a state wins. Statuses
        are as the day's rebuild recorded them (it runs before the strategy)."""
        since = self._bind(day - timedelta(days=ARRANGEMENT_MEMORY_DAYS - 1))
        rows = self.connection.execute(
            text(
                "SELECT a.loan_id, a.status, a.kind, a.ends_on, a.arrangement_id,"
                " (SELECT MIN(i.due_date) FROM arrangement_instalment i"
                "  WHERE i.arrangement_id = a.arrangement_id AND i.status = 'open'"
                "  AND i.due_date >= :day) FROM arrangement a"
                " WHERE (a.status = 'active' AND a.starts_on <= :day)"
                " OR (a.status IN ('broken', 'kept') AND a.ends_on >= :since"
                " AND a.ends_on <= :day)"
            ),
            {"day": self._bind(day), "since": since},
        ).all()
        rank = {"active": 0, "broken": 1, "kept": 2}
        best: dict[str, tuple[tuple[int, int], tuple[str, str, date | None]]] = {}
        for loan_id, status, kind, ends_on, _, next_due in rows:
            ended = as_date(ends_on) if ends_on is not None else day
            key = (rank[status], -ended.toordinal())
            if loan_id not in best or key < best[loan_id][0]:
                best[loan_id] = (key, (status, kind, as_date(next_due) if next_due else None))
        return {loan_id: facts for loan_id, (_, facts) in best.items()}

    def late_loans(self, min_dpd: int, max_dpd: int) -> list[tuple[str, int, str]]:
        """(loan_id, dpd, bucket) of loans whose stored DPD is in the range, by loan id."""
        rows = self.connection.execute(
            text(
                "SELECT loan_id, dpd, bucket FROM loan_status WHERE dpd >= :low AND dpd <= :high"
                " ORDER BY loan_id"
            ),
            {"low": min_dpd, "high": max_dpd},
        )
        return [(row[0], int(row[1]), row[2]) for row in rows]

    # -- the day's read-outs ---------------------------------------------------------------
    def bucket_counts(self) -> dict[str, int]:
        rows = self.connection.execute(
            text("SELECT bucket, COUNT(*) FROM loan_status GROUP BY bucket")
        )
        return {row[0]: int(row[1]) for row in rows}

    def transitions(self, as_of: date) -> dict[str, int]:
        """Bucket changes recorded on a day, as "M1→M2": count (new loans: "new→M0")."""
        rows = self.connection.execute(
            text(
                "SELECT from_bucket, to_bucket, COUNT(*) FROM roll_history WHERE as_of = :day"
                " GROUP BY from_bucket, to_bucket"
            ),
            {"day": self._bind(as_of)},
        )
        return {f"{row[0] or 'new'}→{row[1]}": int(row[2]) for row in rows}

    # -- what is stored, for the check against the reference ------------------------------
    def stored_status(
        self, loan_ids: Sequence[str]
    ) -> tuple[dict[str, StatusRow], dict[str, list[DueRow]]]:
        statuses = {
            row[0]: StatusRow(*row)
            for row in select_in(
                self.connection,
                f"SELECT {', '.join(STATUS_COLUMNS)} FROM loan_status WHERE loan_id IN ({{ids}})",
                loan_ids,
            )
        }
        dues: dict[str, list[DueRow]] = {}
        rows = select_in(
            self.connection,
            f"SELECT {', '.join(DUE_COLUMNS)} FROM due_status WHERE loan_id IN ({{ids}})",
            loan_ids,
        )
        for row in sorted(rows, key=lambda r: (r[0], r[1])):
            dues.setdefault(row[0], []).append(DueRow(*row))
        return statuses, dues

    def buckets_at(self, day: date, product: str | None = None) -> dict[str, str]:
        """Each loan's bucket at the end of ``day``, from the roll history (the loans of
        ``product`` only, when given)."""
        of_product = (
            " AND loan_id IN (SELECT pl.loan_id FROM loan pl WHERE pl.product = :product)"
            if product is not None
            else ""
        )
        rows = self.connection.execute(
            text(
                "SELECT loan_id, to_bucket FROM (SELECT loan_id, to_bucket, ROW_NUMBER() OVER"
                " (PARTITION BY loan_id ORDER BY as_of DESC) AS latest FROM roll_history"
                f" WHERE as_of <= :day{of_product}) AS history WHERE latest = 1"
            ),
            {"day": self._bind(day), **({"product": product} if product is not None else {})},
        )
        return {row[0]: row[1] for row in rows}
