"""Wiring the simulator: a fresh synthetic lender in a database, the real cycle, gate
and dry-run channels, the simulated team, and the behaviour file.

``arrears simulate`` and ``arrears demo`` both come through here (docs/simulator.md).
The lender is built as a lender's data would arrive: products, the region's policy
packs and arrangement policy, the strategies (a champion and, on a share of loans,
a challenger), then the loan file and its payment history up to the day before the
simulation starts, imported through the ordinary import.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from arrears.adapters.behaviour_files import parse_behaviour, shipped_behaviour_text
from arrears.adapters.letters import render_letter_text
from arrears.adapters.product_files import parse_products
from arrears.domain.behaviour import BehaviourParams
from arrears.entrypoints.batch.memory import collector_paused
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.channels import arrangement_effects, build_dispatcher
from arrears.services import arrangement_policies, compliance, importing, products, strategies
from arrears.services.cycle import CycleOptions
from arrears.services.errors import InvalidInput
from arrears.services.importing import record_rows
from arrears.services.simulated_team import Team
from arrears.services.simulation import Simulation, SimulationOptions
from arrears.services.synthetic_loans import REPEAT_BORROWER_SHARE
from arrears.services.synthetic_portfolio import Portfolio, generate_portfolio

ZONES = {"cn": "Asia/Shanghai", "us": "America/New_York"}
STRATEGIES = {"cn": "cn-consumer", "us": "us-consumer"}
CHALLENGERS = {"cn": "cn-consumer-digital", "us": "us-consumer-digital"}
ARRANGEMENT_POLICIES = {"cn": "cn-standard", "us": "us-standard"}
PACKS = {"cn": ["cn", "house"], "us": ["us-regf", "house"]}
STOP_WORDS = {"cn": "退订", "us": "STOP"}
AUTHOR = "simulator"


@dataclass(frozen=True, slots=True)
class SimulatorSetup:
    borrowers: int
    days: int
    seed: int
    region: str = "cn"
    strategy_text: str | None = None  # None: the region's shipped strategy
    challenger_text: str | None = None  # None: no challenger
    share_percent: Decimal = Decimal(20)
    behaviour_text: str | None = None  # None: the shipped behaviour file
    end: date | None = None  # the last simulated day; None: yesterday in the lender's zone


def shipped_challenger(region: str) -> str:
    folder = files("arrears").joinpath("strategies", "challengers")
    return folder.joinpath(f"{CHALLENGERS[region]}.yaml").read_text(encoding="utf-8")


def behaviour_params(text: str | None) -> BehaviourParams:
    params, findings = parse_behaviour(text if text is not None else shipped_behaviour_text())
    if params is None:
        raise InvalidInput("the behaviour file: " + "; ".join(str(f) for f in findings))
    return params


def loans_for(borrowers: int) -> int:
    """Loans to draw for about ``borrowers`` borrowers (a few take a second loan)."""
    return max(1, math.ceil(borrowers / (1 - REPEAT_BORROWER_SHARE)))


class Clock:
    """Simulated time: a local hour of a simulated day, as a UTC moment; the channels'
    clock reads the day being sent, a little later with every reading."""

    def __init__(self, zone: str):
        self.zone = ZoneInfo(zone)
        self.day = date.min
        self.ticks = 0

    def at(self, day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=self.zone).astimezone(UTC)

    def __call__(self) -> datetime:
        self.ticks += 1
        return self.at(self.day, 10) + timedelta(milliseconds=self.ticks)


@dataclass(slots=True)
class Lender:
    app: App
    portfolio: Portfolio
    start: date
    clock: Clock


def build_lender(
    app: App, setup: SimulatorSetup, progress: Callable[[str, int], Any] | None = None
) -> Lender:
    """A fresh lender in ``app``'s (migrated, empty) database, ready to simulate."""
    zone = ZONES[setup.region]
    end = setup.end or datetime.now(ZoneInfo(zone)).date() - timedelta(days=1)
    start = end - timedelta(days=setup.days)
    clock = Clock(zone)
    now = clock.at(start, 6)
    _load_rules(app, setup, now)
    portfolio = generate_portfolio(
        loans_for(setup.borrowers), start - timedelta(days=1), seed=setup.seed,
        region=setup.region,
    )  # fmt: skip
    with collector_paused():
        importing.import_loans(
            app.uow_factory,
            record_rows(portfolio.loans),
            now,
            progress=_bar(progress, "import loans", len(portfolio.loans)),
        )
        importing.import_payments(app.uow_factory, record_rows(portfolio.payments), now,
                                  progress=_bar(progress, "import payments",
                                                len(portfolio.payments)))  # fmt: skip
    return Lender(app, portfolio, start, clock)


def _bar(progress: Callable[[str, int], Any] | None, label: str, total: int) -> Any:
    return progress(label, total) if progress is not None else None


def _load_rules(app: App, setup: SimulatorSetup, now: datetime) -> None:
    text = files("arrears.entrypoints.cli").joinpath("demo_products.toml").read_text("utf-8")
    models, _ = parse_products(text)
    products.load_products(app.uow_factory, models, now)
    arrangement_policies.load_shipped_policies(
        app.uow_factory, now, ARRANGEMENT_POLICIES[setup.region]
    )
    compliance.load_shipped_packs(
        app.uow_factory, compliance.shipped_pack_texts(), now, PACKS[setup.region]
    )
    strategies.load_default_strategies(app.uow_factory, now, STRATEGIES[setup.region])
    if setup.strategy_text is None and setup.challenger_text is None:
        return
    champion = (
        setup.strategy_text
        or strategies.default_strategy_texts()[f"{STRATEGIES[setup.region]}.yaml"]
    )
    if setup.challenger_text is not None:
        name, _ = strategies.load_strategy(app.uow_factory, setup.challenger_text, AUTHOR, now)
        champion = with_challenger(champion, name, setup.share_percent)
    strategies.load_strategy(app.uow_factory, champion, AUTHOR, now, activate=True)


def with_challenger(text: str, challenger: str, share_percent: Decimal) -> str:
    """The champion's file naming ``challenger`` on ``share_percent`` of loans."""
    data = yaml.safe_load(text)
    if isinstance(data, dict) and "challenger" in data:
        raise InvalidInput(
            f"the strategy file already names a challenger ({data['challenger']}):"
            " leave out --challenger, or the challenger in the file"
        )
    return f"{text.rstrip()}\n\nchallenger:\n  strategy: {challenger}\n  share_percent: {share_percent}\n"


def simulate(
    lender: Lender, setup: SimulatorSetup, progress: Callable[[int], None] | None = None
) -> Simulation:
    """Run the simulation over the lender's book; returns it, days done."""
    app, clock = lender.app, lender.clock
    zone = ZONES[setup.region]
    params = behaviour_params(setup.behaviour_text)
    dispatcher = build_dispatcher(app, clock=clock, seed=setup.seed, render=render_letter_text)

    def send(day: date) -> None:
        clock.day = day  # the day's messages go out that morning
        dispatcher.run_once()

    with app.uow() as uow:
        phones = uow.simulation.phones()
        active = strategies.active_strategies(uow)
    team = Team(app.uow_factory, params, clock.at, phones, STOP_WORDS[setup.region],
                arrangement_effects(app.settings, render_letter_text))  # fmt: skip
    share = active.share_percent if active is not None else Decimal(0)
    options = SimulationOptions(
        lender.start, setup.days, setup.seed, share, CycleOptions(timezone=zone)
    )
    with collector_paused():
        simulation = Simulation(app.uow_factory, params, lender.portfolio.behaviour_of, options,
                                send, team, clock.at)  # fmt: skip
        for _ in simulation.run(progress):
            pass
    return simulation
