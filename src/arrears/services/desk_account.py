"""One borrower's account as the desk shows it: who they are (personal data masked for
roles that do not need it), their loans with schedule and delinquency, payments, contact
history with the gate's decision behind each contact, promises and arrangements, notes.

Object access (domain.access): an agent sees an account only while it has an item in
today's call queue or one the agent holds; anyone else is told it does not exist (404),
so the desk cannot be used to browse the book. Managers and admins see any account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from arrears.domain.access import User, UserRole, mask_address, mask_email, mask_phone, sees_pii
from arrears.domain.loan_state import LoanState
from arrears.services.arrangement_views import list_arrangements
from arrears.services.errors import InvalidInput, NotFound
from arrears.services.ports import ArrangementRecord, UnitOfWork
from arrears.services.queries import loan_status

HISTORY_SHOWN = 50  # contact attempts and gate decisions listed, newest first
MAX_NOTE_LENGTH = 2000
ANY_ACCOUNT = frozenset({UserRole.ADMIN, UserRole.MANAGER})


@dataclass(frozen=True, slots=True)
class Borrower:
    borrower_id: str
    name: str | None
    phone: str | None  # masked unless the role sees personal data
    email: str | None
    address: str | None
    timezone: str | None
    language: str | None
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LoanView:
    loan_id: str
    product: str
    currency: str
    principal_minor: int
    term_months: int
    start_date: date
    state: LoanState  # DPD, bucket, overdue, outstanding and the instalments as of the day

    @property
    def overdue_minor(self) -> int:
        return self.state.total_overdue_minor


@dataclass(frozen=True, slots=True)
class AccountView:
    borrower: Borrower
    as_of: date
    loans: list[LoanView]
    payments: list[dict[str, Any]]  # payment_id, loan_id, paid_on, amount_minor, currency
    contacts: list[dict[str, Any]]  # attempts with the rule and reason they were made under
    decisions: list[dict[str, Any]]  # the latest gate decisions about the loans
    arrangements: list[ArrangementRecord]  # promises to pay among them
    notes: list[dict[str, Any]]


def check_access(uow: UnitOfWork, user: User, borrower_id: str, day: date) -> None:
    """Raise ``NotFound`` unless ``user`` may see ``borrower_id``'s account on ``day``."""
    if user.role in ANY_ACCOUNT:
        if uow.desk.borrower(borrower_id) is None:
            raise NotFound(f"no borrower {borrower_id} is stored")
        return
    if user.role is not UserRole.AGENT or not uow.desk.may_see(user.username, borrower_id, day):
        raise NotFound(f"no account {borrower_id} is in your queue")


def account_view(
    uow_factory: Callable[[], UnitOfWork], user: User, borrower_id: str, day: date
) -> AccountView:
    """The account of ``borrower_id`` as of ``day``, as ``user`` may see it."""
    with uow_factory() as uow:
        check_access(uow, user, borrower_id, day)
        row = uow.desk.borrower(borrower_id)
        assert row is not None
        flags = tuple(f.flag for f in uow.contacts.flags(borrower_id))
        loans = uow.desk.loans(borrower_id)
        payments = uow.desk.payments(borrower_id)
        contacts = uow.desk.contact_history(borrower_id, HISTORY_SHOWN)
        decisions = uow.desk.decisions([loan["loan_id"] for loan in loans], HISTORY_SHOWN)
        notes = uow.accounts.notes(borrower_id)
    views = [
        LoanView(loan["loan_id"], loan["product"], loan["currency"], int(loan["principal_minor"]),
                 int(loan["term_months"]), loan["start_date"],
                 loan_status(uow_factory, loan["loan_id"], day))
        for loan in loans
    ]  # fmt: skip
    arrangements = [a for loan in loans for a in list_arrangements(uow_factory, loan["loan_id"])]
    return AccountView(_borrower(user, row, flags), day, views, payments, contacts, decisions,
                       arrangements, notes)  # fmt: skip


def add_note(
    uow_factory: Callable[[], UnitOfWork],
    user: User,
    borrower_id: str,
    text: str,
    day: date,
    now: datetime,
    loan_id: str | None = None,
) -> None:
    """A note on the account, by ``user``, if they may see it."""
    text = text.strip()
    if not 0 < len(text) <= MAX_NOTE_LENGTH:
        raise InvalidInput(f"a note is 1 to {MAX_NOTE_LENGTH} characters")
    with uow_factory() as uow:
        check_access(uow, user, borrower_id, day)
        if loan_id is not None and loan_id not in {
            r["loan_id"] for r in uow.desk.loans(borrower_id)
        }:
            raise NotFound(f"borrower {borrower_id} has no loan {loan_id}")
        uow.accounts.add_note(borrower_id, loan_id, user.username, text, now)
        uow.commit()


def _borrower(user: User, row: dict[str, Any], flags: tuple[str, ...]) -> Borrower:
    full = sees_pii(user.role)
    return Borrower(
        row["borrower_id"], row["name"],
        row["phone"] if full else mask_phone(row["phone"]),
        row["email"] if full else mask_email(row["email"]),
        row["address"] if full else mask_address(row["address"]),
        row["timezone"], row["language"], flags,
    )  # fmt: skip
