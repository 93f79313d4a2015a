""" "Next account" under load: agents claiming at the same moment, each through their own
connection, never get the same item, and every item is claimed exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import text

from arrears.domain.access import User, UserRole
from arrears.entrypoints.bootstrap import App
from arrears.services import desk, importing, strategies
from arrears.services.cycle import run_cycle
from tests.integration.test_cycle_actions import loan
from tests.integration.test_cycle_differential import rows
from tests.web.desk_queue import AFTERNOON, CALLS, DAY

ITEMS, AGENTS, CLAIMS_EACH = 100, 8, 25  # twice as many claims as items


def a_full_queue(app: App) -> None:
    clock = datetime(2026, 11, 1, tzinfo=UTC)
    strategies.load_strategy(app.uow_factory, CALLS, "tester", clock, activate=True)
    records = [loan(f"L{n:03d}") for n in range(ITEMS)]
    assert importing.import_loans(app.uow_factory, rows(records), clock).clean
    run_cycle(app.uow_factory, DAY, lambda: clock)


def test_parallel_claims_give_every_item_to_exactly_one_agent(app: App) -> None:
    a_full_queue(app)
    start = threading.Barrier(AGENTS)
    got: dict[str, list[int | None]] = {}
    failures: list[BaseException] = []

    def work(name: str) -> None:
        agent = User(0, name, UserRole.AGENT)
        mine: list[int | None] = []
        try:
            start.wait()
            for _ in range(CLAIMS_EACH):
                line = desk.claim_next(app.uow_factory, agent, DAY, AFTERNOON)
                mine.append(None if line is None else line.work_item_id)
        except BaseException as error:  # reported below, with the thread's name
            failures.append(error)
        got[name] = mine

    threads = [threading.Thread(target=work, args=(f"agent{n}",)) for n in range(AGENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    claims = [item for mine in got.values() for item in mine if item is not None]
    assert len(claims) == ITEMS
    assert [item for item, times in Counter(claims).items() if times > 1] == []
    with app.engine.connect() as connection:
        stored = dict(
            connection.execute(text("SELECT work_item_id, assigned_to FROM work_item")).all()
        )
    assert sorted(claims) == sorted(stored)
    # each item is held by the agent who was given it
    assert all(stored[item] == name for name, mine in got.items() for item in mine if item)
    assert sum(1 for mine in got.values() for item in mine if item is None) == (
        AGENTS * CLAIMS_EACH - ITEMS
    )
