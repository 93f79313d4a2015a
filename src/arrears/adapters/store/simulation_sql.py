"""What the simulator reads of the book each day, as whole-portfolio statements: every
loan's arrears and the instalment falling due, arrangement instalments due, and the
messages that reached each borrower. A row per loan or per borrower and channel,
ordered, so that the simulator can lay them out as arrays."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Date, bindparam, text

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # the cycle's day numbers count from here

# Past due money less credit held, and the instalment that falls due on :day (the
# first not yet due as of the last cycle day), unpaid: the loans the cycle follows.
_ACCOUNTS = text("""
SELECT s.loan_id, l.borrower_id, l.currency, s.dpd, s.bucket,
    s.overdue_principal_minor + s.overdue_interest_minor + s.penalty_minor + s.fees_minor
        - s.credit_minor,
    CASE WHEN s.next_due_day = :day AND s.adjusted = 0
        THEN i.principal_minor + i.interest_minor ELSE 0 END,
    s.outstanding_principal_minor
FROM loan_status s
JOIN loan l ON l.loan_id = s.loan_id
LEFT JOIN installment i ON i.loan_id = s.loan_id AND i.seq = s.next_seq
ORDER BY s.loan_id
""")

_PLAN_DUES = text("""
SELECT a.loan_id, SUM(i.amount_minor - i.paid_minor)
FROM arrangement a JOIN arrangement_instalment i ON i.arrangement_id = a.arrangement_id
WHERE a.status = 'active' AND i.due_date = :day
GROUP BY a.loan_id
""").bindparams(bindparam("day", type_=Date))

_IN_FORCE = text(
    "SELECT arrangement_id, loan_id FROM arrangement WHERE status = 'active' ORDER BY loan_id"
)

# Messages the providers took on :day (a dry run takes every one it is given).
_RECEIVED = text("""
SELECT borrower_id, channel, template, COUNT(*)
FROM message
WHERE as_of = :day AND status IN ('sent', 'delivered')
GROUP BY borrower_id, channel, template
""").bindparams(bindparam("day", type_=Date))


class SqlSimulation:
    def __init__(self, connection: Connection):
        self.connection = connection

    def accounts(self, day: date) -> list[tuple[Any, ...]]:
        """(loan_id, borrower_id, currency, dpd, bucket, owed_minor, due_today_minor,
        outstanding_principal_minor) of every loan the cycle follows, by loan id."""
        number = day.toordinal() - EPOCH_ORDINAL
        return [tuple(row) for row in self.connection.execute(_ACCOUNTS, {"day": number})]

    def plan_dues(self, day: date) -> dict[str, int]:
        """Per loan under an arrangement in force, what its instalments due on ``day``
        still ask."""
        return {loan: int(owed) for loan, owed in self.connection.execute(_PLAN_DUES, {"day": day})}

    def arrangements_in_force(self) -> list[tuple[str, str]]:
        """(arrangement_id, loan_id) of every active arrangement."""
        return [(a, loan) for a, loan in self.connection.execute(_IN_FORCE)]

    def phones(self) -> dict[str, str]:
        """Each borrower's phone number, where one is stored."""
        rows = self.connection.execute(
            text("SELECT borrower_id, phone FROM borrower WHERE phone IS NOT NULL")
        )
        return {borrower: phone for borrower, phone in rows}

    def received(self, day: date) -> list[tuple[str, str, str | None, int]]:
        """(borrower_id, channel, template, messages) taken by a provider on ``day``."""
        rows = self.connection.execute(_RECEIVED, {"day": day})
        return [(b, channel, template, int(n)) for b, channel, template, n in rows]

    # -- what came of it, for the outcome report ---------------------------------------------
    def arrangement_outcomes(self) -> list[tuple[str, str, str]]:
        """(loan_id, kind, status) of every arrangement that took effect."""
        rows = self.connection.execute(
            text("SELECT loan_id, kind, status FROM arrangement WHERE starts_on IS NOT NULL"
                 " ORDER BY arrangement_id")
        )  # fmt: skip
        return [(loan, kind, status) for loan, kind, status in rows]
