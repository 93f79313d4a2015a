"""Invariants of the pure core, checked on random loans, payments and product rules."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.allocation import Component, Waterfall, WaterfallMode, allocate
from arrears.domain.loan_state import CREDIT, LoanState, Payment, loan_state
from arrears.domain.money import Rounding, format_major, parse_major
from arrears.domain.schedule import RepaymentMethod, build_schedule
from arrears.domain.terms import LoanTerms, Overpayment, ProductRules

FAST = settings(max_examples=150, deadline=None)
SLOW = settings(max_examples=40, deadline=None)  # each example replays the loan many times

# -- strategies -----------------------------------------------------------------------------

rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("36"), places=2)
waterfalls = st.builds(
    Waterfall,
    mode=st.sampled_from(WaterfallMode),
    order=st.permutations(list(Component)).map(tuple),
)


@st.composite
def loans(draw, max_term: int = 24) -> LoanTerms:
    return LoanTerms(
        loan_id="L1",
        currency="CNY",
        principal_minor=draw(st.integers(min_value=100, max_value=50_000_000)),
        annual_rate_percent=draw(rates),
        term_months=draw(st.integers(min_value=1, max_value=max_term)),
        start_date=draw(st.dates(date(2025, 1, 1), date(2027, 12, 31))),
        method=draw(st.sampled_from(RepaymentMethod)),
        rounding=draw(st.sampled_from(Rounding)),
    )


product_rules = st.builds(
    ProductRules,
    grace_days=st.integers(0, 5),
    tolerance_minor=st.integers(0, 1000),
    penalty_rate_multiplier=st.sampled_from([Decimal("1"), Decimal("1.5"), Decimal("2")]),
    penalty_day_basis=st.sampled_from([360, 365]),
    late_fee_minor=st.integers(0, 5000),
    late_fee_cap_minor=st.none() | st.integers(0, 20000),
    waterfall=waterfalls,
    overpayment=st.sampled_from(Overpayment),
)


def last_due(terms: LoanTerms) -> date:
    return terms.schedule()[-1].due_date


@st.composite
def payments_for(draw, terms: LoanTerms, max_count: int = 6) -> list[Payment]:
    """Payments from the start to two months after the last due, sized around installments."""
    biggest = max(i.installment_minor for i in terms.schedule())
    dates = st.dates(terms.start_date, last_due(terms) + timedelta(days=60))
    count = draw(st.integers(0, max_count))
    return [Payment(f"p{k}", draw(dates), draw(st.integers(1, 2 * biggest))) for k in range(count)]


@st.composite
def scenarios(draw, max_count: int = 6) -> tuple[LoanTerms, ProductRules, list[Payment], date]:
    terms = draw(loans())
    payments = draw(payments_for(terms, max_count))
    as_of = draw(st.dates(terms.start_date, last_due(terms) + timedelta(days=90)))
    return terms, draw(product_rules), payments, as_of


# -- money ----------------------------------------------------------------------------------


@FAST
@given(minor=st.integers(-(10**15), 10**15), currency=st.sampled_from(["CNY", "USD", "JPY"]))
def test_formatting_then_parsing_gives_back_the_same_minor_units(minor, currency):
    assert parse_major(format_major(minor, currency), currency) == minor


# -- schedules --------------------------------------------------------------------------------


@FAST
@given(terms=loans(max_term=60))
def test_principal_parts_sum_to_the_principal_and_the_remainder_ends_at_zero(terms):
    schedule = build_schedule(
        terms.method,
        terms.principal_minor,
        terms.annual_rate_percent,
        terms.term_months,
        terms.rounding,
        terms.start_date,
    )
    assert sum(i.principal_minor for i in schedule) == terms.principal_minor
    assert all(i.remaining_principal_minor >= 0 for i in schedule)
    assert schedule[-1].remaining_principal_minor == 0
    assert all(i.principal_minor >= 0 and i.interest_minor >= 0 for i in schedule)
    remaining = [i.remaining_principal_minor for i in schedule]
    assert remaining == sorted(remaining, reverse=True)
    assert [i.due_date for i in schedule] == sorted({i.due_date for i in schedule})


# -- allocation -------------------------------------------------------------------------------

owed_amounts = st.fixed_dictionaries({c: st.integers(0, 100_000) for c in Component})


@FAST
@given(
    amount=st.integers(0, 1_000_000),
    owed=st.lists(owed_amounts, max_size=6),
    waterfall=waterfalls,
)
def test_allocation_conserves_money_and_never_pays_more_than_is_owed(amount, owed, waterfall):
    paid, left = allocate(amount, owed, waterfall)
    # Money is conserved
    assert sum(sum(part.values()) for part in paid) + left == amount
    # No component is paid beyond what is owed, nor negatively
    for part, due in zip(paid, owed, strict=True):
        for component, value in part.items():
            assert 0 < value <= due[component]
    # Something is left over only when everything owed is paid
    if left:
        assert all(
            part.get(c, 0) == due[c]
            for part, due in zip(paid, owed, strict=True)
            for c in Component
        )


@FAST
@given(amount=st.integers(0, 300_000), owed=st.lists(owed_amounts, max_size=5))
def test_installment_first_reaches_an_installment_only_after_older_ones_are_paid(amount, owed):
    paid, _ = allocate(amount, owed, Waterfall(mode=WaterfallMode.INSTALLMENT_FIRST))
    for index, part in enumerate(paid):
        if part:
            for older_part, older_due in zip(paid[:index], owed[:index], strict=True):
                assert sum(older_part.values()) == sum(older_due.values())


# -- loan state -------------------------------------------------------------------------------


def standing(events: list[tuple[str, Payment]]) -> list[Payment]:
    """The payments that stand after a log of posts and reversals."""
    reversed_ids = {p.payment_id for kind, p in events if kind == "reverse"}
    return [p for kind, p in events if kind == "post" and p.payment_id not in reversed_ids]


@FAST
@given(data=st.data(), scenario=scenarios())
def test_a_payment_then_its_reversal_restores_the_state_exactly(data, scenario):
    terms, rules, payments, as_of = scenario
    # Given a payment x posted after the others
    x = Payment(
        "x",
        data.draw(st.dates(terms.start_date, as_of), label="x paid on"),
        data.draw(st.integers(1, 5_000_000), label="x amount"),
    )
    posted = [("post", p) for p in payments] + [("post", x)]
    with_x = loan_state(terms, rules, standing(posted), as_of)
    assert "x" in with_x.payment_allocations
    # When it is reversed
    after_reversal = loan_state(terms, rules, standing([*posted, ("reverse", x)]), as_of)
    # Then the state is exactly as if x had never been posted
    assert after_reversal == loan_state(terms, rules, payments, as_of)


@FAST
@given(data=st.data(), scenario=scenarios())
def test_posting_order_does_not_change_the_state(data, scenario):
    terms, rules, payments, as_of = scenario
    shuffled = data.draw(st.permutations(payments), label="posting order")
    assert loan_state(terms, rules, shuffled, as_of) == loan_state(terms, rules, payments, as_of)


def check_figures_are_consistent(state: LoanState) -> None:
    assert state.penalty_minor >= 0 and state.fees_minor >= 0
    assert state.overdue_principal_minor >= 0 and state.overdue_interest_minor >= 0
    assert state.total_overdue_minor == (
        state.overdue_principal_minor
        + state.overdue_interest_minor
        + state.penalty_minor
        + state.fees_minor
    )
    assert state.payoff_minor >= 0
    assert state.credit_minor >= 0
    assert state.dpd >= 0
    assert state.penalty_minor <= state.penalty_accrued_minor
    assert state.fees_minor <= state.fees_charged_minor
    overdue = [i for i in state.installments if i.due_date < state.as_of]
    assert state.overdue_principal_minor == sum(
        i.owed[Component.PRINCIPAL] - i.paid[Component.PRINCIPAL] for i in overdue
    )
    # what is still owed is the principal not yet paid on any installment
    assert state.outstanding_principal_minor == sum(
        i.owed[Component.PRINCIPAL] - i.paid[Component.PRINCIPAL] for i in state.installments
    )
    assert state.outstanding_principal_minor >= 0
    for installment in state.installments:
        for component in Component:
            assert 0 <= installment.paid[component] <= installment.owed[component]


@FAST
@given(scenario=scenarios())
def test_figures_are_never_negative_and_overdue_is_the_sum_of_its_parts(scenario):
    terms, rules, payments, as_of = scenario
    check_figures_are_consistent(loan_state(terms, rules, payments, as_of))


@FAST
@given(scenario=scenarios())
def test_each_payment_is_allocated_in_full(scenario):
    terms, rules, payments, as_of = scenario
    state = loan_state(terms, rules, payments, as_of)
    counted = {p.payment_id: p.amount_minor for p in payments if p.paid_on <= as_of}
    assert {pid: sum(parts.values()) for pid, parts in state.payment_allocations.items()} == counted


@FAST
@given(scenario=scenarios())
def test_in_credit_mode_every_fen_paid_is_on_an_installment_or_held_as_credit(scenario):
    terms, rules, payments, as_of = scenario
    rules = ProductRules(
        grace_days=rules.grace_days,
        tolerance_minor=rules.tolerance_minor,
        late_fee_minor=rules.late_fee_minor,
        late_fee_cap_minor=rules.late_fee_cap_minor,
        waterfall=rules.waterfall,
        overpayment=Overpayment.CREDIT,
    )
    state = loan_state(terms, rules, payments, as_of)
    paid_in = sum(p.amount_minor for p in payments if p.paid_on <= as_of)
    on_installments = sum(sum(i.paid.values()) for i in state.installments)
    assert paid_in == on_installments + state.credit_minor
    assert sum(state.credit_applied.values()) + state.credit_minor == sum(
        parts.get(CREDIT, 0) for parts in state.payment_allocations.values()
    )


@FAST
@given(terms=loans(), rules=product_rules, data=st.data())
def test_paying_every_installment_in_full_on_its_due_date_keeps_the_loan_current(
    terms, rules, data
):
    # Given each installment paid in full on its due date
    payments = [Payment(f"p{i.seq}", i.due_date, i.installment_minor) for i in terms.schedule()]
    as_of = data.draw(st.dates(terms.start_date, last_due(terms) + timedelta(days=400)))
    # Then on any day the loan is current and has cost nothing extra
    state = loan_state(terms, rules, payments, as_of)
    assert (state.dpd, state.bucket) == (0, rules.buckets.label_for(0))
    assert (state.penalty_accrued_minor, state.fees_charged_minor) == (0, 0)
    assert state.total_overdue_minor == 0
    if as_of >= last_due(terms):
        assert (state.payoff_minor, state.outstanding_principal_minor) == (0, 0)


@SLOW
@given(data=st.data(), terms=loans(max_term=12), rules=product_rules)
def test_dpd_never_falls_from_one_day_to_the_next_while_no_payment_arrives(data, terms, rules):
    # Given some payments up to a day d, and none after it
    payments = data.draw(payments_for(terms, max_count=4), label="payments")
    last_paid_on = max([p.paid_on for p in payments], default=terms.start_date)
    quiet_from = data.draw(
        st.dates(last_paid_on, max(last_paid_on, last_due(terms) + timedelta(days=30))),
        label="first quiet day",
    )
    payments = [p for p in payments if p.paid_on <= quiet_from]
    # When DPD is read day by day for 45 days
    days = [quiet_from + timedelta(days=k) for k in range(45)]
    dpds = [loan_state(terms, rules, payments, day).dpd for day in days]
    # Then it never falls
    assert dpds == sorted(dpds)


@FAST
@given(data=st.data(), scenario=scenarios())
def test_one_more_payment_never_makes_the_loan_look_worse(data, scenario):
    terms, rules, payments, as_of = scenario
    before = loan_state(terms, rules, payments, as_of)
    extra = Payment(
        "extra",
        data.draw(st.dates(terms.start_date, as_of), label="paid on"),
        data.draw(st.integers(1, 5_000_000), label="amount"),
    )
    after = loan_state(terms, rules, [*payments, extra], as_of)
    assert after.dpd <= before.dpd
    assert after.penalty_accrued_minor <= before.penalty_accrued_minor
    assert after.fees_charged_minor <= before.fees_charged_minor
    assert after.total_overdue_minor <= before.total_overdue_minor
    assert after.payoff_minor <= before.payoff_minor
