"""What came of a desk call, recorded: a contact attempt carrying the action, the permit's
arm and the agent, and the item closed — or kept by the agent for a callback.

An outcome is accepted only for a call the gate cleared (services.desk.clear_call): the
item carries the audit entry of that decision. Some outcomes do more: a promise to pay is
stored as a promise (services.promises), a dispute or hardship sets the borrower's flag —
which the gate holds every later contact to (domain.compliance.facts.HOLD_OF_FLAG).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from arrears.domain.access import User
from arrears.domain.contacts import AttemptRecord, Channel, Outcome, PromiseSource
from arrears.services.contacts import check_attempt
from arrears.services.desk import held_item
from arrears.services.errors import Conflict, InvalidInput
from arrears.services.permits import Permit, honour_permit
from arrears.services.ports import UnitOfWork
from arrears.services.promises import add_promise

# The outcomes an agent records at the desk, in the order the page offers them.
DESK_OUTCOMES = (
    Outcome.REACHED, Outcome.NO_ANSWER, Outcome.BUSY, Outcome.VOICEMAIL,
    Outcome.SWITCHED_OFF, Outcome.WRONG_NUMBER, Outcome.REFUSED, Outcome.PROMISE_TO_PAY,
    Outcome.CALLBACK, Outcome.DISPUTE, Outcome.HARDSHIP,
)  # fmt: skip
FLAG_OF_OUTCOME = {Outcome.DISPUTE: "dispute", Outcome.HARDSHIP: "hardship"}
MAX_NOTE_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """What the agent says came of the call. A promise needs its amount (major units) and
    date; a callback its moment."""

    outcome: Outcome
    note: str | None = None
    promise_amount: Decimal | None = None
    promise_date: date | None = None
    callback_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    attempt_id: int
    kept: bool  # True: the item stays the agent's (a callback); False: closed as done
    promise_id: str | None = None
    flag: str | None = None


def record_outcome(
    uow_factory: Callable[[], UnitOfWork],
    user: User,
    work_item_id: int,
    told: CallOutcome,
    today: date,
    now: datetime,
) -> Recorded:
    """Record ``told`` for the call on ``work_item_id``, which ``user`` holds and the gate
    cleared. Refused: an outcome the desk does not record, a promise without amount and
    date or a callback without a future moment (``InvalidInput``); an item whose call was
    not cleared (``Conflict``)."""
    _check(told, now)
    permit = _cleared_permit(uow_factory, user, work_item_id, now)
    promise_id = None
    if told.outcome is Outcome.PROMISE_TO_PAY:
        assert told.promise_amount is not None and told.promise_date is not None
        promise_id = add_promise(
            uow_factory, permit.loan_id, told.promise_amount, told.promise_date, today, now,
            source=str(PromiseSource.DESK), arm=permit.arm,
        )  # fmt: skip
    flag = FLAG_OF_OUTCOME.get(told.outcome)
    with uow_factory() as uow:
        row = held_item(uow, user, work_item_id)
        record = AttemptRecord(
            row["borrower_id"], Channel.CALL, told.outcome, now, loan_id=row["loan_id"],
            agent=user.username, note=told.note, action_id=row["action_id"], arm=permit.arm,
        )  # fmt: skip
        check_attempt(record, now)
        attempt_id = uow.contacts.insert_attempt(record, now)
        if flag is not None:
            uow.contacts.set_flag(row["borrower_id"], flag, now, told.note)
        if told.outcome is Outcome.CALLBACK:
            assert told.callback_at is not None
            uow.desk.keep_for_callback(
                work_item_id, user.username, told.callback_at.astimezone(UTC)
            )
        else:
            uow.desk.close_claimed(work_item_id, user.username, now)
        uow.commit()
    return Recorded(attempt_id, told.outcome is Outcome.CALLBACK, promise_id, flag)


def _cleared_permit(
    uow_factory: Callable[[], UnitOfWork], user: User, work_item_id: int, now: datetime
) -> Permit:
    with uow_factory() as uow:
        row = held_item(uow, user, work_item_id)
        if row["call_decision_id"] is None:
            raise Conflict(f"work item {work_item_id}: no call was cleared by the gate; call first")
        return honour_permit(uow, row["permit_id"] or "", row["loan_id"], "call", now)


def _check(told: CallOutcome, now: datetime) -> None:
    if told.outcome not in DESK_OUTCOMES:
        raise InvalidInput(f"the desk does not record the outcome {told.outcome}")
    if told.note is not None and len(told.note) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"a note is at most {MAX_NOTE_LENGTH} characters")
    if told.outcome is Outcome.PROMISE_TO_PAY and (
        told.promise_amount is None or told.promise_date is None
    ):
        raise InvalidInput("a promise to pay needs its amount and date")
    if told.outcome is Outcome.CALLBACK and (told.callback_at is None or told.callback_at <= now):
        raise InvalidInput("a callback needs a moment in the future")
