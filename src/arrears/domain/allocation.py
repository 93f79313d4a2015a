"""How a payment is split over what is owed: the allocation waterfall.

The default takes the oldest installment first and, within it, penalty → fees →
interest → principal, the usual order in consumer-lending contracts (costs and
interest before principal). ``component_first`` instead clears one component
across all installments before the next.

>>> owed = [{Component.INTEREST: 100, Component.PRINCIPAL: 900}]
>>> allocate(950, owed, DEFAULT_WATERFALL)
([{<Component.INTEREST: 'interest'>: 100, <Component.PRINCIPAL: 'principal'>: 850}], 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Component(StrEnum):
    PENALTY = "penalty"
    FEE = "fee"
    INTEREST = "interest"
    PRINCIPAL = "principal"


class WaterfallMode(StrEnum):
    INSTALLMENT_FIRST = "installment_first"
    COMPONENT_FIRST = "component_first"


DEFAULT_ORDER = (Component.PENALTY, Component.FEE, Component.INTEREST, Component.PRINCIPAL)


@dataclass(frozen=True, slots=True)
class Waterfall:
    """Which owed amounts a payment reaches first."""

    mode: WaterfallMode = WaterfallMode.INSTALLMENT_FIRST
    order: tuple[Component, ...] = DEFAULT_ORDER

    def __post_init__(self) -> None:
        if sorted(self.order) != sorted(Component):
            raise ValueError("a waterfall order must name each component exactly once")


DEFAULT_WATERFALL = Waterfall()

Owed = dict[Component, int]


def allocate(
    amount_minor: int, owed: Sequence[Owed], waterfall: Waterfall
) -> tuple[list[Owed], int]:
    """Split ``amount_minor`` over ``owed`` (oldest installment first).

    Returns the part paid of each installment's components, and what is left over.
    Money is conserved: the parts plus the leftover equal the amount.
    """
    if amount_minor < 0:
        raise ValueError("cannot allocate a negative amount")
    paid: list[Owed] = [{} for _ in owed]
    left = amount_minor
    for index, component in _visit_order(len(owed), waterfall):
        if left == 0:
            break
        take = min(left, owed[index].get(component, 0))
        if take > 0:
            paid[index][component] = take
            left -= take
    return paid, left


def _visit_order(count: int, waterfall: Waterfall) -> list[tuple[int, Component]]:
    if waterfall.mode is WaterfallMode.INSTALLMENT_FIRST:
        return [(i, c) for i in range(count) for c in waterfall.order]
    return [(i, c) for c in waterfall.order for i in range(count)]
