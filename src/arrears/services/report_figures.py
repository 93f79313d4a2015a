"""What the manager's reports share: exact ratios, the period they cover, the arms' split.

Rates are computed from counts and minor units with integer arithmetic and rounded
half up (``reports.rate_percent`` for percentages with one decimal), so every figure
can be checked by hand and is the same on every machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arrears.services.errors import InvalidInput
from arrears.services.ports import UnitOfWork
from arrears.services.strategies import active_strategies


def ratio(part: int, whole: int, places: int = 2) -> Decimal | None:
    """``part / whole`` rounded half up to ``places`` decimals; None when ``whole`` is 0.

    >>> ratio(7, 3), ratio(1, 8), ratio(1, 8, 1), ratio(0, 5), ratio(3, 0)
    (Decimal('2.33'), Decimal('0.13'), Decimal('0.1'), Decimal('0.00'), None)
    """
    if whole == 0:
        return None
    scaled, rest = divmod(10**places * part, whole)
    if 2 * rest >= whole:
        scaled += 1
    return Decimal(scaled).scaleb(-places)


@dataclass(frozen=True, slots=True)
class Period:
    """The days a report covers, both included."""

    first: date
    last: date


def period_of(uow: UnitOfWork, first: date | None, last: date | None) -> Period | None:
    """The period asked for; a side not given is the first or last day the daily cycle
    ran. None when the cycle never ran and a side is missing."""
    if first is not None and last is not None and first > last:
        raise InvalidInput(f"the period starts on {first}, after its end {last}")
    ran = uow.portfolio_reports.cycle_days()
    if ran is None and (first is None or last is None):
        return None
    chosen_first = first if first is not None else ran[0] if ran else None
    chosen_last = last if last is not None else ran[1] if ran else None
    assert chosen_first is not None and chosen_last is not None
    if chosen_first > chosen_last:
        raise InvalidInput(f"the period starts on {chosen_first}, after its end {chosen_last}")
    return Period(chosen_first, chosen_last)


def book_products(uow: UnitOfWork) -> list[str]:
    """The codes of the products the book's loans are of, in order: what a report may be
    narrowed to."""
    return uow.portfolio_reports.products()


def require_product(uow: UnitOfWork, product: str | None) -> None:
    """Refuse a product no loan is of: a misspelt code would otherwise report nothing."""
    if product is None:
        return
    products = book_products(uow)
    if product not in products:
        raise InvalidInput(
            f"no loan is of product {product!r} (products: {', '.join(products) or 'none'})"
        )


def challenger_slots(uow: UnitOfWork) -> int:
    """How many of the 10,000 arm slots the active challenger takes (domain.strategy.arm_for:
    a slot below its share in hundredths of a percent); 0 with no challenger."""
    active = active_strategies(uow)
    if active is None or active.challenger is None:
        return 0
    return math.ceil(active.share_percent * 100)


def current_labels(uow: UnitOfWork, products: set[str]) -> dict[str, str]:
    """Each product's bucket of DPD 0: "current" in its own words."""
    return {product: uow.ledger.product_rules(product).buckets.label_for(0) for product in products}
