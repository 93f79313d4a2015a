"""How a sender paces itself: retry delays with jitter, and rate limits as token buckets.

Retries back off exponentially with "equal jitter": half the capped exponential delay
plus a random share of the other half, so a crowd of failed messages does not return in
one wave, yet no retry comes back at once. A provider's own hint (SMPP throttling, an
SMTP 4xx with a wait) is a floor. Randomness and time are passed in: nothing here reads
the clock.

>>> retry_delay(1, base_seconds=30, cap_seconds=3600, draw=0.0)
15.0
>>> retry_delay(3, base_seconds=30, cap_seconds=3600, draw=1.0)
120.0
>>> retry_delay(20, base_seconds=30, cap_seconds=3600, draw=0.5)
2700.0
>>> retry_delay(1, base_seconds=30, cap_seconds=3600, draw=0.0, hint_seconds=60)
60.0
>>> bucket = TokenBucket(rate_per_second=10, burst=5, now=0.0)
>>> bucket.wait_for(5, now=0.0), bucket.wait_for(10, now=0.0)
(0.0, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass


def retry_delay(
    attempt: int,
    *,
    base_seconds: float,
    cap_seconds: float,
    draw: float,
    hint_seconds: float | None = None,
) -> float:
    """Seconds to wait before attempt ``attempt + 1``, after ``attempt`` failed
    (1-based); ``draw`` is a uniform random number in [0, 1]."""
    ceiling = min(cap_seconds, base_seconds * 2 ** max(attempt - 1, 0))
    delay = ceiling / 2 + draw * ceiling / 2
    return float(max(delay, hint_seconds or 0.0))


@dataclass
class TokenBucket:
    """At most ``rate_per_second`` on average, with bursts of up to ``burst``."""

    rate_per_second: float
    burst: float
    now: float  # when ``tokens`` was last brought up to date (seconds, any monotonic clock)
    tokens: float = -1.0  # -1: full

    def __post_init__(self) -> None:
        if self.rate_per_second <= 0 or self.burst <= 0:
            raise ValueError("a rate limit needs a positive rate and burst")
        if self.tokens < 0:
            self.tokens = self.burst

    def wait_for(self, count: float, now: float) -> float:
        """Take ``count`` tokens; returns how long to wait before using them (0: at once).
        Taking more than the burst is allowed and simply waits longer."""
        self.tokens = min(self.burst, self.tokens + (now - self.now) * self.rate_per_second)
        self.now = now
        self.tokens -= count
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate_per_second
