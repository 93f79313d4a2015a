"""Schedules: hand-computed examples per method, and differential checks of the maths.

Expected amounts are worked out independently with ``Fraction`` (exact rationals),
never with the Decimal code under test.
"""

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.money import Rounding
from arrears.domain.schedule import (
    Installment,
    Period,
    RepaymentMethod,
    amortize,
    annuity_installment_minor,
    build_schedule,
    monthly_rate,
)

HALF = Fraction(1, 2)


def round_fraction(value: Fraction, rounding: Rounding) -> int:
    """The reference rounding of an exact rational, by the policy's definition."""
    floor, ceil = math.floor(value), math.ceil(value)
    sign = 1 if value >= 0 else -1
    magnitude = abs(value)
    if rounding is Rounding.UP:  # away from zero
        return sign * math.ceil(magnitude)
    if rounding is Rounding.DOWN:  # toward zero
        return sign * math.floor(magnitude)
    if value - floor != HALF:
        return floor if value - floor < HALF else ceil
    if rounding is Rounding.HALF_UP:
        return sign * math.ceil(magnitude)
    return floor if floor % 2 == 0 else ceil


def exact_annuity(principal_minor: int, annual_rate_percent: str, term_months: int) -> Fraction:
    """P·i·(1+i)^n / ((1+i)^n − 1), i = annual rate / 12, as an exact rational."""
    rate = Fraction(annual_rate_percent) / 1200
    if rate == 0:
        return Fraction(principal_minor, term_months)
    growth = (1 + rate) ** term_months
    return principal_minor * rate * growth / (growth - 1)


def pairs(periods: list[Period]) -> list[tuple[int, int]]:
    return [(p.principal_minor, p.interest_minor) for p in periods]


# -- 等额本息 equal installment ----------------------------------------------------------------


def test_equal_installment_of_1200_yuan_at_12_percent_over_3_months():
    # Given 1,200.00 CNY at 12% a year (1% a month) over 3 months
    # The exact annuity is 120000 × 0.01 × 1.01³ / (1.01³ − 1) = 40802.653... fen
    assert round_fraction(exact_annuity(120000, "12", 3), Rounding.HALF_UP) == 40803
    # When it is amortized half-up
    periods = amortize(
        RepaymentMethod.EQUAL_INSTALLMENT, 120000, Decimal("12"), 3, Rounding.HALF_UP
    )
    # Then interest is 1% of what remains, the principal is the rest of 408.03,
    # and the last installment absorbs the residue:
    #   120000 × 1% = 1200        principal 40803 − 1200 = 39603, remaining 80397
    #   80397 × 1% = 803.97 → 804 principal 40803 − 804 = 39999,  remaining 40398
    #   40398 × 1% = 403.98 → 404 principal 40398 (all that remains)
    assert pairs(periods) == [(39603, 1200), (39999, 804), (40398, 404)]
    assert [sum(p) for p in periods] == [40803, 40803, 40802]


def test_equal_installment_of_a_million_yen_has_whole_yen_amounts():
    # Given 1,000,000 JPY (exponent 0: the minor unit is the yen) at 12% over 12 months
    # The exact annuity is 88848.79 yen, so 88849 half-up
    assert round_fraction(exact_annuity(1000000, "12", 12), Rounding.HALF_UP) == 88849
    periods = amortize(
        RepaymentMethod.EQUAL_INSTALLMENT, 1000000, Decimal("12"), 12, Rounding.HALF_UP
    )
    # Then the first month is 10000 yen interest (1%) and 78849 yen principal,
    # the second 1% of 921151 = 9211.51 → 9212 interest
    assert pairs(periods)[:2] == [(78849, 10000), (79637, 9212)]
    assert sum(p.principal_minor for p in periods) == 1000000
    assert all(p.principal_minor + p.interest_minor == 88849 for p in periods[:-1])


def test_up_rounding_makes_the_annuity_one_minor_unit_above_half_up():
    # Given an annuity whose exact value is 340022.111... fen (10,000.00 CNY, 12%, 3 months)
    exact = exact_annuity(1000000, "12", 3)
    assert math.floor(exact) == 340022 and exact - 340022 < HALF
    # When it is rounded up (the next fen) versus half up
    up = annuity_installment_minor(1000000, Decimal("12"), 3, Rounding.UP)
    half_up = annuity_installment_minor(1000000, Decimal("12"), 3, Rounding.HALF_UP)
    # Then up is one fen more
    assert (half_up, up) == (340022, 340023)


def test_up_and_half_up_agree_when_the_fraction_is_above_a_half():
    # Exact annuity 40802.653... fen: both policies give 40803
    assert annuity_installment_minor(120000, Decimal("12"), 3, Rounding.UP) == 40803
    assert annuity_installment_minor(120000, Decimal("12"), 3, Rounding.HALF_UP) == 40803
    assert annuity_installment_minor(120000, Decimal("12"), 3, Rounding.DOWN) == 40802


def test_a_zero_rate_annuity_splits_the_principal_and_the_last_absorbs_the_residue():
    periods = amortize(RepaymentMethod.EQUAL_INSTALLMENT, 100000, Decimal("0"), 3, Rounding.HALF_UP)
    assert pairs(periods) == [(33333, 0), (33333, 0), (33334, 0)]


# -- 等额本金 equal principal ------------------------------------------------------------------


def test_equal_principal_of_1000_yuan_at_12_percent_over_4_months():
    # Given 1,000.00 CNY at 1% a month over 4 months
    periods = amortize(RepaymentMethod.EQUAL_PRINCIPAL, 100000, Decimal("12"), 4, Rounding.HALF_UP)
    # Then 250.00 principal each month, interest 1% of what remains before the payment
    assert pairs(periods) == [(25000, 1000), (25000, 750), (25000, 500), (25000, 250)]


def test_equal_principal_with_a_residue_puts_it_in_the_last_period():
    # Given 1,000.00 CNY at 10% (10/1200 a month) over 3 months
    periods = amortize(RepaymentMethod.EQUAL_PRINCIPAL, 100000, Decimal("10"), 3, Rounding.HALF_UP)
    # Then principal 33333.33 → 33333 twice and 33334 last;
    # interest 100000/120 = 833.33 → 833, 66667/120 = 555.56 → 556, 33334/120 = 277.78 → 278
    assert pairs(periods) == [(33333, 833), (33333, 556), (33334, 278)]


def test_equal_principal_rounded_up_may_finish_early_but_never_overpays():
    # Given 0.05 CNY over 4 months, rounded up: 1.25 → 2 fen a month
    periods = amortize(RepaymentMethod.EQUAL_PRINCIPAL, 5, Decimal("0"), 4, Rounding.UP)
    # Then the principal runs out in the third month and the fourth has none
    assert pairs(periods) == [(2, 0), (2, 0), (1, 0), (0, 0)]


# -- 先息后本 interest only and 一次性还本付息 bullet -------------------------------------------


def test_interest_only_pays_interest_monthly_and_principal_at_the_end():
    # Given 5,000.00 CNY at 6% (0.5% a month) over 3 months
    periods = amortize(RepaymentMethod.INTEREST_ONLY, 500000, Decimal("6"), 3, Rounding.HALF_UP)
    # Then 25.00 interest each month and the principal with the last
    assert pairs(periods) == [(0, 2500), (0, 2500), (500000, 2500)]


def test_bullet_pays_principal_and_all_interest_once():
    # Given 5,000.00 CNY at 6% over 3 months: interest 500000 × 0.5% × 3 = 7500
    periods = amortize(RepaymentMethod.BULLET, 500000, Decimal("6"), 3, Rounding.HALF_UP)
    assert pairs(periods) == [(500000, 7500)]


def test_bullet_interest_that_is_exactly_whole_is_not_rounded_down():
    # Given 1,000.00 CNY at 13% over 6 months: 100000 × 13 × 6 / 1200 = 6500 fen exactly
    assert Fraction(100000 * 13 * 6, 1200) == 6500
    # When the loan rounds down
    periods = amortize(RepaymentMethod.BULLET, 100000, Decimal("13"), 6, Rounding.DOWN)
    # Then the interest is 6500: a monthly rate rounded before multiplying
    # (0.010833...3) would give 6499.99...9 and round down to 6499
    assert pairs(periods) == [(100000, 6500)]


def test_bullet_interest_that_is_exactly_a_half_rounds_half_up():
    # Given 1,015.00 CNY at 13% over 6 months: 101500 × 13 × 6 / 1200 = 6597.5 fen exactly
    assert Fraction(101500 * 13 * 6, 1200) == Fraction(13195, 2)
    # When the loan rounds half up (the default policy)
    periods = amortize(RepaymentMethod.BULLET, 101500, Decimal("13"), 6, Rounding.HALF_UP)
    # Then the half goes up to 6598, not 6597 as 6597.49...9 from a pre-rounded rate would
    assert pairs(periods) == [(101500, 6598)]


def test_bullet_interest_that_is_exactly_whole_is_not_rounded_up():
    # 100000 × 5 × 18 / 1200 = 7500 exactly: a pre-rounded rate gives 7500.00...1 → 7501
    periods = amortize(RepaymentMethod.BULLET, 100000, Decimal("5"), 18, Rounding.UP)
    assert pairs(periods) == [(100000, 7500)]


# -- amortize refuses nonsense -----------------------------------------------------------------


@pytest.mark.parametrize(("principal", "term"), [(0, 12), (-100, 12), (100000, 0)])
def test_amortize_refuses_a_non_positive_principal_or_term(principal, term):
    with pytest.raises(ValueError, match="positive"):
        amortize(RepaymentMethod.EQUAL_INSTALLMENT, principal, Decimal("12"), term, Rounding.UP)


def test_monthly_rate_is_the_annual_percent_over_1200():
    assert monthly_rate(Decimal("12")) == Decimal("0.01")


# -- build_schedule: dates and remaining principal -----------------------------------------------


def test_build_schedule_dates_each_installment_and_tracks_the_remaining_principal():
    schedule = build_schedule(
        RepaymentMethod.EQUAL_PRINCIPAL,
        300000,
        Decimal("12"),
        3,
        Rounding.HALF_UP,
        start_date=date(2026, 1, 31),
    )
    assert schedule == (
        Installment(1, date(2026, 2, 28), 100000, 3000, 200000),
        Installment(2, date(2026, 3, 31), 100000, 2000, 100000),
        Installment(3, date(2026, 4, 30), 100000, 1000, 0),
    )
    assert [i.installment_minor for i in schedule] == [103000, 102000, 101000]


def test_a_bullet_schedule_has_one_installment_at_the_end_of_the_term():
    schedule = build_schedule(
        RepaymentMethod.BULLET, 500000, Decimal("6"), 3, Rounding.HALF_UP, date(2026, 1, 15)
    )
    assert schedule == (Installment(1, date(2026, 4, 15), 500000, 7500, 0),)


# -- differential tests -------------------------------------------------------------------------

rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("36"), places=2)


@settings(max_examples=300, deadline=None)
@given(
    principal_minor=st.integers(min_value=10000, max_value=50000000),
    annual_rate_percent=rates,
    term_months=st.integers(min_value=1, max_value=60),
)
def test_the_annuity_matches_numpy_financial_pmt(principal_minor, annual_rate_percent, term_months):
    # Given a loan of 100.00 to 500,000.00 at 0.01%-36% over 1-60 months
    installment = annuity_installment_minor(
        principal_minor, annual_rate_percent, term_months, Rounding.HALF_UP
    )
    # When numpy-financial computes the payment in binary floating point
    pmt = float(npf.pmt(float(annual_rate_percent) / 12 / 100, term_months, -principal_minor))
    expected = to_half_up(pmt)
    # Then they agree to the fen. A float carries ~16 significant digits, so for
    # payments up to ~10^7 fen its error is far below 1e-6 fen; only when the float
    # sits within 1e-6 of a half can it fall on the other side of the half from
    # the exact value, and only there is one fen of difference allowed.
    if abs(pmt - math.floor(pmt) - 0.5) < 1e-6:
        assert abs(installment - expected) <= 1
    else:
        assert installment == expected


def to_half_up(value: float) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def reference_amortize(
    method: RepaymentMethod,
    principal_minor: int,
    annual_rate_percent: Decimal,
    term_months: int,
    rounding: Rounding,
) -> list[tuple[int, int]]:
    """The documented schedule semantics, recomputed with exact rationals."""
    rate = Fraction(annual_rate_percent) / 1200
    if method is RepaymentMethod.BULLET:
        return [(principal_minor, round_fraction(principal_minor * rate * term_months, rounding))]
    if method is RepaymentMethod.INTEREST_ONLY:
        interest = round_fraction(principal_minor * rate, rounding)
        return [(0, interest)] * (term_months - 1) + [(principal_minor, interest)]
    if method is RepaymentMethod.EQUAL_INSTALLMENT:
        level = round_fraction(
            exact_annuity(principal_minor, str(annual_rate_percent), term_months), rounding
        )
    else:
        level = round_fraction(Fraction(principal_minor, term_months), rounding)
    periods, remaining = [], principal_minor
    for k in range(term_months):
        interest = round_fraction(remaining * rate, rounding)
        if k == term_months - 1:
            principal = remaining
        elif method is RepaymentMethod.EQUAL_INSTALLMENT:
            principal = min(max(level - interest, 0), remaining)
        else:
            principal = min(level, remaining)
        periods.append((principal, interest))
        remaining -= principal
    return periods


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from(RepaymentMethod),
    rounding=st.sampled_from(Rounding),
    # whole yuan and whole-percent rates make exact halves and exact integers common,
    # where a rate rounded before multiplying shows
    principal_minor=st.integers(min_value=1, max_value=100000).map(lambda yuan: yuan * 100),
    annual_rate_percent=st.one_of(st.integers(0, 36).map(Decimal), rates),
    term_months=st.integers(min_value=1, max_value=36),
)
def test_amortize_matches_an_exact_rational_reference(
    method, rounding, principal_minor, annual_rate_percent, term_months
):
    periods = amortize(method, principal_minor, annual_rate_percent, term_months, rounding)
    assert pairs(periods) == reference_amortize(
        method, principal_minor, annual_rate_percent, term_months, rounding
    )
