"""Keep each loan's journal equal to its as-of derivation by posting the differences.

Used after payments are posted or reversed, and to recognise interest, 罚息 and
fees through a date. Works on chunks of loans: a few queries per chunk, the pure
core per loan, one bulk write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from arrears.domain.journal import desired_effects, journal_delta
from arrears.domain.loan_state import loan_state
from arrears.services.ports import Ledger


def sync_journals(
    ledger: Ledger,
    loan_ids: Sequence[str],
    now: datetime,
    as_of_at_least: Mapping[str, date] | date | None = None,
) -> int:
    """Post what each loan's journal lacks, as of the later of its journal date and the floor.

    Returns the number of entries posted. Running it again posts nothing.
    """
    heads = ledger.journal_heads(loan_ids)
    terms = ledger.loan_terms(loan_ids)
    schedules = ledger.installments(loan_ids)
    payments = ledger.standing_payments(loan_ids)
    posted = ledger.posted_effects(loan_ids)
    batch = []
    posted_count = 0
    for loan_id in loan_ids:
        loan = terms[loan_id]
        last_seq, journal_as_of = heads[loan_id]
        as_of = journal_as_of or loan.start_date
        floor = (
            as_of_at_least.get(loan_id) if isinstance(as_of_at_least, Mapping) else as_of_at_least
        )
        if floor and floor > as_of:
            as_of = floor
        rules = ledger.product_rules(loan.product)
        state = loan_state(loan, rules, payments.get(loan_id, []), as_of, schedules[loan_id])
        entries = journal_delta(
            posted.get(loan_id, {}), desired_effects(loan.principal_minor, state)
        )
        if entries or as_of != journal_as_of:
            batch.append((loan_id, loan.currency, as_of, entries, last_seq + 1))
            posted_count += len(entries)
    ledger.append_entries(batch, now)
    return posted_count
