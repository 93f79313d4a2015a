"""What messages quote of each loan, read for many loans in one statement per few hundred ids.

One row per loan joins the loan, its borrower, the cycle's stored status (``loan_status``),
the installment due on the status day if it is still unpaid (``due_status``), the next
installment of the stored schedule (``installment``, unless a prepayment re-amortised
the loan: ``adjusted``), the loan's open promise to pay that falls due first, and the
next open instalment of its arrangement in force. Plain
driver SQL like the cycle's (``bulk.select_in``), the same on SQLite and PostgreSQL;
nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from arrears.adapters.store.bulk import as_date, select_in
from arrears.domain.contacts import PromiseStatus
from arrears.domain.message_text import MessageFacts

# The open promise falling due first, per loan (ties by id, so reads repeat).
_PROMISES = f"""
SELECT loan_id, amount_minor, due_date,
       ROW_NUMBER() OVER (PARTITION BY loan_id ORDER BY due_date, promise_id) AS rank_in_loan
FROM promise WHERE status = '{PromiseStatus.OPEN}' AND loan_id IN ({{ids}})
"""

# The next instalment still open of each loan's arrangement in force (what it owes of it).
_PLANS = """
SELECT a.loan_id, i.amount_minor - i.paid_minor, i.due_date,
       ROW_NUMBER() OVER (PARTITION BY a.loan_id ORDER BY i.due_date, i.seq) AS rank_in_loan
FROM arrangement a JOIN arrangement_instalment i ON i.arrangement_id = a.arrangement_id
WHERE a.status = 'active' AND i.status = 'open' AND a.loan_id IN ({ids})
"""

_FACTS = """
SELECT l.loan_id, l.borrower_id, l.product, l.currency, b.name, b.language,
       ls.status_day, ls.dpd, ls.bucket, ls.open_due_day, ls.next_due_day,
       ls.overdue_principal_minor + ls.overdue_interest_minor + ls.penalty_minor
           + ls.fees_minor,
       ls.outstanding_principal_minor, ls.overdue_interest_minor, ls.penalty_minor,
       ls.fees_minor, ls.credit_minor,
       ds.principal_minor + ds.interest_minor + ds.penalty_minor + ds.fee_minor
           - ds.paid_principal_minor - ds.paid_interest_minor - ds.paid_penalty_minor
           - ds.paid_fee_minor,
       CASE WHEN ls.adjusted = 0 THEN i.principal_minor + i.interest_minor END
FROM loan l
JOIN borrower b ON b.borrower_id = l.borrower_id
LEFT JOIN loan_status ls ON ls.loan_id = l.loan_id
LEFT JOIN due_status ds ON ds.loan_id = l.loan_id AND ds.due_day = ls.status_day
LEFT JOIN installment i ON i.loan_id = l.loan_id AND i.seq = ls.next_seq
WHERE l.loan_id IN ({ids})
"""


class SqlMessageContexts:
    def __init__(self, connection: Connection):
        self.connection = connection

    def message_facts(self, loan_ids: Sequence[str]) -> list[MessageFacts]:
        """The facts of every stored loan among ``loan_ids``, in id order; a loan the
        cycle has not seen yet has ``status_day`` None (and zero amounts)."""
        ids = sorted(set(loan_ids))
        promises = {
            row[0]: (int(row[1]), as_date(row[2]))
            for row in select_in(self.connection, _PROMISES, ids)
            if row[3] == 1
        }
        plans = {
            row[0]: (int(row[1]), as_date(row[2]))
            for row in select_in(self.connection, _PLANS, ids)
            if row[3] == 1
        }
        facts = []
        for row in select_in(self.connection, _FACTS, ids):
            promise = promises.get(row[0], (None, None))
            plan = plans.get(row[0], (None, None))
            due_today = row[17] if row[17] is not None and row[17] > 0 else None
            facts.append(
                MessageFacts(
                    row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                    row[7] or 0, row[8] or "", row[9], row[10],
                    *(int(value or 0) for value in row[11:17]),
                    None if due_today is None else int(due_today),
                    None if row[18] is None else int(row[18]),
                    *promise,
                    *plan,
                )
            )  # fmt: skip
        return sorted(facts, key=lambda f: f.loan_id)
