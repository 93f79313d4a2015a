"""Rebuild loans from the per-loan reference when their history changed.

A payment, a reversal, new product rules, a loan the cycle has not seen yet, an
installment falling due onto held credit, or a moment of a repayment arrangement
(it starts, an instalment falls due or its grace ends, it is cancelled): for these
the day cannot be advanced by the set-based steps, so the loan is replayed from its
start (``loan_state``) and its status rows, roll history, journal and arrangement
outcomes (kept, broken, paid so far) are written from that. Loans are read and written in chunks: a few queries per chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, datetime

from arrears.domain.arrangements import ArrangementOutcome
from arrears.domain.calendar import day_number
from arrears.domain.daily_status import DueRow, StatusRow, status_rows
from arrears.domain.journal import desired_effects
from arrears.domain.loan_state import loan_state
from arrears.domain.strategy import arm_slot
from arrears.services.journal_sync import JournalBatchRow, JournalView, journal_day, pending_entries
from arrears.services.ports import UnitOfWork

CHUNK = 2000

Roll = tuple[str, date, str | None, str, int]


@dataclass(slots=True)
class _Rebuilt:
    statuses: list[StatusRow] = field(default_factory=list)
    dues: list[DueRow] = field(default_factory=list)
    rolls: list[Roll] = field(default_factory=list)
    next_dirty: dict[str, int] = field(default_factory=dict)
    journal: list[JournalBatchRow] = field(default_factory=list)
    outcomes: list[ArrangementOutcome] = field(default_factory=list)
    entries: int = 0


def rebuild_loans(
    uow: UnitOfWork,
    loan_ids: Sequence[str],
    resync: Set[str],
    day: date,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Rebuild these loans as of ``day``; returns (bucket changes, journal entries posted).

    A loan's journal is brought to the day unless a payment already brought it there
    or past it (posting a payment syncs the journal); ``resync`` loans (new product
    rules) are re-derived at their journal's date whatever it is.
    """
    old_buckets = uow.cycle.status_buckets(loan_ids)
    rolled = posted = 0
    for start in range(0, len(loan_ids), CHUNK):
        chunk = loan_ids[start : start + CHUNK]
        rebuilt = _rebuild_chunk(uow, chunk, resync, day, old_buckets)
        uow.ledger.append_entries(rebuilt.journal, now)
        uow.cycle.write_rebuilt(
            rebuilt.statuses, rebuilt.dues, rebuilt.rolls, rebuilt.next_dirty, day_number(day)
        )
        uow.arrangements.record_outcomes(rebuilt.outcomes)  # kept, broken, paid so far
        rolled += len(rebuilt.rolls)
        posted += rebuilt.entries
        if progress:
            progress(start + len(chunk))
    return rolled, posted


def _rebuild_chunk(
    uow: UnitOfWork,
    loan_ids: Sequence[str],
    resync: Set[str],
    day: date,
    old_buckets: Mapping[str, str],
) -> _Rebuilt:
    ledger = uow.ledger
    terms = ledger.loan_terms(loan_ids)
    schedules = ledger.installments(loan_ids)
    payments = ledger.standing_payments(loan_ids)
    arrangements = ledger.arrangement_terms(loan_ids)
    heads = ledger.journal_heads(loan_ids)
    behind = [i for i in loan_ids if i in resync or (heads[i][1] or date.min) < day]
    posted = ledger.posted_effects(behind) if behind else {}
    out = _Rebuilt()
    for loan_id in loan_ids:
        loan = terms[loan_id]
        rules = ledger.product_rules(loan.product)
        schedule = schedules.get(loan_id, ())
        paid = payments.get(loan_id, [])
        arranged = arrangements.get(loan_id, ())
        state = loan_state(loan, rules, paid, day, schedule, arranged)
        out.outcomes.extend(state.arrangements)
        status, dues = status_rows(loan, rules, schedule, state, arm_slot(loan_id))
        out.statuses.append(status)
        out.dues.extend(dues)
        if old_buckets.get(loan_id) != status.bucket:
            out.rolls.append((loan_id, day, old_buckets.get(loan_id), status.bucket, status.dpd))
        later = [p.paid_on for p in paid if p.paid_on > day]
        if state.next_arrangement_day is not None:
            later.append(state.next_arrangement_day)  # its next moment needs the reference
        if later:
            out.next_dirty[loan_id] = day_number(min(later))
        last_seq, journal_as_of = heads[loan_id]
        if journal_as_of is not None and journal_as_of >= day and loan_id not in resync:
            continue  # a payment posted ahead of the cycle already brought it this far
        journal_as = journal_day(loan, journal_as_of, day)
        journal_state = (
            state
            if journal_as == day
            else loan_state(loan, rules, paid, journal_as, schedule, arranged)
        )
        view = JournalView(
            loan, journal_as, journal_as_of, last_seq, posted.get(loan_id, {}),
            desired_effects(loan.principal_minor, journal_state),
        )  # fmt: skip
        if (row := pending_entries(view)) is not None:
            out.journal.append(row)
            out.entries += len(row[3])
    return out
