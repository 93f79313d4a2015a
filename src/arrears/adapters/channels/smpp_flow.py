"""How fast the SMPP adapter submits: a window of parts in flight, slowed when throttled.

The SMSC says "too fast" with ESME_RTHROTTLED or ESME_RMSGQFUL. Respecting it means
sending less, not retrying harder: each time, the window of unanswered submit_sm is
halved and submitting pauses, the pause doubling while the refusals go on (0.25 s, 0.5 s,
1 s … 30 s) and resetting once a part sent after the slowdown is taken; each taken part
then regrows the window by 1/window (additive increase, multiplicative decrease, as TCP).
``rate_per_second`` optionally paces parts to an account's contracted rate.

Not thread-safe by itself: the adapter holds its condition's lock around every call.

>>> flow = FlowControl(window=8, pause_seconds=0.25, rate_per_second=None)
>>> flow.wait_seconds(now=10.0), flow.room(in_flight=3, remaining=100)
(0.0, 5)
>>> flow.room(in_flight=7, remaining=100)  # one free place: wait for a burst's worth
0
>>> flow.refused(sent_at=9.9, now=10.0); flow.window_now, flow.wait_seconds(now=10.0)
(4.0, 0.25)
>>> flow.refused(sent_at=9.95, now=10.01)  # sent before the slowdown: the same congestion
>>> flow.window_now, flow.room(in_flight=4, remaining=100)
(4.0, 0)
"""

from __future__ import annotations


class FlowControl:
    """The window, the pause and the pace (see the module docstring).

    A throttle answer to a part sent before the last slowdown is the same congestion,
    not a new one: it does not halve again."""

    def __init__(self, window: int, pause_seconds: float, rate_per_second: float | None):
        self.window = window
        self.window_now = float(window)
        self.base_pause = pause_seconds
        self.pause = 0.0
        self.paused_until = 0.0
        self.slowed_at = 0.0
        self.spacing = 1.0 / rate_per_second if rate_per_second else 0.0
        self.next_send_at = 0.0

    def taken(self, sent_at: float) -> None:
        if sent_at >= self.slowed_at:
            self.pause = 0.0
            self.window_now = min(self.window, self.window_now + 1 / self.window_now)

    def refused(self, sent_at: float, now: float) -> None:
        if sent_at < self.slowed_at:
            return
        self.slowed_at = now
        self.window_now = max(1.0, self.window_now / 2)
        self.pause = min(30.0, self.pause * 2 if self.pause else self.base_pause)
        self.paused_until = now + self.pause

    def wait_seconds(self, now: float) -> float:
        """Seconds until the pause is over and the pace allows the next part."""
        return max(0.0, self.paused_until - now, self.next_send_at - now)

    def room(self, in_flight: int, remaining: int) -> int:
        """How many parts may go in one write now; 0: wait for answers first.

        Parts go in bursts of at least a quarter window (or all that remain): one write
        per part would cost a system call, and a GIL hand-over, for every part."""
        free = int(self.window_now) - in_flight
        if self.spacing:
            return min(1, free)
        burst = min(remaining, max(1, int(self.window_now) // 4))
        return min(free, remaining) if free >= burst else 0

    def sent(self, now: float) -> None:
        if self.spacing:
            self.next_send_at = max(now, self.next_send_at) + self.spacing
