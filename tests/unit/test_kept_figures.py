"""services.kept_figures: kept figures answer at once; a new edition or "fresh" computes
them now; old ones are computed again behind the reader, once per key at a time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from arrears.services.kept_figures import KeptFigures

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


class World:
    def __init__(self) -> None:
        self.now = T0
        self.edition = 1
        self.computed: list[str] = []
        self.gate = threading.Event()
        self.gate.set()

    def compute(self, key: str) -> str:
        self.gate.wait(5)
        self.computed.append(key)
        return f"{key}#{len(self.computed)}"

    def figures(self, **options: object) -> KeptFigures[str, str]:
        return KeptFigures(self.compute, lambda: self.edition, lambda: self.now, **options)  # type: ignore[arg-type]


def test_kept_figures_answer_without_computing_again() -> None:
    world = World()
    figures = world.figures()
    first = figures.get("all")
    assert (first.value, first.computed_at) == ("all#1", T0)
    assert figures.get("all") is first
    assert figures.get("cn").value == "cn#2"  # another key: its own figures
    assert world.computed == ["all", "cn"]


def test_a_new_edition_computes_now_and_fresh_computes_now() -> None:
    world = World()
    figures = world.figures()
    figures.get("all")
    world.edition = 2  # the cycle ran another day
    assert figures.get("all").value == "all#2"
    assert figures.get("all", fresh=True).value == "all#3"


def test_old_figures_answer_at_once_and_are_computed_again_behind() -> None:
    world = World()
    figures = world.figures(max_age=timedelta(minutes=1))
    figures.get("all")
    world.now = T0 + timedelta(minutes=2)
    world.gate.clear()  # the computation behind waits until we let it go
    old = figures.get("all")
    assert old.value == "all#1"  # answered with the old figures, not waiting
    assert figures.get("all").value == "all#1"  # a second reader: no second refresh started
    world.gate.set()
    for _ in range(100):
        if figures.get("all").value != "all#1":
            break
        threading.Event().wait(0.02)
    renewed = figures.get("all")
    assert (renewed.value, renewed.computed_at) == ("all#2", world.now)
    assert world.computed == ["all", "all"]


def test_only_so_many_keys_are_kept() -> None:
    world = World()
    figures = world.figures(keys_kept=2)
    for key in ("a", "b", "c"):
        figures.get(key)
    figures.get("a")  # dropped as the oldest: computed again
    assert world.computed == ["a", "b", "c", "a"]


def test_readers_at_once_share_one_computation() -> None:
    world = World()
    figures = world.figures()
    world.gate.clear()
    answers: list[str] = []
    readers = [threading.Thread(target=lambda: answers.append(figures.get("all").value))
               for _ in range(4)]  # fmt: skip
    for reader in readers:
        reader.start()
    world.gate.set()
    for reader in readers:
        reader.join(5)
    assert answers == ["all#1"] * 4
    assert world.computed == ["all"]
