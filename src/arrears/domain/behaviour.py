"""How simulated borrowers behave: latent ability and willingness to pay, and their
answers to reminders, calls, visits and offers, one day at a time for a whole book.

The simulator (services.simulation) runs a synthetic lender through the real daily
cycle, gate and channels; this module is the only place where borrowers "decide".
Everything is columnar (numpy arrays, one element per borrower or per loan), so a
day of 100,000 borrowers is a few dozen array operations, and everything is drawn
from one ``numpy.random.Generator`` in a fixed order, so a seed gives the same
simulation every time. The parameters (``BehaviourParams``) live in one documented
file, ``src/arrears/simulation/behaviour.yaml`` (docs/simulator.md).

The model, in words:

- Each borrower has an **ability** (can pay, 0–1) and a **willingness** (wants to
  pay, 0–1), drawn from how they repaid before the simulation starts. Ability
  drifts: an income shock now and then, then a slow recovery toward where it was.
- A due date is **forgotten** unless a reminder came in the last few days.
- Aware borrowers pay on the due day with a chance that grows with ability and
  willingness; in arrears they pay with a daily chance that fades with DPD and
  jumps after a contact (a reached call or a visit far more than a text).
- Reached on a call or visit, a borrower may **promise** (kept as ability allows),
  ask for a **plan**, plead **hardship**, **dispute**, or **refuse**.
- Contacted more often than they tolerate in a week, borrowers lose willingness and
  **complain**; some **opt out** of texts; some **change numbers** and become
  unreachable.

>>> import numpy as np
>>> params = default_params()
>>> rng = np.random.default_rng(7)
>>> people = new_population(params, np.array(["on_time", "defaulting"]), rng)
>>> bool(people.ability[0] > people.ability[1])
True
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from enum import IntEnum
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]
Span = tuple[float, float]  # a uniform draw between the two
CHANNELS = ("sms", "email", "letter", "call", "field_visit")
_FORBID: dict[str, Any] = {"extra": "forbid"}  # read by pydantic when the file is loaded


@dataclass(frozen=True, slots=True)
class Start:
    """Ability and willingness on the first day, by how the borrower repaid before
    (the synthetic book's behaviours: on_time, late, partial, defaulting, early_payoff)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID
    ability: dict[str, Span]
    willingness: dict[str, Span]


@dataclass(frozen=True, slots=True)
class Drift:
    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID
    shock_per_day: float = 0.001  # chance of an income shock (job loss, illness) a day
    shock_size: Span = (0.3, 0.6)  # ability lost in a shock
    recovery_per_day: float = 0.01  # share of the gap to the starting ability regained a day
    willingness_recovery_per_day: float = 0.005


@dataclass(frozen=True, slots=True)
class Paying:
    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID
    forget_due: float = 0.25  # chance a due date is missed without a recent reminder
    memory_days: int = 4  # a reminder this many days before keeps the date in mind
    on_due: float = 0.97  # chance an aware, able and willing borrower pays on the day
    # ... times (ability + willingness - this), clipped to 0-1: most who can and mean to
    # pay pay on time; the weak on either side often do not
    on_due_threshold: float = 0.6
    overdue_per_day: float = 0.04  # daily chance to pay arrears, at full ability and will
    dpd_half_life_days: float = 45.0  # that chance halves every so many days past due
    response: dict[str, float] = field(
        default_factory=lambda: {
            "sms": 0.8,
            "email": 0.3,
            "letter": 0.6,
            "call": 4.0,
            "field_visit": 6.0,
        }
    )  # fmt: skip  — added to 1 and multiplied in, the day after a contact
    full_share: float = 0.6  # of those who pay arrears, the share who pay all of it
    part_share: Span = (0.3, 0.8)  # the others pay this share, in whole units


@dataclass(frozen=True, slots=True)
class Talking:
    """What happens on a call or a visit, and after an offer."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID
    answer: float = 0.55  # chance a reachable borrower answers, at full willingness
    visit_found: float = 0.5  # chance a field visit finds the borrower in
    pay_now: float = 0.15  # reached and able: pays at once (counted next morning)
    promise: float = 0.45  # reached and not paying at once: promises
    promise_days: tuple[int, int] = (1, 7)  # promised date, days ahead
    keep_promise: float = 0.9  # chance to keep, times ability
    ask_plan: float = 0.25  # reached, ability under 0.5: asks for a repayment plan
    plan_offer_uptake: float = 0.04  # a plan offer received: asks for a plan
    keep_plan: float = 0.9  # chance to keep a plan, times ability
    refuse: float = 0.15  # reached: refuses to pay, times (1 - willingness)
    dispute: float = 0.01  # reached: disputes the debt
    hardship: float = 0.05  # reached, ability under 0.3: asks for a hardship pause


@dataclass(frozen=True, slots=True)
class Leaving:
    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID
    opt_out_per_sms: float = 0.002  # a text received: replies STOP / 退订
    number_change_per_day: float = 0.0005  # changes number: unreachable by phone from then
    tolerated_contacts_per_week: float = 5.0
    complaint_per_extra_contact: float = 0.03  # a contact beyond the tolerance: complains
    fatigue_per_extra_contact: float = 0.02  # willingness lost per contact beyond it


@dataclass(frozen=True, slots=True)
class Team:
    """The simulated agent team: how many calls and visits a day it can make."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID
    agents: int = 8
    calls_per_agent: int = 60
    field_agents: int = 2
    visits_per_agent: int = 6


@dataclass(frozen=True, slots=True)
class BehaviourParams:
    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID
    start: Start
    drift: Drift = Drift()
    paying: Paying = Paying()
    talking: Talking = Talking()
    leaving: Leaving = Leaving()
    team: Team = Team()


def default_params() -> BehaviourParams:
    """The parameters of the shipped file, for tests and doctests (the file is the truth)."""
    spans = {"on_time": (0.8, 1.0), "early_payoff": (0.85, 1.0), "late": (0.5, 0.8),
             "partial": (0.35, 0.6), "defaulting": (0.0, 0.3)}  # fmt: skip
    return BehaviourParams(Start(spans, spans))


def param_problems(params: BehaviourParams) -> list[tuple[tuple[str, ...], str]]:
    """Values out of range, as (path, problem): chances outside 0–1, spans low > high,
    negative counts. The file loader turns them into findings at their lines.

    >>> param_problems(BehaviourParams(Start({"late": (0.9, 0.2)}, {}), Drift(shock_per_day=2)))
    [(('start', 'ability', 'late'), 'the low end 0.9 is above the high end 0.2'), \
(('drift', 'shock_per_day'), 'must be between 0 and 1, got 2')]
    """
    problems: list[tuple[tuple[str, ...], str]] = []
    _walk(params, (), problems)
    return problems


# Counts, days and multipliers may exceed 1; every other number is a chance.
_NOT_CHANCES = {"dpd_half_life_days", "tolerated_contacts_per_week", "memory_days",
                "promise_days", "response", "team"}  # fmt: skip


def _walk(value: Any, path: tuple[str, ...], problems: list[tuple[tuple[str, ...], str]]) -> None:
    if is_dataclass(value):
        for f in fields(value):
            _walk(getattr(value, f.name), (*path, f.name), problems)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, (*path, str(key)), problems)
    elif isinstance(value, tuple):
        low, high = value
        if low > high:
            problems.append((path, f"the low end {low:g} is above the high end {high:g}"))
        for number in value:
            _check_number(number, path, problems)
    else:
        _check_number(value, path, problems)


def _check_number(
    number: float, path: tuple[str, ...], problems: list[tuple[tuple[str, ...], str]]
) -> None:
    chance = not _NOT_CHANCES & set(path)
    if number < 0 or (chance and number > 1):
        problems.append(
            (path, f"must be {'between 0 and 1' if chance else '0 or more'}, got {number:g}")
        )


# -- the population ---------------------------------------------------------------------------
class Reply(IntEnum):
    """What came of a call or a visit (recorded as the contact attempt's outcome)."""

    NO_ANSWER = 0
    UNREACHABLE = 1  # the number is out of service / nobody at the address
    REACHED = 2
    PROMISE = 3
    REFUSED = 4
    PLAN = 5  # asks for a repayment plan
    HARDSHIP = 6  # asks for a hardship pause
    DISPUTE = 7
    PAYS_NOW = 8


@dataclass(slots=True)
class Population:
    """The latent state of every borrower (arrays indexed by borrower)."""

    base_ability: Floats
    ability: Floats
    willingness: Floats
    aware_until: Ints  # the last day a reminder keeps due dates in mind
    boost: Floats  # today's multiplier on paying, from yesterday's contacts
    week_contacts: Floats  # contacts in about the last week (decays by 1/7 a day)
    reachable: Bools
    opted_out: Bools
    disputed: Bools
    complaints: Ints

    @property
    def size(self) -> int:
        return len(self.ability)


def _draw(rng: np.random.Generator, spans: dict[str, Span], kinds: NDArray[Any]) -> Floats:
    low = np.array([spans.get(str(k), (0.5, 0.5))[0] for k in kinds], dtype=np.float64)
    high = np.array([spans.get(str(k), (0.5, 0.5))[1] for k in kinds], dtype=np.float64)
    return low + (high - low) * rng.random(len(kinds))


def new_population(
    params: BehaviourParams, kinds: NDArray[Any], rng: np.random.Generator
) -> Population:
    """Borrowers whose earlier repayment was ``kinds`` (one behaviour name each)."""
    ability = _draw(rng, params.start.ability, kinds)
    willingness = _draw(rng, params.start.willingness, kinds)
    size = len(kinds)
    return Population(
        ability.copy(), ability, willingness, np.full(size, -1, dtype=np.int64),
        np.ones(size), np.zeros(size), np.ones(size, dtype=np.bool_),
        np.zeros(size, dtype=np.bool_), np.zeros(size, dtype=np.bool_),
        np.zeros(size, dtype=np.int64),
    )  # fmt: skip


# -- one day ----------------------------------------------------------------------------------
def drift(params: BehaviourParams, people: Population, rng: np.random.Generator) -> None:
    """Income shocks and recoveries; willingness creeps back; numbers change."""
    d = params.drift
    shocked = rng.random(people.size) < d.shock_per_day
    sizes = rng.uniform(d.shock_size[0], d.shock_size[1], people.size)
    people.ability += d.recovery_per_day * (people.base_ability - people.ability)
    people.ability[shocked] *= 1 - sizes[shocked]
    people.willingness += d.willingness_recovery_per_day * (1 - people.willingness)
    changed = rng.random(people.size) < params.leaving.number_change_per_day
    people.reachable &= ~changed


@dataclass(frozen=True, slots=True)
class Reactions:
    """What contacts received made borrowers do (masks by borrower)."""

    complained: Bools
    opted_out: Bools
    asks_plan: Bools


def receive(
    params: BehaviourParams,
    people: Population,
    received: dict[str, Ints],
    offers: Ints,
    day: int,
    rng: np.random.Generator,
) -> Reactions:
    """Contacts that reached each borrower today (counts per channel, by borrower) and
    plan offers among them: reminders keep due dates in mind, the next day's chance
    to pay rises, too many contacts wear willingness down and bring complaints."""
    leaving = params.leaving
    total = sum(received.values(), np.zeros(people.size, dtype=np.int64))
    boost = np.ones(people.size)
    for channel, counts in received.items():
        boost += params.paying.response.get(channel, 0.0) * np.minimum(counts, 1)
    people.boost = boost
    people.aware_until = np.where(total > 0, day + params.paying.memory_days, people.aware_until)
    people.week_contacts = people.week_contacts * (6 / 7) + total
    extra = np.clip(people.week_contacts - leaving.tolerated_contacts_per_week, 0, None)
    extra = np.minimum(extra, total)  # only today's contacts can be the ones too many
    people.willingness = np.clip(
        people.willingness - leaving.fatigue_per_extra_contact * extra, 0, 1
    )
    complained = rng.random(people.size) < 1 - (1 - leaving.complaint_per_extra_contact) ** extra
    people.complaints += complained
    texts = received.get("sms", np.zeros(people.size, dtype=np.int64))
    opted = (texts > 0) & ~people.opted_out & (rng.random(people.size) < leaving.opt_out_per_sms)
    people.opted_out |= opted
    asks = (offers > 0) & (rng.random(people.size) < params.talking.plan_offer_uptake)
    return Reactions(complained, opted, asks)
