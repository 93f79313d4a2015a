"""Keep each loan's journal equal to its as-of derivation by posting the differences.

Used after payments are posted or reversed, to recognise interest, 罚息 and fees
through a date, and (read-only) by the ledger check. Works on chunks of loans: a
few queries per chunk, the pure core per loan, one bulk write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from arrears.domain.journal import (
    Account,
    Effect,
    EntryKind,
    JournalEntry,
    desired_effects,
    journal_delta,
)
from arrears.domain.loan_state import loan_state
from arrears.domain.terms import LoanTerms
from arrears.services.ports import Ledger

Floor = Mapping[str, date] | date | None
JournalBatchRow = tuple[str, str, date, Sequence[JournalEntry], int]


@dataclass(frozen=True, slots=True)
class JournalView:
    """A loan's journal as posted, and as its derivation says it should be, as of one date."""

    loan: LoanTerms
    as_of: date
    journal_as_of: date | None
    last_seq: int
    posted: Mapping[str, Mapping[Account, int]]
    desired: Mapping[str, tuple[EntryKind, Effect]]


def journal_views(
    ledger: Ledger, loan_ids: Sequence[str], floor: Floor = None
) -> list[JournalView]:
    """Each loan's view as of the later of its journal date and ``floor`` (per loan or one date)."""
    heads = ledger.journal_heads(loan_ids)
    terms = ledger.loan_terms(loan_ids)
    schedules = ledger.installments(loan_ids)
    payments = ledger.standing_payments(loan_ids)
    posted = ledger.posted_effects(loan_ids)
    arrangements = ledger.arrangement_terms(loan_ids)
    views = []
    for loan_id in loan_ids:
        loan = terms[loan_id]
        last_seq, journal_as_of = heads[loan_id]
        at_least = floor.get(loan_id) if isinstance(floor, Mapping) else floor
        as_of = journal_day(loan, journal_as_of, at_least)
        rules = ledger.product_rules(loan.product)
        state = loan_state(
            loan, rules, payments.get(loan_id, []), as_of, schedules.get(loan_id, ()),
            arrangements.get(loan_id, ()),
        )  # fmt: skip
        desired = desired_effects(loan.principal_minor, state)
        views.append(
            JournalView(loan, as_of, journal_as_of, last_seq, posted.get(loan_id, {}), desired)
        )
    return views


def sync_journals(
    ledger: Ledger, loan_ids: Sequence[str], now: datetime, as_of_at_least: Floor = None
) -> int:
    """Post what each loan's journal lacks, as of the later of its journal date and the floor.

    Returns the number of entries posted. Running it again posts nothing.
    """
    batch = [
        row
        for view in journal_views(ledger, loan_ids, as_of_at_least)
        if (row := pending_entries(view)) is not None
    ]
    ledger.append_entries(batch, now)
    return sum(len(row[3]) for row in batch)


def journal_day(loan: LoanTerms, journal_as_of: date | None, at_least: date | None) -> date:
    """The date a loan's journal is brought to: never back from where it is posted through."""
    as_of = journal_as_of or loan.start_date
    return at_least if at_least and at_least > as_of else as_of


def pending_entries(view: JournalView) -> JournalBatchRow | None:
    """What to append for one loan (its entries, the new journal date), or None."""
    entries = journal_delta(view.posted, view.desired)
    if not entries and view.as_of == view.journal_as_of:
        return None
    return (view.loan.loan_id, view.loan.currency, view.as_of, entries, view.last_seq + 1)
