"""罚息 explained line by line: each run of days on one base, adding up to the ledger's own
figure whatever payments did in between."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.loan_state import Payment, loan_state
from arrears.domain.penalty_lines import penalty_lines
from arrears.domain.schedule import RepaymentMethod
from arrears.domain.terms import LoanTerms, ProductRules

# ¥1,200.00 at 14.6 % for one month from 1 January: ¥1,200.00 + ¥14.60 due 1 February;
# 罚息 21.9 % a year ÷ 365 = 3/5000 a day: ¥0.72 a day on the whole principal.
TERMS = LoanTerms("L1", "CNY", 120000, Decimal("14.6"), 1, date(2026, 1, 1),
                  RepaymentMethod.EQUAL_INSTALLMENT)  # fmt: skip
RULES = ProductRules()


def figures(payments: list[Payment], as_of: date) -> list[tuple[str, str, int, int, int, int]]:
    return [
        (str(x.first_day), str(x.last_day), x.base_minor, x.daily_minor, x.days_charged,
         x.amount_minor)
        for x in penalty_lines(TERMS, RULES, payments, as_of)
    ]  # fmt: skip


def test_a_loan_paid_on_time_has_no_penalty_lines() -> None:
    assert figures([Payment("P1", date(2026, 2, 1), 121460)], date(2026, 3, 1)) == []


def test_a_part_payment_starts_a_new_line_on_the_smaller_principal() -> None:
    # on 6 February ¥100.00 pays 4 days of 罚息 (¥2.88), the interest (¥14.60) and ¥82.52
    # of principal: from that day ¥1,117.48 × 3/5000 = ¥0.67 a day
    paid = [Payment("P1", date(2026, 2, 6), 10000)]
    assert figures(paid, date(2026, 2, 11)) == [
        ("2026-02-02", "2026-02-05", 120000, 72, 4, 288),
        ("2026-02-06", "2026-02-11", 111748, 67, 6, 402),
    ]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 80), st.integers(1, 60000)), max_size=4),
    st.integers(1, 90),
)
def test_the_lines_add_up_to_the_penalty_the_ledger_charged(
    paid: list[tuple[int, int]], days: int
) -> None:
    payments = [
        Payment(f"P{i}", date(2026, 1, 1) + timedelta(days=day), amount)
        for i, (day, amount) in enumerate(paid)
    ]
    as_of = date(2026, 2, 1) + timedelta(days=days)
    lines = penalty_lines(TERMS, RULES, payments, as_of)
    state = loan_state(TERMS, RULES, payments, as_of)
    assert sum(x.amount_minor for x in lines) == state.penalty_accrued_minor
    assert all(x.days_charged * x.daily_minor == x.amount_minor for x in lines)
