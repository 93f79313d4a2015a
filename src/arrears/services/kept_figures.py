"""Figures that take long to compute, kept and served at once, refreshed behind the reader.

The manager's dashboard reads every report over the whole book: seconds on a large one,
while a page must answer in a fraction of one. ``KeptFigures`` keeps the last figures per
key (the filters asked for) and answers with them:

- nothing kept for the key, or kept for another *edition* (the daily cycle has run another
  day since): computed now, the caller waits — figures of another day would mislead;
- kept longer than ``max_age``: answered at once, and computed again in a thread behind
  it (one computation per key at a time), so the next reader sees the new figures;
- ``fresh=True`` (the page's "refresh now"): computed now.

Every answer says when its figures were computed, for the page to show.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True, eq=False)  # one computation's figures: hashed by identity
class Kept(Generic[V]):
    value: V
    computed_at: datetime
    edition: Hashable


class KeptFigures(Generic[K, V]):
    """Figures per key; see the module's docstring."""

    def __init__(
        self,
        compute: Callable[[K], V],
        edition: Callable[[], Hashable],
        clock: Callable[[], datetime],
        max_age: timedelta = timedelta(minutes=1),
        keys_kept: int = 32,
    ) -> None:
        self._compute = compute
        self._edition = edition
        self._clock = clock
        self._max_age = max_age
        self._keys_kept = keys_kept
        self._kept: OrderedDict[K, Kept[V]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[K, threading.Lock] = {}
        self._refreshing: set[K] = set()

    def get(self, key: K, fresh: bool = False) -> Kept[V]:
        """The figures for ``key``: kept ones where they still serve, otherwise computed."""
        edition = self._edition()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
        if fresh or kept is None or kept.edition != edition:
            return self._compute_now(key, edition, kept)
        if self._clock() - kept.computed_at > self._max_age:
            self.refresh(key)
        return kept

    def refresh(self, key: K) -> None:
        """Compute ``key``'s figures again in a thread (unless that is already under way)."""
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        with self._lock:
            stale = self._kept.get(key)

        def run() -> None:
            try:
                self._compute_now(key, self._edition(), stale)
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        threading.Thread(target=run, name="kept-figures", daemon=True).start()

    def forget(self) -> None:
        """Drop every kept figure (after the book changed under them at once)."""
        with self._lock:
            self._kept.clear()

    def _compute_now(self, key: K, edition: Hashable, seen: Kept[V] | None) -> Kept[V]:
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:  # one computation per key: a second reader waits for the first's
            with self._lock:
                kept = self._kept.get(key)
            if kept is not None and kept is not seen and kept.edition == edition:
                return kept  # computed meanwhile by the reader we waited for
            started = self._clock()
            kept = Kept(self._compute(key), started, edition)
            with self._lock:
                self._kept[key] = kept
                self._kept.move_to_end(key)
                while len(self._kept) > self._keys_kept:
                    self._kept.popitem(last=False)
            return kept
