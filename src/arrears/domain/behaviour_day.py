"""A simulated day's payments and conversations, decided for a whole book at once.

``pay`` says what every loan's borrower pays today; ``converse`` what came of each
call or visit the agent team made. Both read the latent state (domain.behaviour)
and draw from the simulation's one generator, so a seed repeats a run exactly.

Amounts are integer minor units throughout; a part payment is a share of what is
owed rounded down to whole units of the currency (borrowers pay 300 yuan, not
312.47), and never less than one unit.

>>> import numpy as np
>>> from arrears.domain.behaviour import default_params, new_population
>>> params, rng = default_params(), np.random.default_rng(1)
>>> people = new_population(params, np.array(["on_time"] * 1000), rng)
>>> people.aware_until[:] = 10  # reminded: the due date is in mind
>>> book = Accounts.of(borrower=range(1000), due_today_minor=[50000] * 1000)
>>> paid = pay(params, people, book, day=10, rng=rng)
>>> sorted(set(paid.tolist())), bool(800 < (paid > 0).sum() < 1000)  # most pay on the day
([0, 50000], True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from arrears.domain.behaviour import BehaviourParams, Bools, Floats, Ints, Population, Reply


@dataclass(frozen=True, slots=True)
class Accounts:
    """What each loan asks of its borrower today (arrays indexed by loan)."""

    borrower: Ints  # the borrower's index in the population
    dpd: Ints
    owed_minor: Ints  # past due: principal, interest, 罚息 and fees, less credit held
    due_today_minor: Ints  # the instalment falling due today, if one does
    planned_minor: Ints  # a payment the borrower settled on for today (a promise kept…)
    plan_due_minor: Ints  # an arrangement instalment due today, unpaid
    plan_keeper: Bools  # the borrower keeps the arrangement in force
    unit_minor: int = 100  # a whole yuan or dollar

    @classmethod
    def of(cls, **columns: Sequence[int] | Sequence[bool] | range) -> Accounts:
        """Accounts from plain lists; columns not given are zero (for tests)."""
        size = len(next(iter(columns.values())))

        def column(name: str, kind: type) -> Any:
            return np.array(columns.get(name, [0] * size), dtype=kind)

        return cls(
            column("borrower", np.int64), column("dpd", np.int64), column("owed_minor", np.int64),
            column("due_today_minor", np.int64), column("planned_minor", np.int64),
            column("plan_due_minor", np.int64), column("plan_keeper", np.bool_),
        )  # fmt: skip


def pay(
    params: BehaviourParams, people: Population, book: Accounts, day: int, rng: np.random.Generator
) -> Ints:
    """What each loan's borrower pays today (0: nothing).

    In order: a payment settled on before (a promise being kept) is made; a keeper
    pays the arrangement's instalment; a borrower under an arrangement they will
    not keep pays nothing more; otherwise an aware borrower may pay the instalment
    falling due (with any arrears), and one in arrears may pay all or part of them.
    """
    p = params.paying
    who = book.borrower
    on_due_chance, hazard = chances(params, people, book)
    draws = rng.random((3, len(who)))
    aware = (people.aware_until[who] >= day) | (draws[0] >= p.forget_due)
    on_due = aware & (draws[1] < on_due_chance)
    in_arrears = (book.owed_minor > 0) & (draws[1] < hazard)
    full = draws[2] < p.full_share
    share = rng.uniform(p.part_share[0], p.part_share[1], len(who))
    unit = book.unit_minor
    part = np.maximum((book.owed_minor * share // unit) * unit, unit)
    everything = book.owed_minor + book.due_today_minor
    amount = np.where(
        book.due_today_minor > 0,
        np.where(on_due, everything, np.where(in_arrears & full, book.owed_minor, 0)),
        np.where(in_arrears, np.where(full, book.owed_minor, np.minimum(part, book.owed_minor)), 0),
    )
    # keepers pay the arrangement's instalments and nothing else; breakers nothing on its days
    arranged = book.plan_keeper | (book.plan_due_minor > 0)
    amount = np.where(arranged, np.where(book.plan_keeper, book.plan_due_minor, 0), amount)
    return np.where(book.planned_minor > 0, book.planned_minor, amount).astype(np.int64)


def chances(params: BehaviourParams, people: Population, book: Accounts) -> tuple[Floats, Floats]:
    """Per loan: the chance its borrower pays the instalment falling due today if the
    date is in mind, and the chance they pay arrears today.

    - on the due day: ``on_due × (ability + willingness − on_due_threshold)``, the
      second factor clipped to 0–1;
    - in arrears: ``overdue_per_day × ability × willingness × boost × ½^(DPD / half
      life)``, where ``boost`` is 1 plus the response of each channel that reached the
      borrower yesterday.

    >>> import numpy as np
    >>> from arrears.domain.behaviour import default_params, new_population
    >>> people = new_population(default_params(), np.array(["late"]), np.random.default_rng(1))
    >>> people.ability[:], people.willingness[:], people.boost[:] = 0.6, 0.5, 5.0
    >>> book = Accounts.of(borrower=[0], dpd=[45], owed_minor=[80000])
    >>> [round(float(c[0]), 6) for c in chances(default_params(), people, book)]
    [0.485, 0.03]
    """
    p = params.paying
    who = book.borrower
    ability, willingness = people.ability[who], people.willingness[who]
    means = np.clip(ability + willingness - p.on_due_threshold, 0, 1)
    fading = 0.5 ** (book.dpd / p.dpd_half_life_days)
    hazard = p.overdue_per_day * ability * willingness * people.boost[who] * fading
    return p.on_due * means, hazard


def converse(
    params: BehaviourParams,
    people: Population,
    borrowers: Ints,
    visits: Bools,
    rng: np.random.Generator,
) -> Ints:
    """What came of each call (``visits`` False) or field visit to ``borrowers``: a
    ``Reply`` code each. A changed number cannot be reached by phone; a visit finds
    the borrower in or not. Whoever is reached may dispute, plead hardship, ask for
    a plan, refuse, pay at once, promise, or just listen."""
    t = params.talking
    ability, willingness = people.ability[borrowers], people.willingness[borrowers]
    draws = rng.random((8, len(borrowers)))
    answered = np.where(
        visits,
        draws[0] < t.visit_found,
        people.reachable[borrowers] & (draws[0] < t.answer * (0.3 + 0.7 * willingness)),
    )
    reply = np.full(len(borrowers), Reply.REACHED, dtype=np.int64)
    choices = [  # the first that holds wins, so they are undone in reverse
        (Reply.PROMISE, draws[7] < t.promise),
        (Reply.PAYS_NOW, draws[6] < t.pay_now * ability),
        (Reply.REFUSED, draws[5] < t.refuse * (1 - willingness)),
        (Reply.PLAN, (ability < 0.5) & (draws[4] < t.ask_plan)),
        (Reply.HARDSHIP, (ability < 0.3) & (draws[3] < t.hardship)),
        (Reply.DISPUTE, draws[2] < t.dispute),
    ]
    for code, holds in choices:
        reply = np.where(holds, code, reply)
    missed = np.where(visits | people.reachable[borrowers], Reply.NO_ANSWER, Reply.UNREACHABLE)
    reply = np.where(answered, reply, missed)
    people.disputed[borrowers[reply == Reply.DISPUTE]] = True
    return reply.astype(np.int64)


def keeps(chance: float, people: Population, borrowers: Ints, rng: np.random.Generator) -> Bools:
    """Whether each borrower will keep what they just agreed (a promise, a plan): a
    chance that grows with their ability."""
    return rng.random(len(borrowers)) < chance * people.ability[borrowers]
