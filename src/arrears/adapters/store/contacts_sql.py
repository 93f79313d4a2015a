"""Contact attempts, borrower flags and promises to pay, and their set-based roll-ups for the cycle.

Row-at-a-time reads and writes serve the CLI and the agent desk; the daily
cycle calls the set-based methods (``summarize_contacts``, ``settle_promises``,
``promise_facts``) inside its own transaction. They are plain SQL that runs the
same on SQLite (dates and times stored as ISO text, UTC) and PostgreSQL; dates
are compared through bound, typed parameters. Nothing here commits.

Times go in as UTC: SQLAlchemy's SQLite ``DATETIME`` drops the zone and keeps the
wall-clock fields, so an aware time is turned to UTC first and read back as UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Date,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
)

from arrears.adapters.store import tables as t
from arrears.domain.contacts import (
    BROKEN_PROMISE_MEMORY_DAYS,
    CONVERSATIONS,
    NO_CONTACT,
    UNREACHED,
    AttemptRecord,
    BorrowerFlag,
    Channel,
    ContactFacts,
    ContactStatus,
    Direction,
    Outcome,
    Party,
    Promise,
    PromiseSource,
    PromiseStatus,
)


def _quoted(outcomes: frozenset[Outcome]) -> str:
    """An SQL list of outcome names: literals from an enum, never user input."""
    return ", ".join(f"'{o}'" for o in sorted(outcomes))


# The contact roll-up, recomputed for every *stale* borrower: one whose stored
# ``attempts`` differs from the number of attempts recorded (or who has none).
# Attempts are never edited or deleted, so a changed count is exactly "something
# new was recorded". A recorded_at watermark would need a place to keep it and
# would miss an attempt whose transaction started before the last summary but
# committed after it; counting is an index-only scan of ix_contact_attempt_borrower.
# The rules are domain.contacts.contact_status's; a differential test holds them equal.
_SUMMARIZE = f"""
INSERT INTO contact_summary (
    borrower_id, attempts, last_attempt_at, last_reached_at, unreached_since_reached,
    refused_at, lost_contact
)
WITH counted AS (
    SELECT borrower_id, COUNT(*) AS attempts, MAX(attempted_at) AS last_attempt_at
    FROM contact_attempt GROUP BY borrower_id
), stale AS (
    SELECT c.borrower_id, c.attempts, c.last_attempt_at
    FROM counted c LEFT JOIN contact_summary s ON s.borrower_id = c.borrower_id
    WHERE s.borrower_id IS NULL OR s.attempts <> c.attempts
), talks AS (
    SELECT a.borrower_id, a.attempted_at, a.outcome,
           ROW_NUMBER() OVER (
               PARTITION BY a.borrower_id ORDER BY a.attempted_at DESC, a.attempt_id DESC
           ) AS recency
    FROM contact_attempt a JOIN stale s ON s.borrower_id = a.borrower_id
    WHERE a.party = '{Party.BORROWER}' AND a.outcome IN ({_quoted(CONVERSATIONS)})
), latest AS (
    SELECT borrower_id, attempted_at, outcome FROM talks WHERE recency = 1
), missed AS (
    SELECT a.borrower_id, COUNT(*) AS unreached
    FROM contact_attempt a
    JOIN stale s ON s.borrower_id = a.borrower_id
    LEFT JOIN latest l ON l.borrower_id = a.borrower_id
    WHERE a.party = '{Party.BORROWER}' AND a.direction = '{Direction.OUTBOUND}'
      AND a.outcome IN ({_quoted(UNREACHED)})
      AND (l.attempted_at IS NULL OR a.attempted_at > l.attempted_at)
    GROUP BY a.borrower_id
)
SELECT s.borrower_id, s.attempts, s.last_attempt_at, l.attempted_at,
       COALESCE(m.unreached, 0),
       CASE WHEN l.outcome = '{Outcome.REFUSED}' THEN l.attempted_at END,
       CASE WHEN COALESCE(m.unreached, 0) >= :lost_after THEN 1 ELSE 0 END
FROM stale s
LEFT JOIN latest l ON l.borrower_id = s.borrower_id
LEFT JOIN missed m ON m.borrower_id = s.borrower_id
WHERE 1 = 1
ON CONFLICT (borrower_id) DO UPDATE SET
    attempts = excluded.attempts,
    last_attempt_at = excluded.last_attempt_at,
    last_reached_at = excluded.last_reached_at,
    unreached_since_reached = excluded.unreached_since_reached,
    refused_at = excluded.refused_at,
    lost_contact = excluded.lost_contact
"""  # WHERE 1 = 1: SQLite needs a WHERE before an upsert's ON CONFLICT

# A changed threshold (settings.lost_contact_attempts) re-marks borrowers not stale.
_RETHRESHOLD = """
UPDATE contact_summary
SET lost_contact = CASE WHEN unreached_since_reached >= :lost_after THEN 1 ELSE 0 END
WHERE lost_contact <> CASE WHEN unreached_since_reached >= :lost_after THEN 1 ELSE 0 END
"""

# What stands toward a promise: the loan's payments not reversed (a reversed payment
# never arrived), from the day it was made through its due date, known by the day.
_PAID = """(
    SELECT COALESCE(SUM(p.amount_minor), 0) FROM payment p
    WHERE p.loan_id = promise.loan_id
      AND p.paid_on >= promise.made_on AND p.paid_on <= promise.due_date AND p.paid_on <= :day
      AND NOT EXISTS (SELECT 1 FROM payment_reversal r WHERE r.payment_id = p.payment_id)
)"""


class SqlContacts:
    def __init__(self, connection: Connection):
        self.connection = connection

    # -- borrowers and loans (read from the ledger's tables) ------------------------------
    def has_borrower(self, borrower_id: str) -> bool:
        found = self.connection.execute(
            select(t.borrower.c.borrower_id).where(t.borrower.c.borrower_id == borrower_id)
        ).first()
        return found is not None

    def loan_parties(self, loan_id: str, *, lock: bool = False) -> tuple[str, str] | None:
        """The loan's (borrower id, currency); ``lock`` holds the loan row to the end of
        the transaction (PostgreSQL), so two promises for one loan cannot race."""
        query = select(t.loan.c.borrower_id, t.loan.c.currency).where(t.loan.c.loan_id == loan_id)
        row = self.connection.execute(query.with_for_update() if lock else query).first()
        return None if row is None else (row.borrower_id, row.currency)

    # -- attempts ------------------------------------------------------------------------
    def insert_attempt(self, record: AttemptRecord, now: datetime) -> int:
        """Store one attempt; returns its id."""
        result = self.connection.execute(
            t.contact_attempt.insert().returning(t.contact_attempt.c.attempt_id),
            _attempt_values(record, now),
        )
        return int(result.scalar_one())

    def insert_attempts(self, records: Sequence[AttemptRecord], now: datetime) -> int:
        """Store many attempts in the given order (ids increase with it); returns how many."""
        if records:
            self.connection.execute(
                t.contact_attempt.insert(), [_attempt_values(r, now) for r in records]
            )
        return len(records)

    def attempts(self, borrower_id: str, loan_id: str | None = None) -> list[AttemptRecord]:
        """A borrower's attempts (of one loan, if given) in the order they were made."""
        a = t.contact_attempt
        query = select(a).where(a.c.borrower_id == borrower_id)
        if loan_id is not None:
            query = query.where(a.c.loan_id == loan_id)
        rows = self.connection.execute(query.order_by(a.c.attempted_at, a.c.attempt_id)).all()
        return [_attempt(row) for row in rows]

    # -- the roll-up -----------------------------------------------------------------------
    def summarize_contacts(self, lost_after: int) -> int:
        """Recompute ``contact_summary`` for every borrower with attempts recorded since
        their summary was last written; returns the number of summaries written."""
        if lost_after < 1:
            raise ValueError("the lost-contact threshold must be at least 1 attempt")
        params = {"lost_after": lost_after}
        written = self.connection.execute(text(_SUMMARIZE), params).rowcount
        rethresholded = self.connection.execute(text(_RETHRESHOLD), params).rowcount
        return max(written, 0) + max(rethresholded, 0)

    def contact_summary(self, borrower_id: str) -> ContactStatus | None:
        """The stored roll-up (as of the last summary), or None if there is none."""
        found = self.contact_summaries([borrower_id])
        return found.get(borrower_id)

    def contact_summaries(self, borrower_ids: Sequence[str]) -> dict[str, ContactStatus]:
        s = t.contact_summary
        statuses: dict[str, ContactStatus] = {}
        for chunk in _chunks(borrower_ids):
            for row in self.connection.execute(select(s).where(s.c.borrower_id.in_(chunk))):
                statuses[row.borrower_id] = ContactStatus(
                    attempts=row.attempts,
                    last_attempt_at=_utc(row.last_attempt_at),
                    last_reached_at=_utc(row.last_reached_at),
                    unreached_since_reached=row.unreached_since_reached,
                    refused_at=_utc(row.refused_at),
                    lost_contact=bool(row.lost_contact),
                )
        return statuses

    def contact_facts(self, borrower_ids: Sequence[str]) -> dict[str, ContactFacts]:
        """Each borrower's stored roll-up and flags; a borrower never attempted has
        ``NO_CONTACT``. For a join in SQL instead: ``contact_summary`` (one row per
        borrower ever attempted) and ``borrower_flag`` (one row per flag set)."""
        summaries = self.contact_summaries(borrower_ids)
        flags = self.flags_of(borrower_ids)
        return {
            b: ContactFacts(summaries.get(b, NO_CONTACT), frozenset(flags.get(b, ())))
            for b in dict.fromkeys(borrower_ids)
        }

    # -- borrower flags ----------------------------------------------------------------------
    def set_flag(self, borrower_id: str, flag: str, now: datetime, note: str | None) -> bool:
        """Set a flag; one already set keeps its time and note. True when newly set."""
        f = t.borrower_flag
        if self.connection.execute(
            select(f.c.flag).where(f.c.borrower_id == borrower_id, f.c.flag == flag)
        ).first():
            return False
        self.connection.execute(
            f.insert().values(borrower_id=borrower_id, flag=flag, set_at=_to_utc(now), note=note)
        )
        return True

    def clear_flag(self, borrower_id: str, flag: str) -> bool:
        f = t.borrower_flag
        deleted = self.connection.execute(
            f.delete().where(f.c.borrower_id == borrower_id, f.c.flag == flag)
        )
        return deleted.rowcount > 0

    def flags(self, borrower_id: str) -> list[BorrowerFlag]:
        f = t.borrower_flag
        rows = self.connection.execute(
            select(f.c.flag, f.c.set_at, f.c.note)
            .where(f.c.borrower_id == borrower_id)
            .order_by(f.c.flag)
        )
        return [BorrowerFlag(row.flag, _utc_required(row.set_at), row.note) for row in rows]

    def flags_of(self, borrower_ids: Sequence[str]) -> dict[str, set[str]]:
        f = t.borrower_flag
        found: dict[str, set[str]] = {}
        for chunk in _chunks(borrower_ids):
            query = select(f.c.borrower_id, f.c.flag).where(f.c.borrower_id.in_(chunk))
            for borrower_id, flag in self.connection.execute(query):
                found.setdefault(borrower_id, set()).add(flag)
        return found

    # -- promises ------------------------------------------------------------------------------
    def insert_promise(self, promise: Promise, now: datetime) -> None:
        p = promise
        self.connection.execute(
            t.promise.insert().values(
                promise_id=p.promise_id,
                loan_id=p.loan_id,
                borrower_id=p.borrower_id,
                amount_minor=p.amount_minor,
                currency=p.currency,
                made_on=p.made_on,
                due_date=p.due_date,
                status=str(p.status),
                settled_on=p.settled_on,
                paid_minor=p.paid_minor,
                arm=p.arm,
                source=str(p.source),
                created_at=_to_utc(now),
            )
        )

    def promise(self, promise_id: str) -> Promise | None:
        row = self.connection.execute(
            select(t.promise).where(t.promise.c.promise_id == promise_id)
        ).first()
        return None if row is None else _promise(row)

    def promises(
        self, loan_id: str | None = None, status: PromiseStatus | None = None
    ) -> list[Promise]:
        """Promises of a loan and/or in a status, oldest first."""
        p = t.promise
        query = select(p)
        if loan_id is not None:
            query = query.where(p.c.loan_id == loan_id)
        if status is not None:
            query = query.where(p.c.status == str(status))
        rows = self.connection.execute(query.order_by(p.c.made_on, p.c.created_at, p.c.promise_id))
        return [_promise(row) for row in rows]

    def cancel_promise(self, promise_id: str, day: date) -> bool:
        """Cancel an open promise (settled on ``day``); False if it was not open."""
        p = t.promise
        changed = self.connection.execute(
            p.update()
            .where(p.c.promise_id == promise_id, p.c.status == str(PromiseStatus.OPEN))
            .values(status=str(PromiseStatus.CANCELLED), settled_on=day)
        )
        return changed.rowcount > 0

    def settle_promises(self, day: date, tolerances: Mapping[str, int]) -> tuple[int, int]:
        """Mark open promises kept or broken as of ``day``; returns (kept, broken).

        Kept (settled on ``day``): the standing payments of the loan from the day the
        promise was made through min(day, due date) reach the amount less the
        tolerance of the loan's product (``tolerances``: product → minor units,
        missing → 0), and are more than nothing. Broken (settled on the due date):
        ``day`` is on or after the due date and the payments fall short. Either way
        ``paid_minor`` keeps the sum. Settled promises are not looked at again, so a
        second run for the same day changes nothing.
        """
        params: dict[str, Any] = {"day": day}
        cases = []
        for i, (product, tolerance_minor) in enumerate(sorted(tolerances.items())):
            cases.append(f"WHEN :product_{i} THEN :tolerance_{i}")
            params |= {f"product_{i}": product, f"tolerance_{i}": int(tolerance_minor)}
        tolerance = (
            "(SELECT CASE l.product "
            + " ".join(cases)
            + " ELSE 0 END FROM loan l WHERE l.loan_id = promise.loan_id)"
            if cases
            else "0"
        )
        kept_sql = (
            f"UPDATE promise SET status = '{PromiseStatus.KEPT}', settled_on = :day,"
            f" paid_minor = {_PAID}"
            f" WHERE status = '{PromiseStatus.OPEN}' AND made_on <= :day"
            f" AND {_PAID} > 0 AND {_PAID} >= amount_minor - {tolerance}"
        )
        broken_sql = (
            f"UPDATE promise SET status = '{PromiseStatus.BROKEN}', settled_on = due_date,"
            f" paid_minor = {_PAID}"
            f" WHERE status = '{PromiseStatus.OPEN}' AND made_on <= :day AND due_date <= :day"
        )
        kept = self.connection.execute(_dated(kept_sql), params).rowcount
        broken = self.connection.execute(_dated(broken_sql), params).rowcount
        return kept, broken

    def promise_facts_select(self, day: date) -> CompoundSelect:
        """Promise facts as a query the cycle can join (``.subquery()``): columns
        ``loan_id``, ``state`` ('open' | 'broken') and ``due_date``, one row per loan.

        As of ``day``: a loan's promise is *open* if it was made by then and not yet
        settled by then; otherwise its most recent promise *broken* in the 30 days
        through ``day`` (settled on its due date, day − 29 … day) is reported. A loan
        with neither has no row.
        """
        p = t.promise
        other = t.promise.alias("other")
        other_open = and_(other.c.loan_id == p.c.loan_id, _open_on(other, day))
        since = day - timedelta(days=BROKEN_PROMISE_MEMORY_DAYS - 1)
        open_rows = (
            select(
                p.c.loan_id,
                literal_column(f"'{PromiseStatus.OPEN}'").label("state"),
                func.min(p.c.due_date).label("due_date"),
            )
            .where(_open_on(p, day))
            .group_by(p.c.loan_id)
        )
        broken_rows = (
            select(
                p.c.loan_id,
                literal_column(f"'{PromiseStatus.BROKEN}'").label("state"),
                func.max(p.c.due_date).label("due_date"),
            )
            .where(
                p.c.status == str(PromiseStatus.BROKEN),
                p.c.settled_on >= since,
                p.c.settled_on <= day,
                ~exists().where(other_open),
            )
            .group_by(p.c.loan_id)
        )
        return union_all(open_rows, broken_rows)

    def promise_facts(self, day: date) -> list[tuple[str, str, date]]:
        """(loan_id, 'open' | 'broken', due_date) per loan with one, as of ``day``
        (see ``promise_facts_select``), ordered by loan id."""
        rows = self.connection.execute(self.promise_facts_select(day)).all()
        return sorted((loan_id, state, _day(due)) for loan_id, state, due in rows)


def _open_on(p: Any, day: date) -> Any:
    """Made by ``day`` and not settled by then (kept, broken or cancelled later, or not yet)."""
    return and_(
        p.c.made_on <= day,
        or_(
            p.c.status == str(PromiseStatus.OPEN),
            and_(p.c.settled_on.is_not(None), p.c.settled_on > day),
        ),
    )


# -- rows ↔ values ------------------------------------------------------------------------
def _dated(sql: str) -> Any:
    return text(sql).bindparams(bindparam("day", type_=Date))


def _chunks(ids: Sequence[str], size: int = 900) -> list[list[str]]:
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + size] for i in range(0, len(unique), size)]


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time to store must carry its zone")
    return value.astimezone(UTC)


def _utc(value: datetime | None) -> datetime | None:
    """A stored time back as UTC: SQLite returns it naive (it was stored as UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_required(value: datetime) -> datetime:
    result = _utc(value)
    assert result is not None
    return result


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _attempt_values(r: AttemptRecord, now: datetime) -> dict[str, Any]:
    return {
        "borrower_id": r.borrower_id,
        "loan_id": r.loan_id,
        "channel": str(r.channel),
        "direction": str(r.direction),
        "party": str(r.party),
        "outcome": str(r.outcome),
        "attempted_at": _to_utc(r.attempted_at),
        "recorded_at": _to_utc(now),
        "action_id": r.action_id,
        "arm": r.arm,
        "agent": r.agent,
        "note": r.note,
    }


def _attempt(row: Any) -> AttemptRecord:
    return AttemptRecord(
        borrower_id=row.borrower_id,
        channel=Channel(row.channel),
        outcome=Outcome(row.outcome),
        attempted_at=_utc_required(row.attempted_at),
        direction=Direction(row.direction),
        party=Party(row.party),
        loan_id=row.loan_id,
        agent=row.agent,
        note=row.note,
        action_id=row.action_id,
        arm=row.arm,
        attempt_id=row.attempt_id,
        recorded_at=_utc(row.recorded_at),
    )


def _promise(row: Any) -> Promise:
    return Promise(
        promise_id=row.promise_id,
        loan_id=row.loan_id,
        borrower_id=row.borrower_id,
        amount_minor=row.amount_minor,
        currency=row.currency,
        made_on=row.made_on,
        due_date=row.due_date,
        status=PromiseStatus(row.status),
        settled_on=row.settled_on,
        paid_minor=row.paid_minor,
        arm=row.arm,
        source=PromiseSource(row.source),
    )
