"""Invariants of arrangements in the replay, on random loans, payments and arrangements:
money is conserved, the journal's receivables are what the instalments say is owed,
and an arrangement cancelled the day it starts leaves the loan as if it never was."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.allocation import Component
from arrears.domain.arrangement_policy import ArrangementKind
from arrears.domain.arrangements import ArrangementStatus, ArrangementTerms, Instalment, ReageTerms
from arrears.domain.journal import desired_effects
from arrears.domain.loan_state import LoanState, loan_state
from arrears.domain.schedule import RepaymentMethod
from tests.unit.test_properties import last_due, loans, payments_for, product_rules

SLOW = settings(max_examples=60, deadline=None)


@st.composite
def arrangements(draw, terms, start: date) -> ArrangementTerms:
    kind = draw(st.sampled_from([k for k in ArrangementKind if k is not ArrangementKind.PROMISE]))
    count = draw(st.integers(1, 4))
    first = start + timedelta(days=draw(st.integers(0, 20)))
    instalments = tuple(
        Instalment(first + timedelta(days=30 * k), draw(st.integers(1, 200_000)))
        for k in range(count)
    )
    cancelled = draw(st.none() | st.integers(0, 90).map(lambda d: start + timedelta(days=d)))
    return ArrangementTerms(
        arrangement_id="A1",
        number=1,
        kind=kind,
        starts_on=start,
        instalments=instalments,
        cancelled_on=cancelled,
        penalty_waiver_minor=draw(st.integers(0, 5_000)),
        fee_minor=draw(st.integers(0, 3_000)),
        extend_seq=draw(st.integers(1, terms.term_months)),
        extend_days=draw(st.integers(1, 40)),
        reage=ReageTerms(
            term_months=draw(st.integers(1, 24)),
            annual_rate_percent=draw(st.decimals(Decimal("0"), Decimal("24"), places=1)),
            first_due_date=start + timedelta(days=draw(st.integers(1, 45))),
            method=draw(st.sampled_from(RepaymentMethod)),
            probation=draw(st.integers(1, 3)),
        ),
        pause_days=draw(st.integers(1, 90)),
        pause_accrues_interest=draw(st.booleans()),
    )


@st.composite
def scenarios(draw):
    terms = draw(loans(max_term=12))
    rules = draw(product_rules)
    start = draw(st.dates(terms.start_date, last_due(terms) + timedelta(days=30)))
    arrangement = draw(arrangements(terms, start))
    payments = draw(payments_for(terms, 5))
    as_of = draw(st.dates(start, last_due(terms) + timedelta(days=120)))
    return terms, rules, payments, arrangement, as_of


def balances(principal_minor: int, state: LoanState) -> Counter:
    total: Counter = Counter()
    for _, (_, effect) in desired_effects(principal_minor, state).items():
        for account, amount in effect.items():
            total[str(account)] += amount
    return total


def owed(state: LoanState, component: Component, as_of: date) -> int:
    """What the instalments (and a settlement's rest) say is owed and recognised."""
    total = state.arrangement_held.get(component, 0)
    for i in state.installments:
        recognised = i.carried or i.due_date <= as_of or component is not Component.INTEREST
        if recognised:
            total += i.owed[component] - i.paid[component]
        else:
            total -= i.paid[component]  # interest paid ahead of its due date (a payoff)
    return total


@SLOW
@given(scenario=scenarios())
def test_the_journal_holds_what_the_instalments_owe_under_any_arrangement(scenario):
    terms, rules, payments, arrangement, as_of = scenario
    state = loan_state(terms, rules, payments, as_of, arrangements=[arrangement])
    held = balances(terms.principal_minor, state)
    assert sum(held.values()) == 0
    assert held["cash"] == sum(p.amount_minor for p in payments if p.paid_on <= as_of)
    assert held["principal_receivable"] == state.outstanding_principal_minor
    for component in (Component.INTEREST, Component.PENALTY, Component.FEE):
        expected = owed(state, component, as_of)
        assert held[f"{component}_receivable"] == expected, component
    assert held["borrower_credit"] == -state.credit_minor
    assert held["waived"] >= 0


@SLOW
@given(scenario=scenarios())
def test_an_arrangement_cancelled_the_day_it_starts_leaves_the_loan_as_it_was(scenario):
    terms, rules, payments, arrangement, as_of = scenario
    cancelled = ArrangementTerms(
        **{**_fields(arrangement), "cancelled_on": arrangement.starts_on, "fee_minor": 0}
    )
    without = loan_state(terms, rules, payments, as_of)
    undone = loan_state(terms, rules, payments, as_of, arrangements=[cancelled])
    assert undone.arrangements[0].status in (ArrangementStatus.CANCELLED, ArrangementStatus.KEPT)
    for name in (
        "dpd", "overdue_principal_minor", "overdue_interest_minor", "penalty_minor",
        "fees_minor", "outstanding_principal_minor", "credit_minor", "payoff_minor",
        "interest_recognized_minor", "penalty_accrued_minor", "payment_allocations",
    ):  # fmt: skip
        assert getattr(undone, name) == getattr(without, name), name
    assert undone.arrangement_postings == {}


@SLOW
@given(scenario=scenarios())
def test_replaying_an_arrangement_is_the_same_every_time(scenario):
    terms, rules, payments, arrangement, as_of = scenario
    first = loan_state(terms, rules, payments, as_of, arrangements=[arrangement])
    again = loan_state(terms, rules, list(reversed(payments)), as_of, arrangements=[arrangement])
    assert first == again


def _fields(terms: ArrangementTerms) -> dict:
    return {name: getattr(terms, name) for name in ArrangementTerms.__dataclass_fields__}
