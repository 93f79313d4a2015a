"""The journal: every entry balances; posting the differences keeps it equal to the derivation."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.journal import (
    Account,
    EntryKind,
    JournalEntry,
    UnbalancedEntryError,
    desired_effects,
    differing_sources,
    journal_delta,
)
from arrears.domain.loan_state import loan_state
from arrears.domain.schedule import RepaymentMethod
from arrears.domain.terms import DEFAULT_RULES, LoanTerms
from tests.unit.test_properties import payments_for, product_rules, scenarios

SLOW = settings(max_examples=30, deadline=None)  # each example replays the loan several times


def post(journal: dict, entries: list[JournalEntry]) -> None:
    """Apply entries to a posted-net ledger: source → account → amount."""
    for entry in entries:
        for account, amount in entry.postings.items():
            journal[entry.source][account] += amount


def new_journal() -> dict:
    return defaultdict(lambda: defaultdict(int))


def balances(journal: dict) -> dict[Account, int]:
    totals: dict[Account, int] = defaultdict(int)
    for effect in journal.values():
        for account, amount in effect.items():
            totals[account] += amount
    return {a: v for a, v in totals.items() if v}


def test_an_entry_whose_postings_do_not_sum_to_zero_is_refused():
    with pytest.raises(UnbalancedEntryError):
        JournalEntry(
            EntryKind.FEE, "fee", {Account.FEE_RECEIVABLE: 5000, Account.FEE_INCOME: -4999}
        )


def test_an_entry_with_no_postings_is_refused():
    with pytest.raises(UnbalancedEntryError):
        JournalEntry(EntryKind.FEE, "fee", {})


def test_a_changed_source_is_reversed_in_full_then_posted_anew():
    # Given a payment posted as 100 of interest
    posted = {"payment:p1": {Account.CASH: 100, Account.INTEREST_RECEIVABLE: -100}}
    # When the derivation now says 60 interest and 40 principal
    desired = {
        "payment:p1": (
            EntryKind.PAYMENT,
            {
                Account.CASH: 100,
                Account.INTEREST_RECEIVABLE: -60,
                Account.PRINCIPAL_RECEIVABLE: -40,
            },
        )
    }
    entries = journal_delta(posted, desired)
    # Then the old net is reversed and the new one posted: nothing is edited
    assert [(e.kind, dict(e.postings)) for e in entries] == [
        (EntryKind.REVERSAL, {Account.CASH: -100, Account.INTEREST_RECEIVABLE: 100}),
        (EntryKind.PAYMENT, dict(desired["payment:p1"][1])),
    ]


def test_a_source_no_longer_desired_is_only_reversed():
    posted = {"payment:p1": {Account.CASH: 100, Account.PRINCIPAL_RECEIVABLE: -100}}
    entries = journal_delta(posted, {})
    assert [(e.kind, e.source) for e in entries] == [(EntryKind.REVERSAL, "payment:p1")]
    assert differing_sources(posted, {}) == ["payment:p1"]


@SLOW
@given(scenario=scenarios())
def test_every_desired_effect_balances_and_the_balances_are_the_loans_figures(scenario):
    terms, rules, payments, as_of = scenario
    state = loan_state(terms, rules, payments, as_of)
    journal = new_journal()
    post(journal, journal_delta({}, desired_effects(terms.principal_minor, state)))
    totals = balances(journal)
    assert sum(totals.values()) == 0
    assert totals.get(Account.PRINCIPAL_RECEIVABLE, 0) == state.outstanding_principal_minor
    assert totals.get(Account.CASH, 0) == sum(
        p.amount_minor for p in payments if p.paid_on <= as_of
    )
    assert totals.get(Account.BORROWER_CREDIT, 0) == -state.credit_minor
    assert totals.get(Account.PENALTY_RECEIVABLE, 0) == state.penalty_minor
    assert totals.get(Account.FEE_RECEIVABLE, 0) == state.fees_minor
    assert -totals.get(Account.INTEREST_INCOME, 0) == state.interest_recognized_minor


@st.composite
def histories(draw):
    """A loan, its rules, and a history of posting days, each adding payments (some backdated)
    or reversing one, with the journal brought up to date after each."""
    terms: LoanTerms = draw(scenarios())[0]
    rules = draw(product_rules)
    pool = draw(payments_for(terms, max_count=6))
    days = sorted(draw(st.lists(st.dates(terms.start_date, terms.start_date + timedelta(days=500)),
                                min_size=1, max_size=5)))  # fmt: skip
    reversals = draw(st.lists(st.integers(0, 5), max_size=2))
    return terms, rules, pool, days, reversals


@SLOW
@given(history=histories())
def test_posting_the_differences_keeps_the_journal_balanced_and_equal_to_the_derivation(history):
    terms, rules, pool, days, reversals = history
    journal = new_journal()
    standing: list = []
    for step, day in enumerate(days):
        standing = [p for p in pool if p.paid_on <= day]  # what has arrived by then, backdated too
        if step < len(reversals) and standing:
            standing.pop(reversals[step] % len(standing))  # a bounced payment
        desired = desired_effects(terms.principal_minor, loan_state(terms, rules, standing, day))
        entries = journal_delta(journal, desired)
        assert all(entry.balanced for entry in entries)
        post(journal, entries)
        assert sum(balances(journal).values()) == 0
        assert differing_sources(journal, desired) == []
        assert journal_delta(journal, desired) == []  # posting again posts nothing
    final = loan_state(terms, rules, standing, days[-1])
    assert (
        balances(journal).get(Account.PRINCIPAL_RECEIVABLE, 0) == final.outstanding_principal_minor
    )


def test_the_disbursement_is_principal_receivable_against_funding():
    terms = LoanTerms(
        "L1", "CNY", 1_200_000, Decimal("12"), 12, date(2026, 1, 15), RepaymentMethod.BULLET
    )
    state = loan_state(terms, DEFAULT_RULES, [], date(2026, 1, 15))
    kind, effect = desired_effects(terms.principal_minor, state)["disbursement"]
    assert (kind, effect) == (
        EntryKind.DISBURSEMENT,
        {Account.PRINCIPAL_RECEIVABLE: 1_200_000, Account.FUNDING: -1_200_000},
    )
