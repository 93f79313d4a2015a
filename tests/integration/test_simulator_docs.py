"""The worked examples of docs/simulator.md are what the code does."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from arrears.adapters.behaviour_files import parse_behaviour, shipped_behaviour_text
from arrears.domain.behaviour import new_population
from arrears.domain.behaviour_day import Accounts, chances

PAGE = (Path(__file__).resolve().parents[2] / "docs/simulator.md").read_text(encoding="utf-8")


def block(marker: str) -> str:
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```\w+\n(.*?)```", PAGE, re.S)
    assert match, f"no example {marker!r} in simulator.md"
    return match.group(1)


def test_the_page_shows_the_shipped_behaviour_file_as_it_is():
    assert block("behaviour shipped") == shipped_behaviour_text()


def test_the_hard_times_file_loads_and_keeps_the_defaults_it_leaves_out():
    params, findings = parse_behaviour(block("behaviour hard-times"))
    assert findings == []
    assert params is not None
    assert (params.drift.shock_per_day, params.paying.overdue_per_day) == (0.003, 0.02)
    assert params.paying.on_due == 0.97 and params.talking.answer == 0.55


def test_the_worked_example_chances():
    params, _ = parse_behaviour(block("behaviour hard-times"))
    assert params is not None
    people = new_population(params, np.array(["late", "late"]), np.random.default_rng(1))
    people.ability[:], people.willingness[:] = 0.6, 0.5
    people.boost[:] = [5.0, 1.0]  # reached by a call yesterday; not
    book = Accounts.of(borrower=[0, 1], dpd=[45, 45], owed_minor=[80_000, 80_000])
    on_due, in_arrears = chances(params, people, book)
    assert [round(float(c), 6) for c in on_due] == [0.485, 0.485]
    assert [round(float(c), 6) for c in in_arrears] == [0.015, 0.003]


def test_the_bad_file_of_the_page_gives_the_finding_it_shows():
    shown = re.search(r"the behaviour file: (line 5, .*)", PAGE)
    assert shown
    text = "start:\n  ability: {}\n  willingness: {}\npaying:\n  on_due: 2\n"
    _, findings = parse_behaviour(text)
    assert [str(f) for f in findings] == [shown.group(1)]
