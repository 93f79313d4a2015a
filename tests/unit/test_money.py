"""Money: exact minor units of one currency; rounding named at the one door back from Decimal."""

from decimal import Decimal

import pytest

from arrears.domain.money import (
    Money,
    MoneyError,
    Rounding,
    exponent_of,
    format_major,
    parse_major,
    to_minor,
)

# -- building Money -------------------------------------------------------------------


def test_money_of_major_text_gives_exact_minor_units():
    # Given a major-unit amount as text
    # When it becomes Money
    money = Money.of("1234.5", "CNY")
    # Then it holds whole fen
    assert money == Money(123450, "CNY")


def test_money_of_an_int_or_decimal_gives_exact_minor_units():
    assert Money.of(12, "USD") == Money(1200, "USD")
    assert Money.of(Decimal("0.10"), "USD") == Money(10, "USD")
    assert Money.of(1000, "JPY") == Money(1000, "JPY")


def test_money_of_a_float_is_refused():
    # Given a float (0.1 + 0.2 is not 0.3 in binary)
    # When it is offered as money
    # Then it is refused rather than rounded
    with pytest.raises(MoneyError, match="float"):
        Money.of(0.1 + 0.2, "CNY")


def test_money_with_float_minor_units_is_refused():
    with pytest.raises(MoneyError, match="int"):
        Money(100.0, "CNY")  # type: ignore[arg-type]


def test_money_with_a_bool_as_minor_units_is_refused():
    with pytest.raises(MoneyError):
        Money(True, "CNY")  # type: ignore[arg-type]


def test_money_in_an_unknown_currency_is_refused():
    with pytest.raises(MoneyError, match="unknown currency"):
        Money(100, "XYZ")


def test_a_zero_amount_is_falsy_and_keeps_its_currency():
    zero = Money.zero("JPY")
    assert zero == Money(0, "JPY")
    assert not zero
    assert Money(1, "JPY")


# -- arithmetic ---------------------------------------------------------------------


def test_adding_and_subtracting_the_same_currency_is_exact():
    # Given 0.10 CNY ten times: the sum that drifts in floats
    total = Money.zero("CNY")
    for _ in range(10):
        total = total + Money.of("0.10", "CNY")
    # Then it is exactly 1.00
    assert total == Money(100, "CNY")
    assert total - Money(30, "CNY") == Money(70, "CNY")
    assert -Money(70, "CNY") == Money(-70, "CNY")


def test_adding_mixed_currencies_is_refused():
    with pytest.raises(MoneyError, match="cannot mix CNY and USD"):
        Money(100, "CNY") + Money(100, "USD")


def test_subtracting_mixed_currencies_is_refused():
    with pytest.raises(MoneyError, match="cannot mix"):
        Money(100, "CNY") - Money(100, "JPY")


def test_adding_a_bare_number_to_money_is_refused():
    with pytest.raises(MoneyError, match="int"):
        Money(100, "CNY") + 5  # type: ignore[operator]


def test_money_of_one_currency_compares_by_amount():
    assert Money(100, "CNY") < Money(101, "CNY")
    assert max(Money(100, "CNY"), Money(99, "CNY")) == Money(100, "CNY")


def test_comparing_mixed_currencies_is_refused():
    # A dataclass with order=True would compare (minor, currency) tuples and say
    # 1.00 USD < 2.00 CNY; ordering must refuse mixed currencies like + and - do.
    with pytest.raises(MoneyError):
        _ = Money(100, "USD") < Money(200, "CNY")


def test_major_gives_the_exact_decimal_amount():
    assert Money(123450, "CNY").major == Decimal("1234.50")
    assert Money(-5, "CNY").major == Decimal("-0.05")
    assert Money(1000, "JPY").major == Decimal("1000")


def test_money_prints_as_major_units_and_currency():
    assert str(Money(123450, "CNY")) == "1234.50 CNY"
    assert str(Money(-7, "JPY")) == "-7 JPY"


# -- parse_major ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("28000.50", "CNY", 2800050),
        ("28000.5", "CNY", 2800050),
        ("0.01", "USD", 1),
        ("-12.34", "CNY", -1234),
        (" 7 ", "CNY", 700),
        ("1.230", "CNY", 123),  # a trailing zero is not an extra decimal
        ("10", "JPY", 10),
        ("10.0", "JPY", 10),
        ("1E+3", "KRW", 1000),
    ],
)
def test_parse_major_gives_exact_minor_units(text, currency, minor):
    assert parse_major(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency"),
    [("10.5", "JPY"), ("1.234", "CNY"), ("0.001", "USD"), ("0.5", "KRW")],
)
def test_parse_major_refuses_more_decimals_than_the_currency_has(text, currency):
    # Given more decimals than the currency's minor unit
    # Then it is refused instead of being rounded silently
    with pytest.raises(MoneyError, match="more decimals"):
        parse_major(text, currency)


@pytest.mark.parametrize("text", ["", "abc", "1,000.00", "NaN", "Infinity", "-inf"])
def test_parse_major_refuses_what_is_not_a_number(text):
    with pytest.raises(MoneyError, match="not a number"):
        parse_major(text, "CNY")


def test_parse_major_refuses_an_unknown_currency():
    with pytest.raises(MoneyError, match="unknown currency"):
        parse_major("1.00", "ABC")


# -- format_major ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (123450, "CNY", "1234.50"),
        (5, "CNY", "0.05"),
        (0, "CNY", "0.00"),
        (-5, "CNY", "-0.05"),
        (-123450, "USD", "-1234.50"),
        (1000, "JPY", "1000"),
        (-7, "JPY", "-7"),
    ],
)
def test_format_major_writes_plain_major_units(minor, currency, text):
    assert format_major(minor, currency) == text


def test_exponent_of_knows_zero_decimal_currencies():
    assert exponent_of("JPY") == 0
    assert exponent_of("KRW") == 0
    assert exponent_of("CNY") == 2


# -- rounding -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "half_up", "half_even", "up", "down"),
    [
        ("2.5", 3, 2, 3, 2),
        ("3.5", 4, 4, 4, 3),
        ("-2.5", -3, -2, -3, -2),
        ("-3.5", -4, -4, -4, -3),
        ("2.4", 2, 2, 3, 2),
        ("2.6", 3, 3, 3, 2),
        ("-2.4", -2, -2, -3, -2),
        ("-2.6", -3, -3, -3, -2),
        ("2.0001", 2, 2, 3, 2),
        ("7", 7, 7, 7, 7),
        ("-7", -7, -7, -7, -7),
        ("0.5", 1, 0, 1, 0),
        ("-0.5", -1, 0, -1, 0),
    ],
)
def test_each_rounding_policy_on_halves_and_negatives(amount, half_up, half_even, up, down):
    # Given an amount in minor units with a fraction
    value = Decimal(amount)
    # Then half_up takes halves away from zero, half_even to the even neighbour,
    # up is away from zero and down toward zero, as lenders use the words
    assert to_minor(value, Rounding.HALF_UP) == half_up
    assert to_minor(value, Rounding.HALF_EVEN) == half_even
    assert to_minor(value, Rounding.UP) == up
    assert to_minor(value, Rounding.DOWN) == down


def test_to_minor_of_the_docstring_example():
    assert to_minor(Decimal("10.005"), Rounding.HALF_UP) == 10
    assert to_minor(Decimal("1000.5"), Rounding.HALF_UP) == 1001
