"""The allocation waterfall: which owed amounts a payment reaches first."""

import pytest

from arrears.domain.allocation import (
    DEFAULT_WATERFALL,
    Component,
    Waterfall,
    WaterfallMode,
    allocate,
)

P, F, INT, K = Component.PENALTY, Component.FEE, Component.INTEREST, Component.PRINCIPAL


def owed(penalty: int = 0, fee: int = 0, interest: int = 0, principal: int = 0):
    return {P: penalty, F: fee, INT: interest, K: principal}


def test_a_part_payment_covers_interest_before_principal():
    # Given one installment of 1.00 interest and 9.00 principal
    # When 9.50 is paid
    paid, left = allocate(950, [{INT: 100, K: 900}], DEFAULT_WATERFALL)
    # Then interest is paid in full and the rest goes to principal
    assert paid == [{INT: 100, K: 850}]
    assert left == 0


def test_installment_first_clears_the_oldest_installment_in_penalty_fee_interest_principal_order():
    # Given two installments each with penalty, fee, interest and principal
    dues = [owed(10, 20, 30, 40), owed(1, 2, 3, 4)]
    # When 105 is paid
    paid, left = allocate(105, dues, DEFAULT_WATERFALL)
    # Then the oldest is cleared (100) before the next gets its penalty, fee and 2 of interest
    assert paid == [{P: 10, F: 20, INT: 30, K: 40}, {P: 1, F: 2, INT: 2}]
    assert left == 0


def test_component_first_clears_one_component_across_installments_before_the_next():
    dues = [owed(10, 20, 30, 40), owed(1, 2, 3, 4)]
    waterfall = Waterfall(mode=WaterfallMode.COMPONENT_FIRST)
    # When 70 is paid
    paid, left = allocate(70, dues, waterfall)
    # Then all penalties (11), all fees (22), all interest (33), then 4 of the oldest principal
    assert paid == [{P: 10, F: 20, INT: 30, K: 4}, {P: 1, F: 2, INT: 3}]
    assert left == 0


def test_a_custom_order_puts_principal_first():
    waterfall = Waterfall(order=(K, INT, F, P))
    paid, left = allocate(45, [owed(10, 20, 30, 40)], waterfall)
    assert paid == [{K: 40, INT: 5}]
    assert left == 0


def test_money_beyond_what_is_owed_is_left_over():
    paid, left = allocate(1000, [owed(interest=100, principal=500)], DEFAULT_WATERFALL)
    assert paid == [{INT: 100, K: 500}]
    assert left == 400


def test_a_component_missing_from_what_is_owed_counts_as_nothing_owed():
    paid, left = allocate(50, [{K: 30}], DEFAULT_WATERFALL)
    assert paid == [{K: 30}]
    assert left == 20


def test_nothing_owed_leaves_the_whole_amount():
    assert allocate(500, [], DEFAULT_WATERFALL) == ([], 500)


def test_a_zero_payment_pays_nothing():
    assert allocate(0, [owed(1, 2, 3, 4)], DEFAULT_WATERFALL) == ([{}], 0)


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError, match="negative"):
        allocate(-1, [owed(principal=10)], DEFAULT_WATERFALL)


@pytest.mark.parametrize(
    "order",
    [(P, F, INT), (P, F, INT, K, K), (P, P, INT, K)],
    ids=["missing", "repeated", "duplicate-for-missing"],
)
def test_a_waterfall_order_must_name_each_component_exactly_once(order):
    with pytest.raises(ValueError, match="exactly once"):
        Waterfall(order=order)
