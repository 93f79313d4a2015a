"""The simulator: a synthetic lender's borrowers living day by day through the real
daily cycle, compliance gate, channels, arrangements and a simulated agent team.

Each simulated day, in order:

1. **Morning**: what reached each borrower yesterday (messages the providers took,
   calls answered, visits that found them) moves them (domain.behaviour.receive);
   incomes shift (``drift``); some reply 退订/STOP, some ask for a plan.
2. **Payments** dated today, decided for the whole book at once (domain.behaviour_day
   .pay) from the arrears the last cycle found, and imported as the lender's core
   system would send them.
3. **The daily cycle** for today (services.cycle.run_cycle): arrears, buckets,
   promises and arrangements kept or broken, the strategy's actions, the gate.
4. **Sending**: the day's permitted messages go out through the channels (the
   caller's ``send``; dry-run adapters in the simulator).
5. **The agent team** works the day's call and visit queues up to its capacity,
   each contact under its permit (services.agent_work); borrowers answer (``converse``):
   promises are recorded, plans asked for, disputes flagged.

The borrowers' side is columnar (numpy) and drawn from one seeded generator; the
lender's side is the real system, so a strategy's effect on money and people shows
exactly as it would in the book. Outcomes per arm: services.simulation_outcomes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from time import perf_counter

import numpy as np

from arrears.domain.behaviour import (
    CHANNELS,
    BehaviourParams,
    Bools,
    Ints,
    drift,
    new_population,
    receive,
)
from arrears.domain.behaviour_day import Accounts, pay
from arrears.domain.money import exponent_of, format_major
from arrears.domain.records import PaymentRecord
from arrears.domain.strategy import Arm, arm_for, arm_slot
from arrears.services import importing
from arrears.services.cycle import CycleOptions, run_cycle
from arrears.services.ports import UnitOfWork
from arrears.services.simulated_team import Team, TeamDay

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class SimulationOptions:
    start: date  # the first simulated day
    days: int
    seed: int
    challenger_share: Decimal  # percent of loans on the challenger's arm
    cycle: CycleOptions
    payment_channel: str = "bank_transfer"


@dataclass(slots=True)
class Book:
    """The loans the simulation follows (arrays by loan, in loan id order)."""

    loan_ids: list[str]
    borrower_ids: list[str]  # by borrower index
    borrower: Ints  # each loan's borrower index
    challenger: Bools  # by loan: on the challenger's arm
    currency: str
    # what happened, by loan
    recovered_minor: Ints = field(init=False)
    paid_minor: Ints = field(init=False)
    ever_late: Bools = field(init=False)
    contacts: Ints = field(init=False)  # by channel (CHANNELS order), then loan
    planned_day: Ints = field(init=False)  # a payment the borrower settled on: its day
    planned_minor: Ints = field(init=False)
    buckets: list[tuple[date, list[str]]] = field(default_factory=list)  # snapshots

    def __post_init__(self) -> None:
        size = len(self.loan_ids)
        self.recovered_minor = np.zeros(size, dtype=np.int64)
        self.paid_minor = np.zeros(size, dtype=np.int64)
        self.ever_late = np.zeros(size, dtype=np.bool_)
        self.contacts = np.zeros((len(CHANNELS), size), dtype=np.int64)
        self.planned_day = np.full(size, -1, dtype=np.int64)
        self.planned_minor = np.zeros(size, dtype=np.int64)

    @property
    def size(self) -> int:
        return len(self.loan_ids)


@dataclass(frozen=True, slots=True)
class Morning:
    """The book as the last cycle left it (arrays by loan)."""

    dpd: Ints
    buckets: list[str]
    owed_minor: Ints
    due_today_minor: Ints
    outstanding_minor: Ints


def read_morning(uow_factory: Callable[[], UnitOfWork], book: Book, day: date) -> Morning:
    with uow_factory() as uow:
        rows = uow.simulation.accounts(day)
    if [row[0] for row in rows] != book.loan_ids:
        raise RuntimeError("the loans the cycle follows changed during the simulation")
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8
    return Morning(
        np.array(columns[3], dtype=np.int64), list(columns[4]),
        np.maximum(np.array(columns[5], dtype=np.int64), 0),
        np.array(columns[6], dtype=np.int64), np.array(columns[7], dtype=np.int64),
    )  # fmt: skip


class Simulation:
    """One run; ``run`` drives the days, the rest are the day's parts."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        params: BehaviourParams,
        kinds: dict[str, str],
        options: SimulationOptions,
        send: Callable[[date], None],
        team: Team,
        clock: Callable[[date, int], datetime],
    ):
        self.uow_factory, self.params, self.options = uow_factory, params, options
        self.send, self.team, self.clock = send, team, clock
        self.rng = np.random.default_rng(options.seed)
        self.book = self._book()
        first_kind = {}
        for loan_id, who in zip(self.book.loan_ids, self.book.borrower.tolist(), strict=True):
            first_kind.setdefault(who, kinds.get(loan_id, "on_time"))
        names = np.array([first_kind[i] for i in range(len(self.book.borrower_ids))])
        self.people = new_population(params, names, self.rng)
        self.days_run = 0
        self.seconds: Counter[str] = Counter()
        self.team_days: list[TeamDay] = []

    def _book(self) -> Book:
        start = self.options.start
        run_cycle(self.uow_factory, start, lambda: self.clock(start, 6), options=self.options.cycle)
        with self.uow_factory() as uow:
            rows = uow.simulation.accounts(start)
        loan_ids = [row[0] for row in rows]
        borrower_ids = sorted({row[1] for row in rows})
        index = {b: i for i, b in enumerate(borrower_ids)}
        share = self.options.challenger_share
        challenger = np.array(
            [arm_for(arm_slot(loan), share) is Arm.CHALLENGER for loan in loan_ids]
        )
        currency = rows[0][2] if rows else "CNY"
        borrower = np.array([index[row[1]] for row in rows], dtype=np.int64)
        return Book(loan_ids, borrower_ids, borrower, challenger, currency)

    def run(self, progress: Progress | None = None) -> Iterator[date]:
        """Run every day after the start; yields each day once it is done. The seconds
        each part took add up in ``seconds`` (the benchmark prints them)."""
        talked: dict[str, Ints] = {}
        timed = self._timed
        for offset in range(1, self.options.days + 1):
            day = self.options.start + timedelta(days=offset)
            with timed("borrowers"):
                self._morning(day - timedelta(days=1), day, talked)
                morning = read_morning(self.uow_factory, self.book, day)
                self._note(day, morning)
            with timed("arrangements"):
                self.team.make_arrangements(day, morning, self.book, self.people, self.rng)
            with timed("payments"):
                self._pay(day, morning)
            with timed("cycle"):
                run_cycle(self.uow_factory, day, lambda d=day: self.clock(d, 6),
                          options=self.options.cycle)  # fmt: skip
            with timed("sending"):
                self.send(day)
            with timed("team"):
                worked = self.team.work_day(day, morning, self.people, self.book, self.rng)
            self.team_days.append(worked)
            talked = worked.talked
            self.days_run += 1
            if progress is not None:
                progress(1)
            yield day

    @contextmanager
    def _timed(self, part: str) -> Iterator[None]:
        started = perf_counter()
        try:
            yield
        finally:
            self.seconds[part] += perf_counter() - started

    def last_morning(self) -> Morning:
        """The book as the last simulated day's cycle left it."""
        after = self.options.start + timedelta(days=self.days_run + 1)
        return read_morning(self.uow_factory, self.book, after)

    def _morning(self, yesterday: date, day: date, talked: dict[str, Ints]) -> None:
        """Yesterday's contacts reach the borrowers; what they do about them."""
        size = len(self.book.borrower_ids)
        received = {channel: np.zeros(size, dtype=np.int64) for channel in CHANNELS}
        offers = np.zeros(size, dtype=np.int64)
        index = {b: i for i, b in enumerate(self.book.borrower_ids)}
        with self.uow_factory() as uow:
            rows = uow.simulation.received(yesterday)
        for borrower_id, channel, template, count in rows:
            who = index.get(borrower_id)
            if who is None or channel not in received:
                continue
            received[channel][who] += count
            if template == "plan_offer":
                offers[who] += count
        for channel, counts in talked.items():
            received[channel] += counts
        self._count_contacts(received)
        drift(self.params, self.people, self.rng)
        reactions = receive(self.params, self.people, received, offers, day.toordinal(), self.rng)
        self.team.react(day, reactions, self.book)

    def _count_contacts(self, received: dict[str, Ints]) -> None:
        """Contacts by channel, counted on each loan of the borrower (a reminder about one
        loan is a contact about the borrower's debt)."""
        for row, channel in enumerate(CHANNELS):
            self.book.contacts[row] += received[channel][self.book.borrower]

    def _note(self, day: date, morning: Morning) -> None:
        self.book.ever_late |= morning.dpd > 0
        if (day - self.options.start).days % 30 == 1:
            self.book.buckets.append((day - timedelta(days=1), morning.buckets))

    def _pay(self, day: date, morning: Morning) -> None:
        """Today's payments, decided at once and imported as one batch."""
        book = self.book
        ordinal = day.toordinal()
        planned = np.where(book.planned_day == ordinal, book.planned_minor, 0)
        plan_due, keeper = self.team.plan_today(day, book)
        accounts = Accounts(
            book.borrower, morning.dpd, morning.owed_minor, morning.due_today_minor,
            planned, plan_due, keeper, 10 ** exponent_of(book.currency),
        )  # fmt: skip
        amounts = pay(self.params, self.people, accounts, ordinal, self.rng)
        paying = np.flatnonzero(amounts > 0)
        book.paid_minor += amounts
        book.recovered_minor += np.minimum(amounts, morning.owed_minor)
        records = [
            PaymentRecord(
                f"sim:{day.isoformat()}:{book.loan_ids[i]}",
                book.loan_ids[i],
                day,
                Decimal(format_major(int(amounts[i]), book.currency)),
                book.currency,
                self.options.payment_channel,
            )
            for i in paying.tolist()
        ]
        if records:
            importing.import_payments(
                self.uow_factory, importing.record_rows(records), self.clock(day, 5)
            )
