"""The journal's reads and writes in SQL: entries, postings, cached balances, and the checks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import Connection, func, select, text

from arrears.adapters.store import tables as t
from arrears.adapters.store.bulk import insert_rows, placeholder
from arrears.domain.journal import Account, JournalEntry


class JournalSql:
    """The journal half of the ledger's SQL (mixed into ``SqlLedger``)."""

    connection: Connection

    # -- journal ---------------------------------------------------------------
    def journal_heads(self, loan_ids: Sequence[str]) -> dict[str, tuple[int, date | None]]:
        rows = self.connection.execute(
            select(t.loan.c.loan_id, t.loan.c.journal_seq, t.loan.c.journal_as_of).where(
                t.loan.c.loan_id.in_(loan_ids)
            )
        ).all()
        return {row[0]: (row[1], row[2]) for row in rows}

    def posted_effects(self, loan_ids: Sequence[str]) -> dict[str, dict[str, dict[Account, int]]]:
        """The net posted per loan, per source, per account."""
        p, e = t.journal_posting, t.journal_entry
        rows = self.connection.execute(
            select(e.c.loan_id, e.c.source, p.c.account, func.sum(p.c.amount_minor))
            .join(p, (p.c.loan_id == e.c.loan_id) & (p.c.entry_seq == e.c.entry_seq))
            .where(e.c.loan_id.in_(loan_ids))
            .group_by(e.c.loan_id, e.c.source, p.c.account)
        ).all()
        nets: dict[str, dict[str, dict[Account, int]]] = defaultdict(lambda: defaultdict(dict))
        for loan_id, source, account, amount in rows:
            nets[loan_id][source][Account(account)] = int(amount)
        return nets

    def append_entries(
        self,
        batch: Iterable[tuple[str, str, date, Sequence[JournalEntry], int]],
        now: datetime,
    ) -> None:
        """Append entries per loan: (loan_id, currency, posted_on, entries, first free entry_seq)."""
        entry_rows, posting_rows, heads = [], [], []
        deltas: dict[tuple[str, str], int] = defaultdict(int)
        for loan_id, currency, posted_on, entries, first_seq in batch:
            seq = first_seq - 1
            for seq, entry in enumerate(entries, start=first_seq):
                entry_rows.append(
                    (loan_id, seq, str(entry.kind), entry.source, currency, posted_on, now)
                )
                for account, amount in entry.postings.items():
                    posting_rows.append((loan_id, seq, str(account), amount))
                    deltas[(loan_id, str(account))] += amount
            heads.append((seq, posted_on, loan_id))
        c = self.connection
        insert_rows(
            c,
            "journal_entry",
            ("loan_id", "entry_seq", "kind", "source", "currency", "posted_on", "created_at"),
            entry_rows,
        )
        insert_rows(
            c, "journal_posting", ("loan_id", "entry_seq", "account", "amount_minor"), posting_rows
        )
        mark = placeholder(c)
        if deltas:
            c.exec_driver_sql(
                "INSERT INTO loan_balance (loan_id, account, balance_minor)"
                f" VALUES ({mark}, {mark}, {mark}) ON CONFLICT (loan_id, account) DO UPDATE"
                " SET balance_minor = loan_balance.balance_minor + excluded.balance_minor",
                [(loan_id, account, amount) for (loan_id, account), amount in deltas.items()],
            )
        if heads:
            c.exec_driver_sql(
                f"UPDATE loan SET journal_seq = {mark}, journal_as_of = {mark} WHERE loan_id = {mark}",
                heads,
            )

    # -- checks ----------------------------------------------------------------
    def unbalanced_entries(self) -> list[tuple[str, int, int]]:
        p = t.journal_posting
        total = func.sum(p.c.amount_minor)
        rows = self.connection.execute(
            select(p.c.loan_id, p.c.entry_seq, total)
            .group_by(p.c.loan_id, p.c.entry_seq)
            .having(total != 0)
        ).all()
        empty = self.connection.execute(
            text(
                "SELECT e.loan_id, e.entry_seq, 0 FROM journal_entry e WHERE NOT EXISTS"
                " (SELECT 1 FROM journal_posting p WHERE p.loan_id = e.loan_id AND p.entry_seq = e.entry_seq)"
            )
        ).all()
        return [(r[0], r[1], int(r[2])) for r in [*rows, *empty]]

    def balance_mismatches(self) -> list[tuple[str, str, int, int]]:
        """(loan, account, cached, derived) wherever the cache differs from the postings."""
        rows = self.connection.execute(
            text(
                "WITH derived AS (SELECT loan_id, account, SUM(amount_minor) AS amount"
                " FROM journal_posting GROUP BY loan_id, account)"
                " SELECT b.loan_id, b.account, b.balance_minor, COALESCE(d.amount, 0)"
                " FROM loan_balance b LEFT JOIN derived d"
                " ON d.loan_id = b.loan_id AND d.account = b.account"
                " WHERE b.balance_minor <> COALESCE(d.amount, 0)"
                " UNION ALL"
                " SELECT d.loan_id, d.account, 0, d.amount FROM derived d"
                " LEFT JOIN loan_balance b ON d.loan_id = b.loan_id AND d.account = b.account"
                " WHERE b.loan_id IS NULL AND d.amount <> 0"
            )
        ).all()
        return [(r[0], r[1], int(r[2]), int(r[3])) for r in rows]

    def balances(self, loan_id: str) -> dict[str, int]:
        rows = self.connection.execute(
            select(t.loan_balance.c.account, t.loan_balance.c.balance_minor).where(
                t.loan_balance.c.loan_id == loan_id
            )
        ).all()
        return {account: int(amount) for account, amount in rows}
