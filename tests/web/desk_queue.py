"""A call queue for the desk's tests, made the real way: a strategy that calls every late
loan each day, and the daily cycle run on a day the fixture's loans are overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from arrears.entrypoints.bootstrap import App
from arrears.services import strategies
from arrears.services.cycle import run_cycle

DAY = date(2026, 11, 27)  # a Friday; L1 and L2 are months overdue
AFTERNOON = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
NIGHT = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
CALLS = """
name: desk-test
description: a call every day a loan is late
segments:
  - name: late
    when: {dpd: {min: 1}}
    steps:
      - {days: {from: 1, every: 1}, action: call, priority: 50}
"""
PHONES = {"B1": "+8613812345678", "B2": "+8613987654321"}


def open_call_queue(app: App, day: date = DAY) -> None:
    """Give the borrowers numbers and run the cycle on ``day``: one call item per loan."""
    with app.engine.begin() as connection:
        for borrower_id, phone in PHONES.items():
            connection.execute(
                text("UPDATE borrower SET phone = :p, timezone = 'Asia/Shanghai'"
                     " WHERE borrower_id = :b"),
                {"p": phone, "b": borrower_id},
            )  # fmt: skip
    clock = datetime(day.year, day.month, day.day, tzinfo=UTC)
    strategies.load_strategy(app.uow_factory, CALLS, "tester", clock, activate=True)
    run_cycle(app.uow_factory, day, lambda: clock)
