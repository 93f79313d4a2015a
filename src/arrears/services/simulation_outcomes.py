"""What a simulation did to money and people, per arm, and how sure the champion vs
challenger differences are.

Measures (docs/simulator.md, "The outcome report"):

- **recovery**: money paid on past-due balances / (that money + what is still past due
  at the end): of the money that was in arrears during the run, the share that came
  back. Bootstrap 95 % interval over loans.
- **cure rate**: of loans past due on any morning of the run (or at its end), the
  share current at the end. Normal-approximation interval for two proportions.
- **roll forward** Mx: of loans in bucket Mx at the start of each 30-day window, the
  share in a worse bucket at its end (pooled over the windows).
- **contacts** by channel (messages the providers took, calls answered or not, visits),
  **contacts per account**, and **contacts per 1,000** (currency units) recovered.
- **promises** made and kept, **arrangements** made, kept and broken (from the store),
  **complaints** (borrowers contacted beyond their tolerance), and **gate denials** by
  rule (from the store).

Money stays in integer minor units; the rates and intervals are statistics of a
random process and are floats, shown rounded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from math import sqrt
from typing import TYPE_CHECKING

import numpy as np

from arrears.domain.behaviour import CHANNELS, Bools, Floats, Ints
from arrears.domain.delinquency import DEFAULT_BUCKETS
from arrears.domain.money import exponent_of
from arrears.services.compliance import RuleCount, decisions_by_rule
from arrears.services.ports import UnitOfWork
from arrears.services.report_ports import ArmCountRow
from arrears.services.reports import rate_percent

if TYPE_CHECKING:
    from arrears.services.simulation import Book, Morning, Simulation

ARMS = ("champion", "challenger")
Z95 = 1.959964  # the normal quantile of a two-sided 95 % interval
BOOTSTRAP_SAMPLES = 400


@dataclass(frozen=True, slots=True)
class ArmOutcome:
    arm: str
    loans: int
    borrowers: int
    overdue_minor: int  # recovered + past due at the end
    recovered_minor: int
    recovery_percent: Decimal | None
    late_loans: int
    cured: int
    cure_percent: Decimal | None
    roll_forward_percent: dict[str, Decimal | None]  # by starting bucket
    contacts: dict[str, int]  # by channel
    contacts_per_account: Decimal | None
    contacts_per_1000_recovered: Decimal | None
    promises_made: int
    promises_kept: int
    arrangements: dict[str, int]  # made, kept, broken, active, cancelled
    complaints: int
    denials: dict[str, int]  # by rule


@dataclass(frozen=True, slots=True)
class Difference:
    """Challenger minus champion, with its 95 % interval (None: an arm has no cases)."""

    measure: str
    champion: float | None
    challenger: float | None
    difference: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class Outcomes:
    currency: str
    days: int
    arms: list[ArmOutcome]
    differences: list[Difference] = field(default_factory=list)


def outcomes(
    uow_factory: Callable[[], UnitOfWork], simulation: Simulation, last: Morning
) -> Outcomes:
    """The outcome report of a finished simulation; ``last`` is the book after its last
    cycle."""
    book = simulation.book
    book.ever_late |= last.dpd > 0
    end = simulation.options.start + timedelta(days=simulation.days_run)
    if not book.buckets or book.buckets[-1][0] != end:
        book.buckets.append((end, last.buckets))
    first = simulation.options.start  # the cycle's first day: the simulation's whole record
    with uow_factory() as uow:
        promises = uow.activity_reports.arm_promises(first, end)
        arranged = uow.simulation.arrangement_outcomes()
    denied = decisions_by_rule(uow_factory, first, end, "denied", by_arm=True)
    complaints = _complaints_by_loan(book, simulation.people.complaints)
    arms = [
        _arm(name, mask, book, last, complaints, promises, arranged, denied)
        for name, mask in _arm_masks(book)
        if mask.any()
    ]
    differences = _differences(book, last, complaints, arms, simulation.options.seed)
    return Outcomes(book.currency, simulation.days_run, arms, differences)


def _arm_masks(book: Book) -> list[tuple[str, Bools]]:
    return [("champion", ~book.challenger), ("challenger", book.challenger)]


def _complaints_by_loan(book: Book, complaints: Ints) -> Ints:
    """Each borrower's complaints, on their first loan (so an arm counts each once)."""
    by_loan = np.zeros(book.size, dtype=np.int64)
    first = np.unique(book.borrower, return_index=True)[1]
    by_loan[first] = complaints[book.borrower[first]]
    return by_loan


def _arm(
    name: str, mask: Bools, book: Book, last: Morning, complaints: Ints,
    promises: Sequence[ArmCountRow],
    arranged: Sequence[tuple[str, str, str]], denied: Sequence[RuleCount],
) -> ArmOutcome:  # fmt: skip
    recovered = int(book.recovered_minor[mask].sum())
    overdue = recovered + int(last.owed_minor[mask].sum())
    late = book.ever_late & mask
    cured = int((late & (last.dpd == 0)).sum())
    contacts = {c: int(book.contacts[i][mask].sum()) for i, c in enumerate(CHANNELS)}
    total = sum(contacts.values())
    loans = int(mask.sum())
    per_1000 = None
    if recovered:
        unit = 10 ** exponent_of(book.currency)
        per_1000 = Decimal(total * 1000 * unit) / Decimal(recovered)
    made: Counter[str] = Counter()  # promises, kept (over the currencies)
    for row in promises:
        if row.arm == name:
            made[row.kind] += row.number
    denials: Counter[str] = Counter()  # by rule, over the days and channels
    for count in denied:
        if count.arm == name:
            denials[count.rule] += count.actions
    in_arm = {loan for loan, m in zip(book.loan_ids, mask.tolist(), strict=True) if m}
    statuses = Counter(status for loan, _, status in arranged if loan in in_arm)
    return ArmOutcome(
        name, loans, len(np.unique(book.borrower[mask])), overdue, recovered,
        rate_percent(recovered, overdue), int(late.sum()), cured,
        rate_percent(cured, int(late.sum())), _roll_forward(book, mask), contacts,
        _quantize(Decimal(total) / loans) if loans else None,
        _quantize(per_1000) if per_1000 is not None else None,
        made["promises"], made["kept"],
        {"made": sum(statuses.values()), **{s: statuses[s] for s in
                                           ("kept", "broken", "active", "cancelled")}},
        int(complaints[mask].sum()), dict(sorted(denials.items())),
    )  # fmt: skip


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _roll_forward(book: Book, mask: Bools) -> dict[str, Decimal | None]:
    """Per starting bucket M1…M3: the share of loans in it at a window's start that are
    in a worse bucket at the window's end, pooled over the 30-day windows."""
    order = {label: k for k, label in enumerate(DEFAULT_BUCKETS.labels)}
    counts: Counter[tuple[str, bool]] = Counter()
    for (_, before), (_, after) in zip(book.buckets, book.buckets[1:], strict=False):
        for start, end, inside in zip(before, after, mask.tolist(), strict=True):
            if inside and start != DEFAULT_BUCKETS.labels[0]:
                counts[(start, order[end] > order[start])] += 1
    labels = DEFAULT_BUCKETS.labels[1:4]
    return {
        label: rate_percent(counts[(label, True)], counts[(label, True)] + counts[(label, False)])
        for label in labels
    }


# -- champion vs challenger ----------------------------------------------------------------
def _differences(
    book: Book, last: Morning, complaints: Ints, arms: list[ArmOutcome], seed: int
) -> list[Difference]:
    if len(arms) < 2:
        return []
    rng = np.random.default_rng(seed)
    masks = [mask for _, mask in _arm_masks(book)]
    champion, challenger = arms
    return [
        _recovery_difference(book, last, masks, rng),
        _proportion_difference("cure rate %", [(a.cured, a.late_loans) for a in arms]),
        _mean_difference("contacts per account", [book.contacts.sum(axis=0)[m] for m in masks]),
        _mean_difference("complaints per account", [complaints[m] for m in masks]),
        _proportion_difference(
            "promises kept %",
            [
                (champion.promises_kept, champion.promises_made),
                (challenger.promises_kept, challenger.promises_made),
            ],
        ),
    ]


def _recovery_difference(
    book: Book, last: Morning, masks: list[Bools], rng: np.random.Generator
) -> Difference:
    """Recovery % per arm and a bootstrap interval of the difference (loans resampled
    within each arm, ``BOOTSTRAP_SAMPLES`` times)."""
    shares: list[Floats] = []
    points: list[float | None] = []
    for mask in masks:
        paid = book.recovered_minor[mask].astype(np.float64)
        exposure = paid + last.owed_minor[mask]
        keep = exposure > 0
        paid, exposure = paid[keep], exposure[keep]
        if not len(paid):
            return Difference("recovery %", None, None, None, None, None)
        points.append(100 * paid.sum() / exposure.sum())
        picks = rng.integers(0, len(paid), (BOOTSTRAP_SAMPLES, len(paid)))
        shares.append(100 * paid[picks].sum(axis=1) / exposure[picks].sum(axis=1))
    spread = shares[1] - shares[0]
    low, high = np.percentile(spread, [2.5, 97.5]).tolist()
    champion, challenger = points
    assert champion is not None and challenger is not None
    return Difference("recovery %", champion, challenger, challenger - champion, low, high)


def _proportion_difference(measure: str, cases: list[tuple[int, int]]) -> Difference:
    (hits_a, n_a), (hits_b, n_b) = cases
    if not n_a or not n_b:
        return Difference(measure, None, None, None, None, None)
    p_a, p_b = hits_a / n_a, hits_b / n_b
    spread = Z95 * sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    d = p_b - p_a
    return Difference(measure, 100 * p_a, 100 * p_b, 100 * d, 100 * (d - spread),
                      100 * (d + spread))  # fmt: skip


def _mean_difference(measure: str, samples: list[Ints]) -> Difference:
    a, b = (np.asarray(s, dtype=np.float64) for s in samples)
    if len(a) < 2 or len(b) < 2:
        return Difference(measure, None, None, None, None, None)
    d = float(b.mean() - a.mean())
    spread = Z95 * sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return Difference(measure, float(a.mean()), float(b.mean()), d, d - spread, d + spread)
