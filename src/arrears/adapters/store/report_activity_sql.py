"""The activity reports as set-based SQL: champion vs challenger, agents, contact
intensity (services.reports_activity).

Contacts are rows of ``contact_attempt``: the dispatcher records one for every message a
provider took, so messages are counted there, once. Days are UTC days: an attempt made
on a day is one with ``attempted_at`` from that day's 00:00 UTC up to the next day's.
The statements are the same on SQLite and PostgreSQL: the few days' bounds are worked
out in Python and joined from a scratch table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection

from arrears.adapters.store.bulk import as_date, create_scratch, insert_rows, sql_value
from arrears.adapters.store.report_portfolio_sql import ARM
from arrears.adapters.store.report_scratch import drop, run_dated
from arrears.domain.contacts import CONVERSATIONS
from arrears.services.report_ports import (
    AgentMoneyRow,
    AgentRow,
    ArmCountRow,
    ArmLoansRow,
    ArmMoneyRow,
    IntensityRow,
)

_STANDING = "NOT EXISTS (SELECT 1 FROM payment_reversal v WHERE v.payment_id = p.payment_id)"
_OVERDUE = "s.overdue_principal_minor + s.overdue_interest_minor + s.penalty_minor + s.fees_minor"
_IN_PERIOD = "a.attempted_at >= :since AND a.attempted_at < :until"
_TALKED = ", ".join(f"'{outcome}'" for outcome in sorted(CONVERSATIONS))
_REACHED = f"a.party = 'borrower' AND a.outcome IN ({_TALKED})"

_ARM_LOANS = f"""
SELECT arm, currency, COUNT(*), SUM(CASE WHEN dpd > 0 THEN 1 ELSE 0 END), SUM(overdue)
FROM (
    SELECT {ARM} AS arm, l.currency, s.dpd, {_OVERDUE} AS overdue
    FROM loan_status s JOIN loan l ON l.loan_id = s.loan_id
    WHERE 1 = 1 /*product l.loan_id*/
) AS loans
GROUP BY arm, currency
"""

_ARM_MONEY = f"""
SELECT arm, currency, SUM(amount_minor)
FROM (
    SELECT {ARM} AS arm, p.currency, p.amount_minor
    FROM payment p JOIN loan_status s ON s.loan_id = p.loan_id
    WHERE p.paid_on BETWEEN :first AND :last AND {_STANDING} /*product p.loan_id*/
) AS paid
GROUP BY arm, currency
"""

# Outbound attempts by the arm they recorded, and promises by theirs ("none": made with
# no strategy active).
_ARM_CONTACTS = f"""
SELECT arm, currency, channel, COUNT(*)
FROM (
    SELECT COALESCE(a.arm, 'none') AS arm, l.currency, a.channel
    FROM contact_attempt a JOIN loan l ON l.loan_id = a.loan_id
    WHERE a.direction = 'outbound' AND {_IN_PERIOD} /*product a.loan_id*/
) AS contacts
GROUP BY arm, currency, channel
"""
_ARM_PROMISES = """
SELECT arm, currency, COUNT(*), SUM(kept)
FROM (
    SELECT COALESCE(p.arm, 'none') AS arm, p.currency,
        CASE WHEN p.status = 'kept' THEN 1 ELSE 0 END AS kept
    FROM promise p WHERE p.made_on BETWEEN :first AND :last /*product p.loan_id*/
) AS promised
GROUP BY arm, currency
"""

_AGENT_ATTEMPTS = f"""
SELECT a.agent, COUNT(*), SUM(CASE WHEN {_REACHED} THEN 1 ELSE 0 END)
FROM contact_attempt a WHERE a.agent IS NOT NULL AND {_IN_PERIOD} /*product a.loan_id*/
GROUP BY a.agent
"""
# A promise is the agent's who had a promise_to_pay conversation on its loan the day it
# was made (report_window: that day). Each (agent, promise) once, however many calls.
_AGENT_PROMISES = """
SELECT agent, COUNT(*), SUM(kept)
FROM (
    SELECT DISTINCT a.agent, p.promise_id, CASE WHEN p.status = 'kept' THEN 1 ELSE 0 END AS kept
    FROM promise p JOIN report_window w ON w.day = p.made_on
    JOIN contact_attempt a ON a.loan_id = p.loan_id
      AND a.attempted_at >= w.since AND a.attempted_at < w.until
    WHERE p.made_on BETWEEN :first AND :last AND a.agent IS NOT NULL
      AND a.outcome = 'promise_to_pay' /*product p.loan_id*/
) AS promised
GROUP BY agent
"""

# A payment is collected by every agent who reached the borrower on its loan in the days
# before it (report_window: from :after_days days before the payment day through it).
# Each (agent, payment) once, however many conversations.
_AGENT_MONEY = f"""
SELECT agent, currency, SUM(amount_minor)
FROM (
    SELECT DISTINCT a.agent, p.payment_id, p.currency, p.amount_minor
    FROM payment p JOIN report_window w ON w.day = p.paid_on
    JOIN contact_attempt a ON a.loan_id = p.loan_id
      AND a.attempted_at >= w.since AND a.attempted_at < w.until
    WHERE p.paid_on BETWEEN :first AND :last AND a.agent IS NOT NULL AND {_REACHED}
      AND {_STANDING} /*product p.loan_id*/
) AS collected
GROUP BY agent, currency
"""

# A loan's bucket during a day is the one the cycle left it in at the end of the day
# before (report_span.prior): its latest roll row on or before that.
_LATEST_BEFORE = """NOT EXISTS (
    SELECT 1 FROM roll_history n
    WHERE n.loan_id = r.loan_id AND n.as_of > r.as_of AND n.as_of <= d.prior
)"""
_LOAN_DAYS = f"""
SELECT d.week, r.to_bucket, COUNT(*)
FROM report_span d JOIN roll_history r ON r.as_of <= d.prior
WHERE {_LATEST_BEFORE} /*product r.loan_id*/
GROUP BY d.week, r.to_bucket
"""
_CONTACTS = f"""
SELECT d.week, r.to_bucket, COUNT(*)
FROM contact_attempt a
JOIN report_span d ON a.attempted_at >= d.since AND a.attempted_at < d.until
JOIN roll_history r ON r.loan_id = a.loan_id AND r.as_of <= d.prior
WHERE a.direction = 'outbound' AND {_LATEST_BEFORE} /*product a.loan_id*/
GROUP BY d.week, r.to_bucket
"""


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


class SqlActivityReports:
    def __init__(self, connection: Connection):
        self.connection = connection

    # -- champion vs challenger -------------------------------------------------------------
    def arm_loans(self, challenger_slots: int, product: str | None = None) -> list[ArmLoansRow]:
        """Loans seen by the cycle by arm and currency: how many, how many past due and
        what they have overdue on the last cycle day (unordered). Every method here
        counts the loans of ``product`` only, when given."""
        rows = self._rows(_ARM_LOANS, product, challenger_slots=challenger_slots)
        return [ArmLoansRow(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in rows]

    def arm_money(
        self, first: date, last: date, challenger_slots: int, product: str | None = None
    ) -> list[ArmMoneyRow]:
        rows = self._rows(
            _ARM_MONEY, product, first=first, last=last, challenger_slots=challenger_slots
        )
        return [ArmMoneyRow(r[0], r[1], int(r[2])) for r in rows]

    def arm_counts(self, first: date, last: date, product: str | None = None) -> list[ArmCountRow]:
        """Outbound contacts on loans by recorded arm, currency and channel (attempts
        with no loan left out); promises made in the period and kept, by arm and currency."""
        rows = self._rows(_ARM_CONTACTS, product, **self._period(first, last))
        contacts = [ArmCountRow(r[0], r[1], r[2], int(r[3])) for r in rows]
        return contacts + self.arm_promises(first, last, product)

    def arm_promises(
        self, first: date, last: date, product: str | None = None
    ) -> list[ArmCountRow]:
        """Promises made from ``first`` through ``last`` and how many were kept, by the arm
        recorded on them ("none": no strategy was active) and currency: kinds "promises"
        and "kept" (unordered)."""
        promises = self._rows(_ARM_PROMISES, product, first=first, last=last)
        return [
            ArmCountRow(r[0], r[1], kind, int(n))
            for r in promises
            for kind, n in (("promises", r[2]), ("kept", r[3]))
        ]

    # -- agents ----------------------------------------------------------------------------
    def agents(self, first: date, last: date, product: str | None = None) -> list[AgentRow]:
        """Per agent: attempts and conversations with the borrower in the period; promises
        made in it that are theirs, and how many were kept (unordered)."""
        attempts = {r[0]: (int(r[1]), int(r[2])) for r in self._rows(
            _AGENT_ATTEMPTS, product, **self._period(first, last))}  # fmt: skip
        days = self._rows(
            "SELECT DISTINCT made_on FROM promise WHERE made_on BETWEEN :first AND :last",
            first=first, last=last,
        )  # fmt: skip
        self._fill_windows((as_date(r[0]) for r in days), before=0)
        promised = {r[0]: (int(r[1]), int(r[2])) for r in self._rows(
            _AGENT_PROMISES, product, first=first, last=last)}  # fmt: skip
        drop(self.connection, "report_window")
        return [
            AgentRow(agent, *attempts.get(agent, (0, 0)), *promised.get(agent, (0, 0)))
            for agent in attempts.keys() | promised.keys()
        ]

    def agent_money(
        self, first: date, last: date, after_days: int, product: str | None = None
    ) -> list[AgentMoneyRow]:
        """Standing payments in the period on loans whose borrower an agent reached in the
        ``after_days`` days before the payment day or on it, per agent and currency."""
        days = self._rows(
            "SELECT DISTINCT paid_on FROM payment WHERE paid_on BETWEEN :first AND :last",
            first=first, last=last,
        )  # fmt: skip
        self._fill_windows((as_date(r[0]) for r in days), before=after_days)
        rows = self._rows(_AGENT_MONEY, product, first=first, last=last)
        drop(self.connection, "report_window")
        return [AgentMoneyRow(r[0], r[1], int(r[2])) for r in rows]

    # -- contact intensity ---------------------------------------------------------------
    def intensity(self, first: date, last: date, product: str | None = None) -> list[IntensityRow]:
        """Per week from ``first`` (weeks of 7 days, the last one perhaps shorter) and
        bucket: the loan-days spent in the bucket and the outbound contacts made on them."""
        create_scratch(
            self.connection, "report_span",
            "day DATE PRIMARY KEY, prior DATE NOT NULL, week DATE NOT NULL,"
            " since TIMESTAMP WITH TIME ZONE NOT NULL, until TIMESTAMP WITH TIME ZONE NOT NULL",
        )  # fmt: skip
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        spans = [
            (day, day - timedelta(days=1), first + timedelta(days=(day - first).days // 7 * 7),
             midnight(day), midnight(day + timedelta(days=1)))
            for day in days
        ]  # fmt: skip
        insert_rows(
            self.connection, "report_span", ("day", "prior", "week", "since", "until"), spans
        )
        loan_days = {(as_date(r[0]), r[1]): int(r[2]) for r in self._rows(_LOAN_DAYS, product)}
        contacts = {(as_date(r[0]), r[1]): int(r[2]) for r in self._rows(_CONTACTS, product)}
        drop(self.connection, "report_span")
        return [
            IntensityRow(week, bucket, loan_days.get((week, bucket), 0),
                         contacts.get((week, bucket), 0))
            for week, bucket in loan_days.keys() | contacts.keys()
        ]  # fmt: skip

    # -- helpers ---------------------------------------------------------------------------
    def _fill_windows(self, days: Iterable[date], before: int) -> None:
        """``report_window(day, since, until)``: from ``before`` days before each day, at
        00:00 UTC, up to the next day's 00:00 UTC."""
        create_scratch(
            self.connection, "report_window",
            "day DATE PRIMARY KEY, since TIMESTAMP WITH TIME ZONE NOT NULL,"
            " until TIMESTAMP WITH TIME ZONE NOT NULL",
        )  # fmt: skip
        rows = [
            (day, midnight(day - timedelta(days=before)), midnight(day + timedelta(days=1)))
            for day in sorted(set(days))
        ]
        insert_rows(self.connection, "report_window", ("day", "since", "until"), rows)

    def _period(self, first: date, last: date) -> dict[str, Any]:
        """The period's bounds as times: from ``first`` 00:00 UTC up to the day after ``last``."""
        return {
            "since": sql_value(self.connection, midnight(first)),
            "until": sql_value(self.connection, midnight(last + timedelta(days=1))),
        }

    def _rows(self, sql: str, product: str | None = None, **values: Any) -> Sequence[Any]:
        return run_dated(self.connection, sql, product, **values)
