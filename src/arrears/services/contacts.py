"""Recording contact attempts and borrower flags, and reading a borrower's contact status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from arrears.domain.contacts import (
    AttemptRecord,
    BorrowerFlag,
    ContactFacts,
    allowed_outcomes,
    contact_status,
    is_flag_name,
)
from arrears.services.errors import InvalidInput, NotFound
from arrears.services.ports import ContactStore, UnitOfWork
from arrears.services.strategies import arm_of_loan

# An agent's or a provider's clock may run a little ahead of ours; more than this
# and the time is a typo (a wrong day or zone), which would skew the roll-up.
CLOCK_SKEW = timedelta(minutes=5)
MAX_ID_LENGTH = 64  # agent names and arms share the store's id width


def record_attempt(
    uow_factory: Callable[[], UnitOfWork], record: AttemptRecord, now: datetime
) -> int:
    """Record one contact attempt; returns its id.

    Refused: an unknown borrower or loan (``NotFound``), a loan of another borrower,
    a time without a zone or in the future, an outcome the channel cannot have
    (``InvalidInput``).
    """
    check_attempt(record, now)
    with uow_factory() as uow:
        _check_parties(uow.contacts, record.borrower_id, record.loan_id)
        if record.arm is None and record.loan_id is not None:
            record = replace(record, arm=arm_of_loan(uow, record.loan_id))
        attempt_id = uow.contacts.insert_attempt(record, now)
        uow.commit()
    return attempt_id


def check_attempt(record: AttemptRecord, now: datetime) -> None:
    at = record.attempted_at
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput(f"the attempt time {at.isoformat()} has no time zone")
    if at > now + CLOCK_SKEW:
        raise InvalidInput(
            f"the attempt time {at.isoformat()} is in the future (now {now.isoformat()})"
        )
    allowed = allowed_outcomes(record.channel, record.direction)
    if record.outcome not in allowed:
        raise InvalidInput(
            f"an {record.direction} {record.channel} cannot have outcome {record.outcome}"
            f" (allowed: {', '.join(sorted(allowed))})"
        )
    for name, value in (("agent", record.agent), ("arm", record.arm)):
        if value is not None and not 0 < len(value) <= MAX_ID_LENGTH:
            raise InvalidInput(f"{name} must be 1 to {MAX_ID_LENGTH} characters")


def _check_parties(contacts: ContactStore, borrower_id: str, loan_id: str | None) -> None:
    if loan_id is not None:
        parties = contacts.loan_parties(loan_id)
        if parties is None:
            raise NotFound(f"no loan {loan_id} is stored")
        if parties[0] != borrower_id:
            raise InvalidInput(
                f"loan {loan_id} belongs to borrower {parties[0]}, not {borrower_id}"
            )
    elif not contacts.has_borrower(borrower_id):
        raise NotFound(f"no borrower {borrower_id} is stored")


def list_attempts(
    uow_factory: Callable[[], UnitOfWork], borrower_id: str, loan_id: str | None = None
) -> list[AttemptRecord]:
    """A borrower's attempts (of one loan, if given), in the order they were made."""
    with uow_factory() as uow:
        _check_parties(uow.contacts, borrower_id, loan_id)
        return uow.contacts.attempts(borrower_id, loan_id)


def borrower_contact(
    uow_factory: Callable[[], UnitOfWork], borrower_id: str, lost_after: int
) -> ContactFacts:
    """A borrower's contact status computed now from every attempt, with their flags.

    The stored ``contact_summary`` is the daily cycle's copy as of its last run; this
    reads the attempts themselves, so it includes any recorded since.
    """
    with uow_factory() as uow:
        _check_parties(uow.contacts, borrower_id, None)
        attempts = [record.attempt for record in uow.contacts.attempts(borrower_id)]
        flags = frozenset(f.flag for f in uow.contacts.flags(borrower_id))
    return ContactFacts(contact_status(attempts, lost_after), flags)


def set_flag(
    uow_factory: Callable[[], UnitOfWork],
    borrower_id: str,
    flag: str,
    now: datetime,
    note: str | None = None,
) -> bool:
    """Set a borrower flag; True when newly set, False when it was already set (kept as it was)."""
    if not is_flag_name(flag):
        raise InvalidInput(
            f"{flag!r} is not a flag name: lower-case letters, digits and _, at most 32"
        )
    with uow_factory() as uow:
        _check_parties(uow.contacts, borrower_id, None)
        changed = uow.contacts.set_flag(borrower_id, flag, now, note)
        uow.commit()
    return changed


def clear_flag(uow_factory: Callable[[], UnitOfWork], borrower_id: str, flag: str) -> bool:
    """Clear a borrower flag; True when it was set."""
    with uow_factory() as uow:
        _check_parties(uow.contacts, borrower_id, None)
        changed = uow.contacts.clear_flag(borrower_id, flag)
        uow.commit()
    return changed


def list_flags(uow_factory: Callable[[], UnitOfWork], borrower_id: str) -> list[BorrowerFlag]:
    with uow_factory() as uow:
        _check_parties(uow.contacts, borrower_id, None)
        return uow.contacts.flags(borrower_id)
