"""Roll rates: how loans moved between buckets from one day to another (month over month).

Each loan's bucket on a day comes from its roll history (a row per change, and
one when the cycle first saw it); a roll-rate matrix counts loans by (bucket on
the first day, bucket on the second).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from arrears.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class RollMatrix:
    start: date
    end: date
    counts: dict[tuple[str, str], int]  # (bucket at start, bucket at end) → loans

    def share(self, from_bucket: str, to_bucket: str) -> float:
        """The share of loans in ``from_bucket`` at the start that were in ``to_bucket`` at
        the end (a ratio for display, never money)."""
        total = sum(n for (f, _), n in self.counts.items() if f == from_bucket)
        return self.counts.get((from_bucket, to_bucket), 0) / total if total else 0.0


def roll_matrix(start: Mapping[str, str], end: Mapping[str, str]) -> Counter[tuple[str, str]]:
    """Loans by (bucket at start, bucket at end); only loans present at both.

    >>> sorted(roll_matrix({"L1": "M1", "L2": "M1"}, {"L1": "M2", "L2": "M0"}).items())
    [(('M1', 'M0'), 1), (('M1', 'M2'), 1)]
    """
    return Counter((bucket, end[loan_id]) for loan_id, bucket in start.items() if loan_id in end)


def month_ends(first: date, last: date) -> list[date]:
    """The last day of each month from ``first`` to ``last``, and ``last`` itself.

    >>> month_ends(date(2026, 9, 1), date(2026, 11, 29))
    [datetime.date(2026, 9, 30), datetime.date(2026, 10, 31), datetime.date(2026, 11, 29)]
    """
    ends = []
    day = first
    while day < last:
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        end = following - timedelta(days=1)
        if end >= last:
            break
        ends.append(end)
        day = following
    return [*ends, last]


def roll_rates(
    uow_factory: Callable[[], UnitOfWork], days: Sequence[date], product: str | None = None
) -> list[RollMatrix]:
    """One matrix per consecutive pair of ``days`` (over the loans of ``product`` only,
    when given)."""
    with uow_factory() as uow:
        buckets = [uow.cycle.buckets_at(day, product) for day in days]
    return [
        RollMatrix(days[i], days[i + 1], dict(roll_matrix(buckets[i], buckets[i + 1])))
        for i in range(len(days) - 1)
    ]
