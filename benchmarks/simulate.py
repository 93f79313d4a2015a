"""Simulator benchmark: how fast the borrowers' side of a simulation runs.

    python benchmarks/simulate.py                                   # the target figures
    python benchmarks/simulate.py --borrowers 20000 --days 30 --full 500 --full-days 10

Two measurements:

1. **The behaviour model alone** (domain.behaviour, domain.behaviour_day) on
   ``--borrowers`` borrowers (one loan each) for ``--days`` days: each day the
   drift, the contacts received (a third of the book gets a text, a tenth a call),
   the payments decided for the whole book, and the answers to the day's calls
   (a fifth of the late loans). Prints borrower-days per second. Target: ≥ 1,000,000
   borrower-days/s, so that a year of a 100,000-borrower book simulates in minutes.
2. **A whole simulation** (``--full`` borrowers, ``--full-days`` days, SQLite) through
   the real cycle, gate, dry-run channels, arrangements and the simulated team, with
   the seconds of each part per day: what the borrowers' side costs in the system
   (reading the book, deciding, importing payments, the team's calls) next to the
   daily cycle and the sending.

Not a timed test: it reports.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np

from arrears.domain.behaviour import drift, new_population, receive
from arrears.domain.behaviour_day import Accounts, converse, pay
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.simulator import (
    SimulatorSetup,
    behaviour_params,
    build_lender,
    shipped_challenger,
    simulate,
)
from arrears.settings import load_settings

KINDS = np.array(["on_time"] * 70 + ["late"] * 15 + ["partial"] * 8 + ["defaulting"] * 7)


def behaviour_only(borrowers: int, days: int, seed: int) -> float:
    """Seconds for ``days`` days of the behaviour model over ``borrowers`` borrowers."""
    params = behaviour_params(None)
    rng = np.random.default_rng(seed)
    people = new_population(params, rng.choice(KINDS, borrowers), rng)
    index = np.arange(borrowers, dtype=np.int64)
    dpd = np.where(rng.random(borrowers) < 0.08, rng.integers(1, 120, borrowers), 0)
    owed = np.where(dpd > 0, rng.integers(10_000, 500_000, borrowers), 0).astype(np.int64)
    zeros = np.zeros(borrowers, dtype=np.int64)
    started = time.perf_counter()
    for day in range(days):
        due = np.where(rng.random(borrowers) < 1 / 30, 50_000, 0).astype(np.int64)
        book = Accounts(index, dpd, owed, due, zeros, zeros, np.zeros(borrowers, dtype=np.bool_))
        texts = (rng.random(borrowers) < 1 / 3).astype(np.int64)
        calls = (rng.random(borrowers) < 1 / 10).astype(np.int64)
        drift(params, people, rng)
        receive(params, people, {"sms": texts, "call": calls}, zeros, day, rng)
        paid = pay(params, people, book, day, rng)
        called = index[(dpd > 0) & (rng.random(borrowers) < 0.2)]
        converse(params, people, called, np.zeros(len(called), dtype=np.bool_), rng)
        owed = np.maximum(owed - paid, 0)
    return time.perf_counter() - started


def full_simulation(borrowers: int, days: int, seed: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="arrears-simulate-"))
    app = App(load_settings(f"sqlite:///{folder / 'sim.db'}"))
    app.init()
    setup = SimulatorSetup(
        borrowers, days, seed, challenger_text=shipped_challenger("cn"),
        share_percent=Decimal(20), end=date(2026, 11, 29),
    )  # fmt: skip
    started = time.perf_counter()
    lender = build_lender(app, setup)
    built = time.perf_counter() - started
    started = time.perf_counter()
    simulation = simulate(lender, setup)
    seconds = time.perf_counter() - started
    loans, people = simulation.book.size, len(simulation.book.borrower_ids)
    print(f"whole simulation: {people:,} borrowers ({loans:,} loans), {days} days on SQLite:"
          f" lender built in {built:.1f} s; simulated in {seconds:.1f} s"
          f" ({seconds / days:.2f} s/day, of which the start day's cycle"
          f" {seconds - sum(simulation.seconds.values()):.1f} s)")  # fmt: skip
    parts = simulation.seconds
    print("  s/day: " + ", ".join(f"{part} {parts[part] / days:.3f}" for part in sorted(parts)))
    own = sum(v for part, v in parts.items() if part not in ("cycle", "sending"))
    print(f"  the simulator's own work (all but the cycle and the sending):"
          f" {own / days:.3f} s/day, {people * days / own:,.0f} borrower-days/s")  # fmt: skip
    app.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--borrowers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--full", type=int, default=2_000, help="borrowers of the whole run")
    parser.add_argument("--full-days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    seconds = behaviour_only(args.borrowers, args.days, args.seed)
    print(f"behaviour model: {args.borrowers:,} borrowers x {args.days} days in {seconds:.2f} s,"
          f" {args.borrowers * args.days / seconds:,.0f} borrower-days/s")  # fmt: skip
    if args.full:
        full_simulation(args.full, args.full_days, args.seed)


if __name__ == "__main__":
    main()
