"""Working the call queue (services.agent_work): items come in queue order, each contact
is made under its permit at the moment of the call, and a refused permit leaves the item
open with the reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import text

from arrears.domain.contacts import Outcome
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.simulator import SimulatorSetup, build_lender, simulate
from arrears.services.agent_work import Worked, open_work, record_work

IDLE_TEAM = "start: {ability: {}, willingness: {}}\nteam: {agents: 0, field_agents: 0}\n"
END = date(2026, 11, 27)  # a Friday: the house pack defers Sunday calls


def idle_lender(app: App) -> date:
    """A small simulated lender whose team made no call, so the queues stay full."""
    app.init()
    setup = SimulatorSetup(120, 4, 5, share_percent=Decimal(20), behaviour_text=IDLE_TEAM, end=END)
    simulate(build_lender(app, setup), setup)
    return END


def test_the_queue_comes_in_priority_then_overdue_order(app_factory: Callable[[], App]):
    app = app_factory()
    day = idle_lender(app)
    items = open_work(app.uow_factory, "agent", day, 1000)
    assert items, "the strategy planned no call"
    order = [(-i.priority, -i.overdue_minor, i.work_item_id) for i in items]
    assert order == sorted(order)
    assert len(open_work(app.uow_factory, "agent", day, 2)) == min(2, len(items))


def test_a_call_is_recorded_under_its_permit_and_closes_its_item(app_factory: Callable[[], App]):
    app = app_factory()
    day = idle_lender(app)
    item = open_work(app.uow_factory, "agent", day, 1)[0]
    at = app.now().replace(year=day.year, month=day.month, day=day.day, hour=6)  # 14:00 Shanghai
    recorded, refused = record_work(
        app.uow_factory, [Worked(item, "agent.li", at, Outcome.PROMISE_TO_PAY)], at
    )
    assert (recorded, refused) == (1, [])
    with app.engine.connect() as c:
        attempt = c.execute(
            text("SELECT agent, outcome, action_id, arm FROM contact_attempt WHERE action_id = :a"),
            {"a": item.action_id},
        ).one()
        status = c.execute(
            text("SELECT status, assigned_to FROM work_item WHERE work_item_id = :i"),
            {"i": item.work_item_id},
        ).one()
    assert attempt[:3] == ("agent.li", "promise_to_pay", item.action_id)
    assert attempt[3] in ("champion", "challenger")
    assert tuple(status) == ("done", "agent.li")
    assert open_work(app.uow_factory, "agent", day, 1000)[0] != item


def test_a_call_before_its_permitted_moment_is_refused_and_the_item_stays_open(
    app_factory: Callable[[], App],
):
    app = app_factory()
    day = idle_lender(app)
    item = open_work(app.uow_factory, "agent", day, 1)[0]
    night = app.now().replace(year=day.year, month=day.month, day=day.day, hour=14) - timedelta(
        days=1
    )  # 22:00 Shanghai the evening before
    recorded, refused = record_work(
        app.uow_factory, [Worked(item, "agent.li", night, Outcome.NO_ANSWER)], night
    )
    assert recorded == 0
    assert [i for i, _ in refused] == [item]
    assert "allows this from" in refused[0][1]
    assert item in open_work(app.uow_factory, "agent", day, 1000)
