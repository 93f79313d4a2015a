"""The daily cycle: one day for the whole portfolio, idempotent and in date order.

A day is one transaction: rebuild the loans whose history changed from the
per-loan reference, advance every other loan by the set-based steps (late fees,
installments falling due, 罚息, status, roll history, journal), settle promises,
roll up contact status, plan and gate the day's actions, and record the day.
Killed half way, nothing of the day remains; run again, it runs once. A day
already run is not run again: its stored summary is returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from arrears.domain.calendar import day_number
from arrears.domain.delinquency import DEFAULT_BUCKETS
from arrears.domain.gate import Gate
from arrears.domain.terms import Overpayment
from arrears.services import cycle_actions, cycle_rebuild
from arrears.services.compliance_gate import ComplianceGate
from arrears.services.errors import Conflict
from arrears.services.ports import UnitOfWork
from arrears.services.promises import product_tolerances

Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclass(frozen=True, slots=True)
class CycleOptions:
    """What the cycle takes from the settings: the gate, 失联 threshold, default zone."""

    gate: Gate | None = None  # None: the compliance gate of the packs active in the store
    lost_contact_attempts: int = 10
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class DayReport:
    as_of: date
    already_run: bool
    summary: dict[str, object] = field(default_factory=dict)


def run_cycle(
    uow_factory: Callable[[], UnitOfWork],
    as_of: date,
    clock: Callable[[], datetime],
    *,
    catch_up: bool = False,
    progress: Progress | None = None,
    options: CycleOptions | None = None,
) -> list[DayReport]:
    """Run the cycle through ``as_of``: each missing day in order when ``catch_up``.

    Refuses a gap without ``catch_up``, naming the last completed day.
    """
    with uow_factory() as uow:
        last = uow.cycle.last_day()
        if last is not None and as_of <= last:
            summary = uow.cycle.day_summary(as_of)
            if summary is None:
                raise Conflict(
                    f"the cycle has run through {last}; {as_of} was before its first day"
                )
            return [DayReport(as_of, True, summary)]
    days = [as_of] if last is None else _days_after(last, as_of)
    if len(days) > 1 and not catch_up:
        missing = str(days[0]) if len(days) == 2 else f"{days[0]} … {days[-2]}"
        raise Conflict(
            f"the last completed cycle day is {last}; {as_of} would skip {missing}:"
            " run with --catch-up to run the missing days in order"
        )
    options = options or CycleOptions()
    return [_run_day(uow_factory, day, clock, progress, options) for day in days]


def _days_after(last: date, through: date) -> list[date]:
    return [last + timedelta(days=n) for n in range(1, (through - last).days + 1)]


def _run_day(
    uow_factory: Callable[[], UnitOfWork],
    day: date,
    clock: Callable[[], datetime],
    progress: Progress | None,
    options: CycleOptions,
) -> DayReport:
    started = clock()
    timer = _Timer()
    number = day_number(day)
    report: dict[str, object] = {"as_of": day.isoformat()}
    with uow_factory() as uow:
        cycle = uow.cycle
        cycle.open_day()
        rebuilds, resync = cycle.choose_rebuilds(number, day, _prepay_products(uow))
        timer.lap("choose")
        label = f"cycle {day}: rebuild changed loans"

        def rebuilt(done: int) -> None:
            if progress:
                progress(label, done, len(rebuilds))

        rolled, rebuilt_entries = cycle_rebuild.rebuild_loans(
            uow, rebuilds, resync, day, started, rebuilt
        )
        timer.lap("rebuild")
        _load_rules(uow, number)
        fees = cycle.charge_late_fees(number)
        fallen = cycle.fall_due(number)
        paying = cycle.apply_payments(number, day)
        penalties = cycle.accrue_penalty(number)
        timer.lap("accrue")
        rolled += cycle.refresh_status(number, day)
        timer.lap("status")
        entries = cycle.post_accruals(day, started) + rebuilt_entries
        timer.lap("journal")
        kept, broken = uow.contacts.settle_promises(day, product_tolerances(uow.ledger))
        uow.contacts.summarize_contacts(options.lost_contact_attempts)
        timer.lap("promises and contacts")
        gate = options.gate or ComplianceGate.of(uow)
        actions = cycle_actions.plan_actions(uow, day, started, gate, options.timezone)
        timer.lap("actions")
        buckets = cycle.bucket_counts()
        report.update(
            loans=sum(buckets.values()),
            buckets=_ordered(buckets),
            transitions=cycle.transitions(day),
            rebuilt=len(rebuilds),
            late_fees=fees,
            installments_fallen_due=fallen,
            loans_paying_set_based=paying,
            loans_accruing_penalty=penalties,
            journal_entries=entries,
            bucket_changes=rolled,
            promises={"kept": kept, "broken": broken},
            actions={channel: sum(by.values()) for channel, by in sorted(actions.items())},
            actions_by_status=actions,
        )
        timer.lap("summary")
        report["seconds"] = round(timer.total(), 3)
        report["step_seconds"] = timer.laps
        cycle.close_day()
        cycle.record_day(day, started, clock(), report)
        uow.commit()
    return DayReport(day, False, report)


def _load_rules(uow: UnitOfWork, number: int) -> None:
    products = uow.cycle.products_in_play(number)
    uow.cycle.load_rules({name: uow.ledger.product_rules(name) for name in products})


def _prepay_products(uow: UnitOfWork) -> list[str]:
    """Products whose overpayments reduce principal (re-amortised by the rebuild path)."""
    return [
        name
        for name in uow.ledger.product_models()
        if uow.ledger.product_rules(name).overpayment is Overpayment.PREPAY_PRINCIPAL
    ]


def _ordered(counts: dict[str, int]) -> dict[str, int]:
    """Buckets in DPD order where they are the default labels, others after by name."""
    known = {label: index for index, label in enumerate(DEFAULT_BUCKETS.labels)}
    return dict(sorted(counts.items(), key=lambda kv: (known.get(kv[0], len(known)), kv[0])))


class _Timer:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self.last, 3)
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.start
