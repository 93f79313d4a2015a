"""Stored strategies: versions by checksum, the active one, its challenger, the shipped defaults."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.domain.strategy import Arm, arm_for, arm_slot
from arrears.entrypoints.bootstrap import App
from arrears.services import strategies
from arrears.services.errors import InvalidInput, NotFound
from tests.helpers import NOW

EXAMPLE = (Path(__file__).resolve().parents[2] / "docs/examples/strategy.yaml").read_text(
    encoding="utf-8"
)

SIMPLE = """\
name: simple
segments:
  - name: m1
    when: {dpd: {min: 1, max: 30}}
    steps:
      - {days: {from: 2, every: 2}, action: call}
"""


def load(app: App, text: str, *, activate: bool = False, author: str = "wang.fang") -> int:
    _name, version = strategies.load_strategy(app.uow_factory, text, author, NOW, activate=activate)
    return version


def test_loading_the_same_text_again_keeps_the_version_and_a_change_makes_the_next(app: App):
    # given a strategy loaded once
    assert load(app, SIMPLE) == 1

    # when the same text is loaded again, then a changed one, then the same changed one
    again = load(app, SIMPLE, author="someone.else")
    changed = load(app, SIMPLE.replace("every: 2", "every: 3"))
    changed_again = load(app, SIMPLE.replace("every: 2", "every: 3"))

    # then only the change made a version, and every version is kept with its author
    assert (again, changed, changed_again) == (1, 2, 2)
    with app.uow() as uow:
        versions = uow.strategies.versions("simple")
        latest = uow.strategies.latest("simple")
    assert [(v.version, v.author) for v in versions] == [(1, "wang.fang"), (2, "wang.fang")]
    assert versions[0].source_text == SIMPLE
    assert latest is not None and "every: 3" in latest.source_text
    assert latest.loaded_at == NOW


def test_an_invalid_file_stores_nothing_and_reports_every_finding(app: App):
    bad = SIMPLE.replace("action: call", "action: smss").replace("name: m1", "name: M 1")
    with pytest.raises(strategies.InvalidStrategy) as raised:
        load(app, bad)
    assert [f.line for f in raised.value.findings] == [3, 6]
    assert raised.value.exit_code == 2
    with app.uow() as uow:
        assert uow.strategies.names() == []


def test_a_challenger_must_already_be_stored(app: App):
    # given the docs example, whose challenger is cn-consumer, on an empty store
    with pytest.raises(InvalidInput, match="challenger 'cn-consumer', which is not stored"):
        load(app, EXAMPLE)
    with app.uow() as uow:
        assert uow.strategies.names() == []


def test_nothing_is_active_until_a_strategy_is_activated(app: App):
    load(app, SIMPLE)
    with app.uow() as uow:
        assert strategies.active_strategies(uow) is None
    with pytest.raises(NotFound, match="no strategy is active"):
        strategies.show_strategy(app.uow_factory)


def test_the_active_strategy_comes_with_its_challenger_and_a_stable_split(app: App):
    # given the shipped defaults and the docs example, activated, naming cn-consumer at 10 %
    strategies.load_default_strategies(app.uow_factory, NOW, "us-consumer")
    load(app, EXAMPLE, activate=True)

    # when the cycle reads the active strategies in its unit of work
    with app.uow() as uow:
        active = strategies.active_strategies(uow)

    # then it gets both, parsed, with versions, and each loan a stable arm
    assert active is not None and active.challenger is not None
    assert (active.champion.name, active.champion.version, active.champion.active) == (
        "short-term",
        1,
        True,
    )
    assert (active.challenger.name, active.challenger.version) == ("cn-consumer", 1)
    assert active.share_percent == Decimal("10")
    assert active.champion.strategy.segments[0].name == "vulnerable"
    loans = [f"L{n}" for n in range(2000)]
    arms = [active.for_loan(loan) for loan in loans]
    for loan, (arm, stored) in zip(loans, arms, strict=True):
        assert arm is arm_for(arm_slot(loan), Decimal("10"))
        assert stored.name == ("cn-consumer" if arm is Arm.CHALLENGER else "short-term")
    assert 150 <= sum(arm is Arm.CHALLENGER for arm, _ in arms) <= 250


def test_a_new_version_of_the_active_strategy_is_what_the_cycle_reads_next(app: App):
    load(app, SIMPLE, activate=True)
    load(app, SIMPLE.replace("every: 2", "every: 3"))
    with app.uow() as uow:
        active = strategies.active_strategies(uow)
    assert active is not None and active.challenger is None
    assert active.champion.version == 2
    assert active.for_loan("L1") == (Arm.CHAMPION, active.champion)


def test_activating_another_strategy_replaces_the_active_one(app: App):
    load(app, SIMPLE, activate=True)
    strategies.load_default_strategies(app.uow_factory, NOW, "cn-consumer")
    assert strategies.activate_strategy(app.uow_factory, "us-consumer", NOW) == 1
    with app.uow() as uow:
        assert uow.strategies.active_name() == "us-consumer"
    with pytest.raises(NotFound, match="no strategy named 'nope' is stored"):
        strategies.activate_strategy(app.uow_factory, "nope", NOW)


def test_the_shipped_defaults_load_once_and_activate_only_when_nothing_is_active(app: App):
    # when init loads the defaults twice, the second time a day later
    first = strategies.load_default_strategies(app.uow_factory, NOW, "cn-consumer")
    second = strategies.load_default_strategies(
        app.uow_factory, NOW + timedelta(days=1), "us-consumer"
    )

    # then each is stored once, and the first activation stands
    assert first == second == {"cn-consumer": 1, "us-consumer": 1}
    with app.uow() as uow:
        assert uow.strategies.active_name() == "cn-consumer"
        assert [v.author for v in uow.strategies.versions("cn-consumer")] == ["arrears"]


def test_the_shipped_defaults_never_replace_a_version_a_manager_loaded(app: App):
    # given a manager's edit of cn-consumer stored as version 2
    strategies.load_default_strategies(app.uow_factory, NOW, "cn-consumer")
    shipped = strategies.default_strategy_texts()["cn-consumer.yaml"]
    assert load(app, shipped.replace("priority: 40", "priority: 45")) == 2

    # when the defaults are loaded again (another `arrears init`)
    versions = strategies.load_default_strategies(app.uow_factory, NOW, "cn-consumer")

    # then the manager's version stays the latest
    assert versions["cn-consumer"] == 2
    assert strategies.show_strategy(app.uow_factory).version == 2


def test_activating_a_default_that_does_not_exist_is_refused_and_stores_nothing(app: App):
    with pytest.raises(NotFound, match="no strategy named 'eu-consumer'"):
        strategies.load_default_strategies(app.uow_factory, NOW, "eu-consumer")
    with app.uow() as uow:
        assert uow.strategies.names() == []


def test_show_reads_any_stored_version_and_refuses_one_that_is_not(app: App):
    load(app, SIMPLE)
    load(app, SIMPLE.replace("every: 2", "every: 3"), author="li.lei")
    first = strategies.show_strategy(app.uow_factory, "simple", 1)
    latest = strategies.show_strategy(app.uow_factory, "simple")
    assert (first.version, first.author, first.active) == (1, "wang.fang", False)
    assert (latest.version, latest.author) == (2, "li.lei")
    step = latest.strategy.segments[0].steps[0]
    assert step.days is not None and step.days.every == 3
    with pytest.raises(NotFound, match="strategy simple has no version 3 \\(latest: 2\\)"):
        strategies.show_strategy(app.uow_factory, "simple", 3)


def test_list_shows_each_strategy_at_its_latest_version_and_marks_the_active(app: App):
    strategies.load_default_strategies(app.uow_factory, NOW, "us-consumer")
    load(app, SIMPLE)
    load(app, SIMPLE.replace("every: 2", "every: 3"))
    summaries = strategies.list_strategies(app.uow_factory)
    assert [(s.name, s.latest_version, s.active) for s in summaries] == [
        ("cn-consumer", 1, False),
        ("simple", 2, False),
        ("us-consumer", 1, True),
    ]


def test_an_author_longer_than_the_column_is_refused(app: App):
    with pytest.raises(InvalidInput, match="author must be 1 to 100 characters"):
        load(app, SIMPLE, author="x" * 101)
