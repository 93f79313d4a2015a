"""Dispatcher benchmark: messages/s from the outbox to a handset, the whole way.

    python benchmarks/dispatch.py --messages 20000            # SQLite, loopback SMSC
    python benchmarks/dispatch.py --messages 2000             # small, as CI runs it

Builds N loans whose borrowers each get one text today (the `cn` and `house` packs
active), runs the day's cycle — which puts N messages in the outbox — and times
`arrears dispatch`'s work through an SMPP adapter bound to the loopback SMSC (in a
process of its own, as a real SMSC would be): claiming,
composing each text from its template in the borrower's language, the gate's judgement
of each at the moment of sending (written to the audit log), submitting, and recording
each outcome and contact attempt. Prints messages/s and where the time went. Not a
timed test: it reports. (benchmarks/channels.py measures the SMPP adapter alone.)
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from arrears.adapters.channels.smpp import SmppAdapter
from arrears.entrypoints.batch.memory import collector_paused
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.channels import build_dispatcher
from arrears.services import compliance, importing, strategies
from arrears.services.cycle import run_cycle
from arrears.services.synthetic_portfolio import generate_portfolio
from arrears.settings import load_settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support

STRATEGY = """
name: text-everyone
description: one text to every borrower today (a dispatcher load)
segments:
  - name: all
    when: {}
    steps:
      - {days: {from: -400, every: 1}, action: sms, template: due_reminder, priority: 10}
"""


def build(app: App, count: int) -> datetime:
    """``count`` loans with a text each in the outbox; returns a moment to send them."""
    day = datetime.now(UTC).date()
    now = datetime.now(UTC)
    compliance.load_shipped_packs(
        app.uow_factory, compliance.shipped_pack_texts(), now, ["cn", "house"]
    )
    portfolio = generate_portfolio(count, day, seed=5)
    importing.import_loans(app.uow_factory, importing.record_rows(portfolio.loans), now)
    strategies.load_strategy(app.uow_factory, STRATEGY, "benchmark", now, activate=True)
    run_cycle(app.uow_factory, day, lambda: now)
    # 10:30 in Shanghai on the day: inside every pack's contact hours
    return datetime.combine(day, clock_time(10, 30), tzinfo=ZoneInfo("Asia/Shanghai"))


def _serve_smsc(addresses: Any, done: Any, counts: Any) -> None:
    from tests.support.smpp_server import LoopbackSmsc

    with LoopbackSmsc(receipt_delay_seconds=0.01) as smsc:
        addresses.put((smsc.host, smsc.port))
        done.wait()
        counts.put(len(smsc.delivered))


class _SmscProcess:
    """The loopback SMSC in a process of its own, so that it does not share the
    dispatcher's interpreter lock: what is timed is the dispatcher's side."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.addresses, self.counts = context.Queue(), context.Queue()
        self.done = context.Event()
        self.process = context.Process(
            target=_serve_smsc, args=(self.addresses, self.done, self.counts), daemon=True
        )
        self.process.start()
        self.host, self.port = self.addresses.get(timeout=30)

    def stop(self) -> int:
        """Messages the SMSC delivered."""
        time.sleep(0.5)  # the last submits reach it
        self.done.set()
        delivered = int(self.counts.get(timeout=30))
        self.process.join(timeout=10)
        return delivered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="print where the time went")
    args = parser.parse_args()

    settings = load_settings(f"sqlite:///{tempfile.mkdtemp()}/dispatch.db")
    # no rate limit of our own: measure what the path can do (a provider contract sets it)
    unlimited = settings.sms.model_copy(update={"rate_per_second": 1_000_000.0})
    app = App(settings.model_copy(update={"sms": unlimited}))
    app.init()
    with collector_paused():
        moment = build(app, args.messages)
    with app.engine.connect() as connection:
        queued = connection.execute(text("SELECT COUNT(*) FROM message")).scalar()
    ticks = [0]

    def clock() -> datetime:
        ticks[0] += 1
        return moment.astimezone(UTC) + timedelta(microseconds=ticks[0])

    smsc = _SmscProcess()
    adapter = SmppAdapter(smsc.host, smsc.port, system_id="arrears", password="secret",
                          deduplicates=True)  # fmt: skip
    dispatcher = build_dispatcher(
        app, adapters={"sms": adapter}, channels=["sms"], clock=clock, seed=1
    )
    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    with collector_paused():
        report = dispatcher.run_once()
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    adapter.close()
    delivered = smsc.stop()
    sent = sum(report.sent.values())
    print(f"database: {app.engine.dialect.name}; messages in the outbox: {queued}")
    print(f"dispatched {sent} texts in {seconds:.2f} s: {sent / seconds:,.0f} messages/s "
          f"(target ≥ 500/s sustained); delivered by the SMSC: {delivered}")  # fmt: skip
    print(f"blocked {report.blocked}, deferred {report.deferred}, failed {report.failed}, "
          f"retried {report.retried}")  # fmt: skip
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
