"""Legal cases (issue #8): the loans the strategy referred for legal review, each with
its figures today and its last contacts; a case taken by one legal officer and closed
with what came of it.

A closed case keeps its outcome as a note on the account (``account_note``), written
in the same transaction as the item closed, so the desk, the portal's staff view and
the case file all read the one record of what counsel decided.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from arrears.domain.access import User
from arrears.domain.contacts import AttemptRecord
from arrears.domain.letters import StoredDocument
from arrears.domain.loan_state import LoanState
from arrears.services import casework, queries
from arrears.services.casework import CaseItem
from arrears.services.errors import Conflict, InvalidInput
from arrears.services.ports import UnitOfWork

QUEUE = "legal"
MAX_NOTE = 2000


class CaseOutcome(StrEnum):
    """What counsel decided, closing a case."""

    SUIT_FILED = "suit_filed"  # 起诉: a claim filed with the court
    DEMAND_SENT = "demand_sent"  # a lawyer's demand letter (律师函)
    SETTLED = "settled"  # the borrower settled before court
    AGENCY = "agency"  # placed with a collection agency instead
    NO_ACTION = "no_action"  # not worth pursuing now (amount, evidence, prospects)


@dataclass(frozen=True, slots=True)
class CaseLine:
    """A case as the list shows it: the item and the last contact attempt."""

    item: CaseItem
    last_contact: AttemptRecord | None


@dataclass(frozen=True, slots=True)
class CaseView:
    item: CaseItem
    state: LoanState  # the loan's figures as of the day asked
    attempts: tuple[AttemptRecord, ...]  # newest first
    letters: tuple[StoredDocument, ...]
    notes: tuple[dict[str, object], ...]  # the account's notes, outcomes of cases among them


def cases(uow_factory: Callable[[], UnitOfWork], user: User) -> list[CaseLine]:
    """The open and taken cases ``user`` may see, in queue order."""
    items = casework.listed(uow_factory, QUEUE, user)
    last = casework.history(uow_factory, items, 1)
    return [CaseLine(item, next(iter(last[item.work_item_id]), None)) for item in items]


def case(
    uow_factory: Callable[[], UnitOfWork], work_item_id: int, user: User, as_of: date
) -> CaseView:
    """One case with the loan's figures as of ``as_of``, its contacts, letters and notes."""
    item = casework.get_item(uow_factory, QUEUE, work_item_id, user)
    state = queries.loan_status(uow_factory, item.loan_id, as_of)
    with uow_factory() as uow:
        attempts = uow.contacts.attempts(item.borrower_id, item.loan_id)[::-1]
        letters = uow.documents.listing(loan_id=item.loan_id)
        notes = [
            n
            for n in uow.accounts.notes(item.borrower_id)
            if n.get("loan_id") in (None, item.loan_id)
        ]
    return CaseView(item, state, tuple(attempts), tuple(letters), tuple(notes))


def take_case(
    uow_factory: Callable[[], UnitOfWork], work_item_id: int, user: User, now: datetime
) -> CaseItem:
    return casework.take_item(uow_factory, QUEUE, work_item_id, user, now)


def close_case(
    uow_factory: Callable[[], UnitOfWork],
    work_item_id: int,
    user: User,
    outcome: CaseOutcome,
    note: str | None,
    now: datetime,
) -> None:
    """Close a case ``user`` holds with its outcome (and their note), kept as an account note."""
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"a note is at most {MAX_NOTE} characters")
    with uow_factory() as uow:
        row = casework.held_row(uow, QUEUE, work_item_id, user)
        if not uow.casework.finish(work_item_id, user.username, "done", now):
            raise Conflict(f"legal case {work_item_id} was closed meanwhile")
        uow.casework.supersede(QUEUE, row["loan_id"], now)
        said = f"legal case {work_item_id} closed: {outcome.value}" + (f" — {text}" if text else "")
        uow.accounts.add_note(row["borrower_id"], row["loan_id"], user.username, said, now)
        uow.commit()
