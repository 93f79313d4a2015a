"""The figures of an arrangement quote: amounts read exactly, counts, percents, dates,
equal instalments, and shares for the policy (``domain.arrangement_quoting``).

Each check adds a ``(field, message)`` problem instead of raising, so that a quote
reports every problem of a request together (``QuoteRefused``).

>>> split(100001, 3, None, "CNY"), split(100000, 3, 40000, "CNY")
([33333, 33333, 33335], [40000, 30000, 30000])
>>> share(1, 3, ROUND_DOWN), share(1, 3, ROUND_UP)
(Decimal('33.33'), Decimal('33.34'))
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from arrears.domain.calendar import monthly_due_dates
from arrears.domain.money import Money, MoneyError, Rounding, exponent_of, format_major, to_minor
from arrears.domain.reasons import Reason

__all__ = ["ROUND_DOWN", "ROUND_UP"]  # the roundings ``share`` takes, for the callers

HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
DEFAULT_FIRST_DATE_DAYS = 7  # a plan's, settlement's or promise's first date: a week on
Problems = list[tuple[str, str]]  # (field, message): every problem found with a request


class QuoteRefused(ValueError):
    """A request the quote cannot be made from; ``problems`` are (field, message) pairs
    (messages mostly ``Reason``s); ``reason`` is all of them, coded for the pages."""

    def __init__(self, problems: Problems):
        self.problems = tuple(problems)
        each = tuple(
            Reason("quote.problem", f"{name}: {message}",
                   field=Reason(f"field.{name}", name), problem=message)
            for name, message in problems
        )  # fmt: skip
        self.reason = Reason("quote.problems", "; ".join(each), all=each)
        super().__init__(self.reason)


def refuse(problems: Problems) -> None:
    if problems:
        raise QuoteRefused(problems)


def minor(name: str, value: Decimal, currency: str, problems: Problems) -> int:
    """Major units typed (``Decimal("300.00")``) as exact minor units; more decimals than
    the currency has are a problem, never rounded away."""
    try:
        scaled = value.scaleb(exponent_of(currency))
    except MoneyError as error:
        problems.append((name, str(error)))
        return 0
    if not value.is_finite() or scaled != scaled.to_integral_value():
        problems.append((name, too_many_decimals(value, currency)))
        return 0
    return int(scaled)


def too_many_decimals(value: object, currency: str) -> Reason:
    return Reason(
        "amount.too_many_decimals", f"{value} has more decimals than {currency} allows",
        amount=str(value), currency=currency,
    )  # fmt: skip


def count(name: str, value: int | None, least: int, problems: Problems) -> int:
    if value is None:
        problems.append((name, Reason("figure.required", "is required")))
        return least
    if value < least:
        problems.append(
            (name, Reason("figure.at_least", f"must be {least} or more, got {value}",
                          least=least, got=value))
        )  # fmt: skip
        return least
    return value


def percent(name: str, value: Decimal | None, problems: Problems) -> Decimal:
    if value is None:
        return Decimal(0)
    if not value.is_finite() or not 0 <= value <= HUNDRED:
        problems.append(
            (name, Reason("figure.percent", f"must be a percent from 0 to 100, got {value}",
                          got=str(value)))
        )  # fmt: skip
        return Decimal(0)
    return value


def share_of(amount_minor: int, percent_value: Decimal) -> int:
    """``percent_value`` % of an amount, rounded down: a waiver or discount is never more
    than was agreed."""
    return to_minor(amount_minor * percent_value / HUNDRED, Rounding.DOWN)


def waiver(percent_value: Decimal | None, penalty_minor: int, problems: Problems) -> int:
    """罚息 waived: the share asked for of what is unpaid, rounded down."""
    return share_of(penalty_minor, percent("waive_penalty_percent", percent_value, problems))


def dates(
    first: date | None, every_days: int | None, how_many: int, as_of: date, problems: Problems
) -> list[date]:
    """``how_many`` dates from the first (default a week after ``as_of``): monthly on its
    day of month (clamped to the month's end), or every ``every_days`` days."""
    first = first or as_of + timedelta(days=DEFAULT_FIRST_DATE_DAYS)
    if first <= as_of:
        problems.append(("first_date", after_day(as_of, first)))
    if every_days is None:
        return monthly_due_dates(first, how_many)
    every = count("every_days", every_days, 1, problems)
    return [first + timedelta(days=every * k) for k in range(how_many)]


def after_day(as_of: date, got: date) -> Reason:
    return Reason("figure.after_day", f"must be after {as_of}, got {got}", day=as_of, got=got)


def split(total: int, how_many: int, down: int | None, currency: str) -> list[int]:
    """``total`` in ``how_many`` instalments: ``down`` first (if given), the rest equal, the
    remainder of the division on the last (the borrower pays the odd cents last)."""
    problems: Problems = []
    shown = format_major(total, currency)
    if down is not None and how_many == 1 and down != total:
        problems.append(
            ("down_payment", Reason("plan.single_is_whole",
                                    f"a single instalment is the whole {shown}",
                                    whole=Money(total, currency)))
        )  # fmt: skip
    elif down is not None and how_many > 1 and not 0 < down < total:
        problems.append(
            ("down_payment", Reason("plan.down_payment_range",
                                    f"must be more than 0 and less than {shown}",
                                    whole=Money(total, currency)))
        )  # fmt: skip
    refuse(problems)
    if down is not None and how_many > 1:
        rest = total - down
        base = rest // (how_many - 1)
        amounts = [down] + [base] * (how_many - 1)
        amounts[-1] += rest - base * (how_many - 1)
    else:
        base = total // how_many
        amounts = [base] * how_many
        amounts[-1] += total - base * how_many
    if min(amounts) <= 0:
        raise QuoteRefused(
            [("instalments", Reason("plan.cannot_split",
                                    f"{shown} {currency} cannot be split into {how_many} instalments",
                                    total=Money(total, currency), count=how_many))]
        )  # fmt: skip
    return amounts


def share(part: int, whole: int, rounding: str) -> Decimal:
    """``part`` as a percent of ``whole`` to 2 decimals, rounded away from passing the limit
    it is judged by (down for a minimum, up for a maximum): a rounded figure never
    passes a limit the exact one would not."""
    if whole <= 0:
        return Decimal(0)
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(_CENT, rounding=rounding)
