"""What the replay keeps of each arrangement in force, and what it reads out of them.

A *part* is an amount an arrangement took out of an instalment (an origin, a
component); ``InForce`` holds everything one arrangement changed, so that it can be
given back exactly. The read-outs — instalment outcomes, journal postings, what a
settlement holds back — are plain functions of these records.

Journal postings are plain names (the journal turns them into accounts), by source:
``arrangement:<id>:waiver`` (罚息 waived), ``:fee`` (an extension's fee),
``:capitalised`` (a re-age's interest, 罚息 and fees turned into principal) and
``:settled`` (a settlement's rest, waived when it is paid).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from arrears.domain.allocation import Component
from arrears.domain.arrangements import (
    SEQ_BLOCK,
    ArrangementOutcome,
    ArrangementStatus,
    ArrangementTerms,
    InstalmentOutcome,
)
from arrears.domain.dues import Due

# source → (entry kind, {account: amount})
Postings = dict[str, tuple[str, dict[str, int]]]

_RECEIVABLE = {c: f"{c}_receivable" for c in Component}


@dataclass(slots=True)
class Part:
    origin: Due
    component: Component
    amount: int
    capitalised: bool = False  # paid by capitalisation (re-age) instead of moved


@dataclass(slots=True)
class InForce:
    terms: ArrangementTerms
    status: ArrangementStatus = ArrangementStatus.ACTIVE
    ended_on: date | None = None
    dues: list[Due] = field(default_factory=list)  # the instalments it made
    checked: list[Due] = field(default_factory=list)  # whose payment keeps or breaks it
    slices: list[tuple[Due, Part]] = field(default_factory=list)  # carried due ← part
    pool: list[Part] = field(default_factory=list)  # re-age: the new principal's parts
    held: list[Part] = field(default_factory=list)  # settlement: the rest, until waived
    waived: list[tuple[Due, int]] = field(default_factory=list)  # 罚息 waived, per due
    dropped: list[tuple[Due, int]] = field(default_factory=list)  # interest not yet earned
    redated: list[tuple[Due, date]] = field(default_factory=list)  # (due, original date)
    replaced: list[Due] = field(default_factory=list)  # emptied into it
    fee_due: Due | None = None
    fee: int = 0
    extra_interest: list[tuple[Due, int]] = field(default_factory=list)  # pause, accruing
    settled: dict[Component, int] = field(default_factory=dict)  # settlement waiver
    zero_instalments: list[tuple[date, int]] = field(default_factory=list)
    amounts: dict[int, int] = field(default_factory=dict)  # each instalment as made, by seq
    pause: tuple[date, date] | None = None  # frozen days (start, end]

    def capitalised(self) -> dict[Component, int]:
        total: dict[Component, int] = {}
        for part in self.pool:
            if part.capitalised:
                total[part.component] = total.get(part.component, 0) + part.amount
        return total


def fit(amounts: list[int], total: int) -> list[int]:
    """Instalment amounts made to add up to ``total``: money that arrived since the quote
    paid the earliest instalments; anything more owed goes on the last.

    >>> fit([100, 300, 300], 600), fit([100, 300, 300], 750), fit([100, 300], 50)
    ([0, 300, 300], [100, 300, 350], [0, 50])
    """
    out = list(amounts)
    difference = total - sum(out)
    if difference > 0 and out:
        out[-1] += difference
    index = 0
    while difference < 0 and index < len(out):
        cut = min(out[index], -difference)
        out[index] -= cut
        difference += cut
        index += 1
    return out


def postings_of(in_force: Sequence[InForce]) -> Postings:
    """The journal postings of the arrangements, by source (see the module's docstring)."""
    postings: Postings = {}
    for active in in_force:
        source = f"arrangement:{active.terms.arrangement_id}"
        waived = sum(amount for _, amount in active.waived)
        if waived:
            postings[f"{source}:waiver"] = (
                "waiver",
                {"waived": waived, _RECEIVABLE[Component.PENALTY]: -waived},
            )
        if active.fee:
            postings[f"{source}:fee"] = (
                "fee",
                {_RECEIVABLE[Component.FEE]: active.fee, "fee_income": -active.fee},
            )
        capitalised = {c: v for c, v in active.capitalised().items() if v}
        if capitalised:
            effect = {_RECEIVABLE[c]: -v for c, v in capitalised.items()}
            effect[_RECEIVABLE[Component.PRINCIPAL]] = sum(capitalised.values())
            postings[f"{source}:capitalised"] = ("reage", effect)
        settled = {c: v for c, v in active.settled.items() if v}
        if settled:
            effect = {_RECEIVABLE[c]: -v for c, v in settled.items()}
            effect["waived"] = sum(settled.values())
            postings[f"{source}:settled"] = ("waiver", effect)
    return postings


def held_by_component(in_force: Sequence[InForce]) -> dict[Component, int]:
    """What settlements hold back (owed, but carried by no instalment), by component."""
    held: dict[Component, int] = {}
    for active in in_force:
        for part in active.held:
            held[part.component] = held.get(part.component, 0) + part.amount
    return held


def scaled(planned: list[tuple[date, int]], accepted: int) -> list[tuple[date, int]]:
    """Planned instalments cut down (from the earliest) to what can be accepted."""
    amounts = fit([a for _, a in planned], accepted)
    return [(d, a) for (d, _), a in zip(planned, amounts, strict=True)]


def outcome_of(active: InForce, tolerance_minor: int) -> ArrangementOutcome:
    rows = []
    for due in active.checked:
        amount = active.amounts.get(due.seq, 0)
        paid = sum(due.paid().values())
        if due.fallen_due and amount - paid <= tolerance_minor:
            status = "kept"
        elif active.status is ArrangementStatus.BROKEN and due.due_date < (
            active.ended_on or due.due_date
        ):
            status = "broken"
        else:
            status = "open"
        rows.append(InstalmentOutcome(due.seq, due.due_date, amount, paid, status))
    for due_date, k in active.zero_instalments:
        rows.append(InstalmentOutcome(active.terms.number * SEQ_BLOCK + k, due_date, 0, 0, "kept"))
    rows.sort(key=lambda r: r.seq)
    return ArrangementOutcome(
        active.terms.arrangement_id,
        active.status,
        active.ended_on,
        sum(r.paid_minor for r in rows),
        tuple(rows),
    )
