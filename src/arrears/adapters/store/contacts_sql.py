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

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, text

from arrears.adapters.store import tables as t
from arrears.adapters.store.promises_sql import PromisesSql
from arrears.domain.contacts import (
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
#
# One sorted pass over the stale borrowers' attempts: the window puts each
# borrower's last conversation with them first (ties by attempt id, the order
# recorded), so every row sees it; the outer aggregate counts the misses after it.
# (Joining separate per-borrower CTEs instead made SQLite scan one of them per row.)
# The rules are domain.contacts.contact_status's; a differential test holds them equal.
_TALKED = (
    f"CASE WHEN a.party = '{Party.BORROWER}' AND a.outcome IN ({_quoted(CONVERSATIONS)})"
    " THEN 1 ELSE 0 END"
)
_MISSED = (
    f"CASE WHEN a.party = '{Party.BORROWER}' AND a.direction = '{Direction.OUTBOUND}'"
    f" AND a.outcome IN ({_quoted(UNREACHED)}) THEN 1 ELSE 0 END"
)
_SUMMARIZE = f"""
INSERT INTO contact_summary (
    borrower_id, attempts, last_attempt_at, last_reached_at, unreached_since_reached,
    refused_at, lost_contact
)
WITH stale AS (
    SELECT c.borrower_id
    FROM (SELECT borrower_id, COUNT(*) AS attempts FROM contact_attempt GROUP BY borrower_id) c
    LEFT JOIN contact_summary s ON s.borrower_id = c.borrower_id
    WHERE s.borrower_id IS NULL OR s.attempts <> c.attempts
), ranked AS (
    SELECT a.borrower_id, a.attempted_at, {_MISSED} AS missed,
           FIRST_VALUE({_TALKED}) OVER last_talk AS talked,
           FIRST_VALUE(a.attempted_at) OVER last_talk AS talked_at,
           FIRST_VALUE(a.outcome) OVER last_talk AS talked_outcome
    FROM stale JOIN contact_attempt a ON a.borrower_id = stale.borrower_id
    WINDOW last_talk AS (
        PARTITION BY a.borrower_id ORDER BY {_TALKED} DESC, a.attempted_at DESC, a.attempt_id DESC
    )
), rolled AS (
    SELECT borrower_id, COUNT(*) AS attempts, MAX(attempted_at) AS last_attempt_at,
           MAX(CASE WHEN talked = 1 THEN talked_at END) AS last_reached_at,
           SUM(CASE WHEN missed = 1 AND (talked = 0 OR attempted_at > talked_at)
               THEN 1 ELSE 0 END) AS unreached,
           MAX(CASE WHEN talked = 1 AND talked_outcome = '{Outcome.REFUSED}'
               THEN talked_at END) AS refused_at
    FROM ranked GROUP BY borrower_id
)
SELECT borrower_id, attempts, last_attempt_at, last_reached_at, unreached, refused_at,
       CASE WHEN unreached >= :lost_after THEN 1 ELSE 0 END
FROM rolled
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


_IN_LIST = 500  # ids bound in one IN list


class SqlContacts(PromisesSql):
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

    def loans_parties(
        self, loan_ids: Sequence[str], *, lock: bool = False
    ) -> dict[str, tuple[str, str]]:
        """Each stored loan's (borrower id, currency); ``lock`` holds the rows as
        ``loan_parties`` does, taken in loan id order (a fixed order: no deadlock)."""
        found: dict[str, tuple[str, str]] = {}
        ordered = sorted(set(loan_ids))
        for start in range(0, len(ordered), _IN_LIST):
            query = (
                select(t.loan.c.loan_id, t.loan.c.borrower_id, t.loan.c.currency)
                .where(t.loan.c.loan_id.in_(ordered[start : start + _IN_LIST]))
                .order_by(t.loan.c.loan_id)
            )
            for row in self.connection.execute(query.with_for_update() if lock else query):
                found[row.loan_id] = (row.borrower_id, row.currency)
        return found

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


# -- rows ↔ values ------------------------------------------------------------------------
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
