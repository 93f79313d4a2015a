"""One instalment while a loan is replayed: what it owes and what was paid of it.

``carried`` marks an instalment an arrangement made out of amounts that had
already fallen due (its interest, 罚息 and fees were recognised when they first
fell): it earns no late fee of its own and recognises nothing when it falls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from arrears.domain.allocation import Component


@dataclass(slots=True)
class Due:
    seq: int
    due_date: date
    principal: int
    interest: int
    penalty: int = 0
    fee: int = 0
    paid_principal: int = 0
    paid_interest: int = 0
    paid_penalty: int = 0
    paid_fee: int = 0
    fallen_due: bool = False
    carried: bool = False
    replaced: bool = False  # emptied by a re-age or settlement: no longer a schedule date
    arrangement: int = 0  # the number of the arrangement that made it (0: the schedule)

    def unpaid_principal(self) -> int:
        return self.principal - self.paid_principal

    def unpaid_total(self) -> int:
        return (
            self.principal + self.interest + self.penalty + self.fee
            - self.paid_principal - self.paid_interest - self.paid_penalty - self.paid_fee
        )  # fmt: skip

    def unpaid(self, component: Component) -> int:
        return self.owed_of(component) - self.paid_of(component)

    def unpaid_all(self) -> dict[Component, int]:
        return {
            Component.PENALTY: self.penalty - self.paid_penalty,
            Component.FEE: self.fee - self.paid_fee,
            Component.INTEREST: self.interest - self.paid_interest,
            Component.PRINCIPAL: self.principal - self.paid_principal,
        }

    def owed_of(self, component: Component) -> int:
        if component is Component.PRINCIPAL:
            return self.principal
        if component is Component.INTEREST:
            return self.interest
        if component is Component.PENALTY:
            return self.penalty
        return self.fee

    def paid_of(self, component: Component) -> int:
        if component is Component.PRINCIPAL:
            return self.paid_principal
        if component is Component.INTEREST:
            return self.paid_interest
        if component is Component.PENALTY:
            return self.paid_penalty
        return self.paid_fee

    def owe(self, component: Component, amount: int) -> None:
        """Change what is owed of a component by ``amount`` (negative: less)."""
        if component is Component.PRINCIPAL:
            self.principal += amount
        elif component is Component.INTEREST:
            self.interest += amount
        elif component is Component.PENALTY:
            self.penalty += amount
        else:
            self.fee += amount

    def pay(self, component: Component, amount: int) -> None:
        if component is Component.PRINCIPAL:
            self.paid_principal += amount
        elif component is Component.INTEREST:
            self.paid_interest += amount
        elif component is Component.PENALTY:
            self.paid_penalty += amount
        else:
            self.paid_fee += amount

    def owed(self) -> dict[Component, int]:
        return {c: self.owed_of(c) for c in Component}

    def paid(self) -> dict[Component, int]:
        return {c: self.paid_of(c) for c in Component}
