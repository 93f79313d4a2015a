"""A loan as of a date: worked examples of DPD, buckets, 罚息, late fees, credit and payoff.

The loan in most examples: 12,000.00 CNY at 12% a year (1% a month), 等额本金 over
12 months from 2026-01-15, so it falls due on the 15th from 2026-02-15:
    installment 1: 1,000.00 principal + 120.00 interest = 112000 fen
    installment 2: 1,000.00 principal + 110.00 interest = 111000 fen
    installment 3: 1,000.00 principal + 100.00 interest = 110000 fen, ...
罚息 is 1.5 × 12% = 18% a year on ACT/365, so a day on 1,000.00 unpaid principal
is 100000 × 0.18 / 365 = 49.315... → 49 fen, half up.
"""

import dataclasses
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from arrears.domain.allocation import Component
from arrears.domain.loan_state import Payment, loan_state
from arrears.domain.money import Rounding
from arrears.domain.schedule import RepaymentMethod
from arrears.domain.terms import LoanTerms, Overpayment, ProductRules

LOAN = LoanTerms(
    loan_id="L1",
    currency="CNY",
    principal_minor=1200000,
    annual_rate_percent=Decimal("12"),
    term_months=12,
    start_date=date(2026, 1, 15),
    method=RepaymentMethod.EQUAL_PRINCIPAL,
)
RULES = ProductRules()
FIRST_DUE, SECOND_DUE, THIRD_DUE = date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15)


def on_time_payments(terms: LoanTerms = LOAN) -> list[Payment]:
    return [Payment(f"p{i.seq}", i.due_date, i.installment_minor) for i in terms.schedule()]


def test_the_example_loan_has_the_schedule_the_examples_assume():
    schedule = LOAN.schedule()
    assert [(i.due_date, i.installment_minor) for i in schedule[:3]] == [
        (FIRST_DUE, 112000),
        (SECOND_DUE, 111000),
        (THIRD_DUE, 110000),
    ]
    # and a day of 罚息 on 1,000.00 is 49 fen
    assert round(Fraction(100000) * Fraction(18, 100) / 365) == 49


# -- on time -------------------------------------------------------------------------------


def test_an_on_time_payer_is_current():
    # Given the first three installments paid on their due dates
    payments = on_time_payments()[:3]
    # When the loan is looked at five days after the third
    state = loan_state(LOAN, RULES, payments, date(2026, 4, 20))
    # Then nothing is overdue and 3,000.00 of principal has been repaid
    assert (state.dpd, state.bucket) == (0, "M0")
    assert state.oldest_unpaid_due_date is None
    assert state.total_overdue_minor == 0
    assert (state.penalty_minor, state.fees_minor) == (0, 0)
    assert state.outstanding_principal_minor == 900000


def test_a_payment_dated_on_the_due_date_is_on_time():
    # Given a late fee product and the first installment paid on its due date
    rules = ProductRules(late_fee_minor=5000)
    payments = [Payment("p1", FIRST_DUE, 112000)]
    # Then on the due date and the day after, nothing is late
    for as_of in (FIRST_DUE, date(2026, 2, 16)):
        state = loan_state(LOAN, rules, payments, as_of)
        assert (state.dpd, state.penalty_minor, state.fees_minor) == (0, 0, 0)
    assert state.payment_allocations == {"p1": {"interest": 12000, "principal": 100000}}


def test_an_installment_is_not_overdue_on_its_own_due_date():
    state = loan_state(LOAN, RULES, [], FIRST_DUE)
    assert (state.dpd, state.bucket) == (0, "M0")
    assert state.overdue_principal_minor == 0
    # but it is in the payoff: all 12,000.00 of principal plus its 120.00 interest
    assert state.payoff_minor == 1212000


# -- missed installments: DPD and buckets ----------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "dpd", "bucket"),
    [
        (date(2026, 2, 16), 1, "M1"),
        (date(2026, 2, 25), 10, "M1"),
        (date(2026, 3, 17), 30, "M1"),
        (date(2026, 3, 18), 31, "M2"),
        (date(2026, 4, 16), 60, "M2"),
        (date(2026, 4, 17), 61, "M3"),
    ],
)
def test_dpd_counts_from_the_oldest_missed_due_date(as_of, dpd, bucket):
    # Given nothing is ever paid
    state = loan_state(LOAN, RULES, [], as_of)
    # Then DPD counts from February 15, whatever later installments are missed too
    assert (state.dpd, state.bucket) == (dpd, bucket)
    assert state.oldest_unpaid_due_date == FIRST_DUE


def test_missed_installments_are_overdue_principal_and_interest():
    state = loan_state(LOAN, RULES, [], date(2026, 3, 17))
    assert state.overdue_principal_minor == 200000
    assert state.overdue_interest_minor == 12000 + 11000
    assert state.interest_recognized_minor == 23000


def test_paying_the_oldest_installment_moves_dpd_to_the_next_missed_one():
    # Given nothing paid until March 20, then exactly the first installment and its 罚息
    arrears_on_march_19 = loan_state(LOAN, RULES, [], date(2026, 3, 19))
    payment = Payment("p1", date(2026, 3, 20), 112000 + arrears_on_march_19.penalty_minor)
    state = loan_state(LOAN, RULES, [payment], date(2026, 3, 20))
    # Then DPD counts from March 15
    assert state.oldest_unpaid_due_date == SECOND_DUE
    assert state.dpd == 5


# -- grace and tolerance ----------------------------------------------------------------------


def test_within_grace_dpd_is_zero_and_nothing_accrues():
    rules = ProductRules(grace_days=3, late_fee_minor=5000)
    state = loan_state(LOAN, rules, [], date(2026, 2, 18))
    assert (state.dpd, state.bucket) == (0, "M0")
    assert (state.penalty_minor, state.fees_minor) == (0, 0)
    # the installment is still owed
    assert state.overdue_principal_minor == 100000


def test_after_grace_dpd_counts_from_the_due_date_and_penalty_from_the_end_of_grace():
    rules = ProductRules(grace_days=3, late_fee_minor=5000)
    # When the fourth day after the due date ends unpaid
    state = loan_state(LOAN, rules, [], date(2026, 2, 19))
    # Then DPD is 4 (not 1), one day of 罚息 and the late fee are charged
    assert (state.dpd, state.bucket) == (4, "M1")
    assert state.penalty_minor == 49
    assert state.fees_minor == 5000


def test_paying_within_grace_costs_nothing_extra():
    rules = ProductRules(grace_days=3, late_fee_minor=5000)
    payments = [Payment("p1", date(2026, 2, 18), 112000)]
    state = loan_state(LOAN, rules, payments, date(2026, 3, 1))
    assert (state.dpd, state.penalty_accrued_minor, state.fees_charged_minor) == (0, 0, 0)


def test_a_remainder_up_to_the_tolerance_counts_as_paid():
    # Given a tolerance of 1.00 and the first installment paid 1.00 short
    rules = ProductRules(tolerance_minor=100)
    payments = [Payment("p1", FIRST_DUE, 111900)]
    state = loan_state(LOAN, rules, payments, date(2026, 3, 1))
    # Then the loan is current and no 罚息 accrues, though the 1.00 is still owed
    assert (state.dpd, state.bucket, state.penalty_minor) == (0, "M0", 0)
    assert state.overdue_principal_minor == 100


def test_a_remainder_beyond_the_tolerance_is_overdue():
    rules = ProductRules(tolerance_minor=100)
    payments = [Payment("p1", FIRST_DUE, 111899)]
    state = loan_state(LOAN, rules, payments, date(2026, 3, 1))
    assert (state.dpd, state.bucket) == (14, "M1")
    # 101 fen × 18% / 365 rounds to 0 fen a day
    assert state.penalty_minor == 0


# -- 罚息 penalty interest ---------------------------------------------------------------------


def test_penalty_is_days_times_the_rounded_daily_rate_on_unpaid_principal():
    # Given the first installment unpaid through February 25 (10 days: Feb 16-25)
    state = loan_state(LOAN, RULES, [], date(2026, 2, 25))
    # Then 10 × 49 fen
    assert state.penalty_minor == 490
    assert state.penalty_accrued_minor == 490


def test_penalty_accrues_on_each_missed_installment_from_its_own_due_date():
    state = loan_state(LOAN, RULES, [], date(2026, 3, 20))
    # installment 1: Feb 16 - Mar 20 = 33 days × 49; installment 2: Mar 16-20 = 5 days × 49
    assert state.penalty_minor == 33 * 49 + 5 * 49 == 1862


def test_a_part_payment_lowers_the_penalty_base_from_the_next_day():
    # Given 620.00 paid on February 20 against the missed first installment
    payments = [Payment("p1", date(2026, 2, 20), 62000)]
    state = loan_state(LOAN, RULES, payments, date(2026, 2, 25))
    # Then it paid 4 days of 罚息 (Feb 16-19: 196), the 120.00 interest and 498.04 principal
    assert state.payment_allocations == {
        "p1": {"penalty": 196, "interest": 12000, "principal": 49804}
    }
    # and from Feb 20 罚息 runs on 501.96: 50196 × 0.18 / 365 = 24.75 → 25 fen a day, 6 days
    assert round(Fraction(50196) * Fraction(18, 100) / 365) == 25
    assert state.penalty_minor == 6 * 25
    assert state.penalty_accrued_minor == 196 + 150
    assert state.overdue_principal_minor == 50196


def test_a_penalty_rate_set_by_the_product_replaces_the_multiplier():
    # Given 24% a year on a 360-day basis: 100000 × 0.24 / 360 = 66.67 → 67 fen a day
    rules = ProductRules(penalty_annual_rate_percent=Decimal("24"), penalty_day_basis=360)
    state = loan_state(LOAN, rules, [], date(2026, 2, 25))
    assert state.penalty_minor == 10 * 67


@pytest.mark.parametrize(
    ("principal_minor", "annual_rate_percent", "rounding", "daily_penalty"),
    [
        # 27375 × 0.54 / 365 = 40.5 exactly → 41 half up
        (27375, "36", Rounding.HALF_UP, 41),
        # 36500 × 0.54 / 365 = 54 exactly → 54 rounded down
        (36500, "36", Rounding.DOWN, 54),
        # 109500 × 0.18 / 365 = 54 exactly → 54 rounded up
        (109500, "12", Rounding.UP, 54),
    ],
)
def test_a_daily_penalty_that_is_exact_is_rounded_exactly(
    principal_minor, annual_rate_percent, rounding, daily_penalty
):
    # Given a one-month bullet loan missed on its due date February 15
    terms = dataclasses.replace(
        LOAN,
        principal_minor=principal_minor,
        annual_rate_percent=Decimal(annual_rate_percent),
        term_months=1,
        method=RepaymentMethod.BULLET,
        rounding=rounding,
    )
    exact = Fraction(principal_minor) * Fraction(annual_rate_percent) * Fraction(3, 2) / 36500
    assert exact in (Fraction(daily_penalty), Fraction(daily_penalty * 2 - 1, 2))
    # When one day of 罚息 has accrued
    state = loan_state(terms, RULES, [], date(2026, 2, 16))
    # Then it is the exact daily amount rounded by the policy.
    # BUG (reported): loan_state divides the penalty rate by 100 × 365 first, in the
    # 28-digit default context (18/36500 = 0.0004931506849315068493150684932), so the
    # product lands a hair off the exact value and gets 40, 53 and 55.
    assert state.penalty_minor == daily_penalty


# -- late fees --------------------------------------------------------------------------------


def test_a_late_fee_is_charged_once_per_missed_installment():
    rules = ProductRules(late_fee_minor=5000)
    # Given the first installment missed, looked at a month later
    state = loan_state(LOAN, rules, [], date(2026, 3, 14))
    # Then one fee, not one a day
    assert state.fees_minor == 5000
    assert state.installments[0].owed[Component.FEE] == 5000


def test_late_fees_stop_at_the_cap():
    # Given 50.00 per missed installment capped at 120.00 for the loan
    rules = ProductRules(late_fee_minor=5000, late_fee_cap_minor=12000)
    # When four installments are missed (fee days Feb 16, Mar 16, Apr 16, May 16)
    state = loan_state(LOAN, rules, [], date(2026, 5, 20))
    # Then 50.00 + 50.00 + 20.00 + nothing
    assert [i.owed[Component.FEE] for i in state.installments[:4]] == [5000, 5000, 2000, 0]
    assert state.fees_charged_minor == state.fees_minor == 12000


def test_paying_the_installment_a_day_late_pays_the_fee_first():
    rules = ProductRules(late_fee_minor=5000)
    # Given exactly the installment paid on the day after its due date
    payments = [Payment("p1", date(2026, 2, 16), 112000)]
    state = loan_state(LOAN, rules, payments, date(2026, 2, 16))
    # Then the fee charged that morning takes 50.00 and 50.00 of principal stays overdue
    assert state.payment_allocations == {"p1": {"fee": 5000, "interest": 12000, "principal": 95000}}
    assert state.overdue_principal_minor == 5000
    assert state.dpd == 1


# -- backdating and order -------------------------------------------------------------------------


def test_a_backdated_payment_gives_the_same_state_as_entering_in_order():
    in_order = on_time_payments()[:3]
    # Given the first payment keyed in last, after the later ones
    backdated = [in_order[1], in_order[2], in_order[0]]
    as_of = date(2026, 4, 20)
    assert loan_state(LOAN, RULES, backdated, as_of) == loan_state(LOAN, RULES, in_order, as_of)


def test_a_backdated_payment_clears_the_arrears_it_predates():
    # Given on February 20 the loan looked 5 days late
    before = loan_state(LOAN, RULES, [], date(2026, 2, 20))
    assert (before.dpd, before.penalty_minor) == (5, 5 * 49)
    # When a payment dated February 15 is found and entered
    after = loan_state(LOAN, RULES, [Payment("p1", FIRST_DUE, 112000)], date(2026, 2, 20))
    # Then the loan was never late
    assert (after.dpd, after.penalty_minor) == (0, 0)


def test_a_payment_dated_after_the_as_of_date_is_not_yet_counted():
    later = [Payment("p1", date(2026, 2, 21), 112000)]
    assert loan_state(LOAN, RULES, later, date(2026, 2, 20)) == loan_state(
        LOAN, RULES, [], date(2026, 2, 20)
    )


# -- overpayment --------------------------------------------------------------------------------


def test_an_overpayment_is_held_as_credit_until_the_next_installment_falls_due():
    # Given 1,500.00 paid on the first due date (1,120.00 due)
    payments = [Payment("p1", FIRST_DUE, 150000)]
    # Then 380.00 is held as credit
    held = loan_state(LOAN, RULES, payments, date(2026, 3, 1))
    assert held.credit_minor == 38000
    assert held.payment_allocations == {
        "p1": {"interest": 12000, "principal": 100000, "credit": 38000}
    }
    assert held.outstanding_principal_minor == 1100000
    # When the second installment (1,110.00) falls due, the credit pays interest then principal
    applied = loan_state(LOAN, RULES, payments, SECOND_DUE)
    assert applied.credit_minor == 0
    assert applied.credit_applied[Component.INTEREST] == 11000
    assert applied.credit_applied[Component.PRINCIPAL] == 27000
    assert applied.outstanding_principal_minor == 1073000
    assert applied.dpd == 0
    # and the 730.00 it could not cover is overdue from the next day
    late = loan_state(LOAN, RULES, payments, date(2026, 3, 16))
    assert (late.dpd, late.overdue_principal_minor) == (1, 73000)


def test_a_payment_before_the_first_due_date_is_credit_that_pays_it_on_time():
    payments = [Payment("p1", date(2026, 2, 1), 112000)]
    before = loan_state(LOAN, RULES, payments, date(2026, 2, 14))
    assert before.credit_minor == 112000
    state = loan_state(LOAN, RULES, payments, date(2026, 2, 20))
    assert (state.dpd, state.credit_minor, state.penalty_minor) == (0, 0, 0)
    assert state.installments[0].paid[Component.PRINCIPAL] == 100000


def test_prepay_principal_reduces_the_principal_and_the_later_installments():
    # Given a product that turns overpayment into prepaid principal
    rules = ProductRules(overpayment=Overpayment.PREPAY_PRINCIPAL)
    # When 3,120.00 is paid on the first due date (1,120.00 due)
    payments = [Payment("p1", FIRST_DUE, 312000)]
    state = loan_state(LOAN, rules, payments, date(2026, 2, 20))
    # Then 2,000.00 more principal is repaid and nothing is held
    assert state.payment_allocations == {"p1": {"interest": 12000, "principal": 300000}}
    assert state.outstanding_principal_minor == 900000
    assert state.credit_minor == 0
    # and the 9,000.00 left is re-amortised over the 11 remaining dates:
    # 900000 / 11 = 81818.18 → 81818 a month, the last 81820; interest 1% of 9,000.00
    second, last = state.installments[1], state.installments[-1]
    assert (second.owed[Component.PRINCIPAL], second.owed[Component.INTEREST]) == (81818, 9000)
    assert (last.owed[Component.PRINCIPAL], last.owed[Component.INTEREST]) == (81820, 818)
    assert sum(i.owed[Component.PRINCIPAL] for i in state.installments[1:]) == 900000


def test_prepaying_part_of_a_bullet_loan_rounds_the_reduced_interest_by_the_loans_policy():
    # Given a 12-month bullet loan of 1,000.01 CNY at 10%: 100.00 interest at the end
    terms = dataclasses.replace(
        LOAN,
        principal_minor=100001,
        annual_rate_percent=Decimal("10"),
        method=RepaymentMethod.BULLET,
    )
    assert [(i.principal_minor, i.interest_minor) for i in terms.schedule()] == [(100001, 10000)]
    rules = ProductRules(overpayment=Overpayment.PREPAY_PRINCIPAL)
    # When 333.33 is prepaid, leaving 666.68 of principal
    state = loan_state(terms, rules, [Payment("p1", date(2026, 2, 1), 33333)], date(2026, 2, 2))
    # Then the interest shrinks in proportion, 10000 × 66668 / 100001 = 6666.61, rounded
    # half up by the loan's policy to 6667.
    # BUG (reported): _Replay._prepay floors it (``//``) to 6666, whatever the policy.
    assert round(Fraction(10000 * 66668, 100001)) == 6667
    bullet = state.installments[0]
    assert (bullet.owed[Component.PRINCIPAL], bullet.owed[Component.INTEREST]) == (66668, 6667)


# -- business days ----------------------------------------------------------------------------


def test_a_due_date_moved_past_a_holiday_is_not_late_until_the_moved_date_passes():
    # Given a loan due on the 1st on the Chinese calendar: October 1, 2026 moves to October 8
    terms = dataclasses.replace(
        LOAN, first_due_date=date(2026, 9, 1), holiday_calendar="CN", term_months=3
    )
    assert [i.due_date for i in terms.schedule()][1] == date(2026, 10, 8)
    paid_september = [Payment("p1", date(2026, 9, 1), terms.schedule()[0].installment_minor)]
    # Then on October 8 nothing is overdue and on October 9 it is one day late
    assert loan_state(terms, RULES, paid_september, date(2026, 10, 8)).dpd == 0
    assert loan_state(terms, RULES, paid_september, date(2026, 10, 9)).dpd == 1


# -- payoff ---------------------------------------------------------------------------------------


def test_payoff_is_principal_left_plus_interest_earned_so_far():
    # Given the first installment paid on time
    payments = [Payment("p1", FIRST_DUE, 112000)]
    # When the loan is looked at on March 1, 14 of the 28 days into the second period
    state = loan_state(LOAN, RULES, payments, date(2026, 3, 1))
    # Then payoff is 11,000.00 principal plus 14/28 of the 110.00 interest
    assert state.accrued_interest_minor == 5500
    assert state.payoff_minor == 1100000 + 5500


def test_a_loan_paid_on_schedule_ends_with_nothing_to_pay_off():
    payments = on_time_payments()
    last_due = LOAN.schedule()[-1].due_date
    for as_of in (last_due, date(2027, 6, 1)):
        state = loan_state(LOAN, RULES, payments, as_of)
        assert state.payoff_minor == 0
        assert state.outstanding_principal_minor == 0
        assert (state.dpd, state.credit_minor, state.total_overdue_minor) == (0, 0, 0)


@pytest.mark.parametrize("overpayment", list(Overpayment))
def test_paying_the_payoff_quote_settles_the_loan(overpayment):
    # Given the first installment paid on time and the payoff quoted on March 1
    rules = ProductRules(overpayment=overpayment)
    payments = [Payment("p1", FIRST_DUE, 112000)]
    quote = loan_state(LOAN, rules, payments, date(2026, 3, 1)).payoff_minor
    assert quote == 1105500
    # When the borrower pays exactly the quote that day
    payments.append(Payment("p2", date(2026, 3, 1), quote))
    # Then, after the last due date, the loan is settled: never late, nothing left
    # to pay and nothing to refund.
    # BUG (reported): with Overpayment.CREDIT the 11,055.00 is held as credit and the
    # remaining installments still fall due with their full interest (11,660.00), so
    # the loan goes overdue on 2027-01-15 (DPD 17 on 2027-02-01). With PREPAY_PRINCIPAL
    # the principal is cleared but the 55.00 of accrued interest in the quote is held
    # as credit (owed back to the borrower) instead of being taken as interest.
    state = loan_state(LOAN, rules, payments, date(2027, 2, 1))
    assert (state.dpd, state.payoff_minor, state.total_overdue_minor) == (0, 0, 0)
    assert state.credit_minor == 0
