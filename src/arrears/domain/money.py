"""Money: whole minor units of one currency, and the one place rates become money.

Floats never enter: amounts are ``int`` minor units (fen, cents), rate maths is
``Decimal``, and ``to_minor`` is the only door back from ``Decimal`` to minor
units; it names its rounding.

>>> Money.of("1234.5", "CNY")
Money(minor=123450, currency='CNY')
>>> to_minor(Decimal("1000.5"), Rounding.HALF_UP)
1001
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Rounding(StrEnum):
    """Named rounding policies; one is chosen per loan or product."""

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    UP = "up"
    DOWN = "down"


_DECIMAL_MODE = {
    Rounding.HALF_UP: decimal.ROUND_HALF_UP,
    Rounding.HALF_EVEN: decimal.ROUND_HALF_EVEN,
    Rounding.UP: decimal.ROUND_UP,
    Rounding.DOWN: decimal.ROUND_DOWN,
}

# Minor-unit exponents per ISO 4217.
CURRENCY_EXPONENTS: dict[str, int] = {
    "CNY": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "JPY": 0,
    "HKD": 2,
    "SGD": 2,
    "INR": 2,
    "IDR": 2,
    "PHP": 2,
    "KRW": 0,
    "VND": 0,
}

_ONE = Decimal(1)


class MoneyError(ValueError):
    """An amount that cannot be money: a float, a mixed currency, too many decimals."""


def exponent_of(currency: str) -> int:
    """Minor-unit exponent of a currency code: ``exponent_of("JPY") == 0``."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise MoneyError(f"unknown currency {currency!r}") from None


def to_minor(amount: Decimal, rounding: Rounding) -> int:
    """Round a Decimal count of minor units to a whole number by the named policy.

    ``up`` rounds away from zero, ``down`` toward zero, as lenders use the words.
    """
    return int(amount.quantize(_ONE, rounding=_DECIMAL_MODE[rounding]))


def round_ratio(numerator: int, denominator: int, rounding: Rounding) -> int:
    """Round the exact fraction ``numerator / denominator`` to a whole number by the policy.

    Integer arithmetic only, so schedule maths on rational rates is exact and fast.

    >>> round_ratio(5, 2, Rounding.HALF_EVEN), round_ratio(7, 2, Rounding.HALF_EVEN)
    (2, 4)
    >>> round_ratio(-1, 3, Rounding.UP)
    -1
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    negative = numerator < 0
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder:
        if rounding is Rounding.UP:
            quotient += 1
        elif rounding is Rounding.HALF_UP:
            quotient += 2 * remainder >= denominator
        elif rounding is Rounding.HALF_EVEN:
            twice = 2 * remainder
            quotient += twice > denominator or (twice == denominator and quotient % 2 == 1)
    return -quotient if negative else quotient


def parse_major(text: str, currency: str) -> int:
    """Parse a major-unit decimal string (``"28000.50"``) into exact minor units.

    Refuses more decimals than the currency has rather than rounding silently.
    """
    try:
        value = Decimal(text.strip())
    except decimal.InvalidOperation:
        raise MoneyError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise MoneyError(f"not a number: {text!r}")
    scaled = value.scaleb(exponent_of(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{text!r} has more decimals than {currency} allows")
    return int(scaled)


def format_major(minor: int, currency: str) -> str:
    """Minor units as a plain major-unit decimal string: ``format_major(123450, "CNY") == "1234.50"``."""
    exponent = exponent_of(currency)
    if exponent == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**exponent)
    return f"{sign}{whole}.{frac:0{exponent}d}"


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: whole minor units plus a currency code."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.minor) is not int:
            raise MoneyError(f"minor units must be int, got {type(self.minor).__name__}")
        exponent_of(self.currency)

    @classmethod
    def of(cls, major: str | int | Decimal, currency: str) -> Money:
        """Build from major units given as text, int or Decimal (never float)."""
        if isinstance(major, float):
            raise MoneyError("floats are not money; pass a string or Decimal")
        return cls(parse_major(str(major), currency), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.minor >= other.minor

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __bool__(self) -> bool:
        return self.minor != 0

    @property
    def major(self) -> Decimal:
        """The amount in major units, exact."""
        return Decimal(self.minor).scaleb(-exponent_of(self.currency))

    def __str__(self) -> str:
        return f"{format_major(self.minor, self.currency)} {self.currency}"
