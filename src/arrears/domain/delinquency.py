"""Buckets: named ranges of days past due (DPD).

>>> DEFAULT_BUCKETS.label_for(45)
'M2'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bucket:
    label: str
    min_dpd: int
    max_dpd: int | None  # None: open-ended

    def holds(self, dpd: int) -> bool:
        return self.min_dpd <= dpd and (self.max_dpd is None or dpd <= self.max_dpd)


@dataclass(frozen=True, slots=True)
class Buckets:
    """Contiguous, non-overlapping ranges from DPD 0 upward, the last open-ended."""

    ranges: tuple[Bucket, ...]

    def __post_init__(self) -> None:
        expected_min = 0
        for index, bucket in enumerate(self.ranges):
            if bucket.min_dpd != expected_min:
                raise ValueError(f"bucket {bucket.label} must start at DPD {expected_min}")
            if bucket.max_dpd is None:
                if index != len(self.ranges) - 1:
                    raise ValueError(f"only the last bucket may be open-ended, not {bucket.label}")
                break
            if bucket.max_dpd < bucket.min_dpd:
                raise ValueError(f"bucket {bucket.label} ends before it starts")
            expected_min = bucket.max_dpd + 1
        if not self.ranges or self.ranges[-1].max_dpd is not None:
            raise ValueError("the last bucket must be open-ended")

    def label_for(self, dpd: int) -> str:
        for bucket in self.ranges:
            if bucket.holds(dpd):
                return bucket.label
        raise ValueError(f"negative DPD {dpd}")

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.ranges]


def monthly_buckets(count: int = 8) -> Buckets:
    """M0 current, M1 1–30, M2 31–60, …, the last open-ended (M7 181+ by default)."""
    ranges = [Bucket("M0", 0, 0)]
    for k in range(1, count):
        upper = None if k == count - 1 else 30 * k
        ranges.append(Bucket(f"M{k}", 30 * (k - 1) + 1, upper))
    return Buckets(tuple(ranges))


DEFAULT_BUCKETS = monthly_buckets()
