"""A rule of a policy pack: an id from the reference, a check that enforces it, the check's
parameters, and where the rule comes from.

A check is a pure function of the scenario and its parameters. It returns ``None`` when
the rule does not stand in the way, or a ``Block`` saying why — and, when waiting lifts
it (contact hours, a quiet period, a hold with an end), the first moment it no longer
blocks. Checks run in phases, in the order the reference gives: holds, then consent and
opt-outs, then time and place, then frequency, then content.

>>> from datetime import UTC, datetime
>>> Block("from 21:00 local time", until=datetime(2025, 6, 3, 15, 0, tzinfo=UTC)).lifts
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from arrears.domain.compliance.facts import Scenario


class Phase(IntEnum):
    """Evaluation order (reference: "global holds → consent and opt-outs → time and place
    → frequency counters → content checks")."""

    HOLDS = 1
    CONSENT = 2
    TIME = 3
    FREQUENCY = 4
    CONTENT = 5


class Confidence(StrEnum):
    """How sure the reference is of a rule: primary text read, secondary source, widely
    known, uncertain (configurable, and said so in the pack)."""

    PRIMARY = "P"
    SECONDARY = "S"
    KNOWN = "K"
    UNCERTAIN = "U"


@dataclass(frozen=True, slots=True)
class Block:
    """Why a rule stands in the way of a proposed contact; ``until`` is the first moment
    it no longer does (None: waiting does not lift it)."""

    reason: str
    until: datetime | None = None

    @property
    def lifts(self) -> bool:
        return self.until is not None


CheckFunction = Callable[[Scenario, Any], Block | None]


@dataclass(frozen=True, slots=True)
class Check:
    """A kind of check a pack's rule may name, with the type of its parameters (a frozen
    dataclass whose fields are the YAML ``params``; defaults are the reference's values)."""

    name: str
    phase: Phase
    params: type
    run: CheckFunction
    says: str  # one line for `compliance show`


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a pack, ready to run."""

    id: str
    check: Check
    params: Any
    says: str
    source: str
    confidence: Confidence
    pack: str
    enforce: bool = True  # False: evaluated and reported as a note, never blocks

    def run(self, scenario: Scenario) -> Block | None:
        return self.check.run(scenario, self.params)


@dataclass(frozen=True, slots=True)
class Pack:
    """A versioned set of rules for one regime (or the lender's house limits)."""

    name: str
    version: int
    title: str
    zone: str  # the zone assumed when nothing about the person gives one
    rules: tuple[Rule, ...]
