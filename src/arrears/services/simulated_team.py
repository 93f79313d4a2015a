"""The simulated lender's people: an agent team that works the day's call and visit
queues up to its capacity, and a manager who approves the plans and pauses that wait
for one. Everything they do goes through the real services: contacts under their
permits (services.agent_work), promises (services.promises), arrangements
(services.arrangements), flags and STOP replies. What borrowers answer comes from
the behaviour model (domain.behaviour_day.converse).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
from numpy.random import Generator

from arrears.domain.arrangement_quotes import ArrangementRequest
from arrears.domain.behaviour import BehaviourParams, Bools, Ints, Population, Reactions, Reply
from arrears.domain.behaviour_day import converse, keeps
from arrears.domain.contacts import Outcome
from arrears.domain.money import format_major
from arrears.services import arrangements, contacts, promises, replies
from arrears.services.agent_work import Worked, open_work, record_work
from arrears.services.arrangement_decisions import NO_EFFECTS
from arrears.services.arrangement_effects import Effects
from arrears.services.errors import ArrearsError
from arrears.services.ports import UnitOfWork

if TYPE_CHECKING:
    from arrears.services.simulation import Book, Morning

_CALL_OUTCOMES = {
    Reply.NO_ANSWER: Outcome.NO_ANSWER, Reply.UNREACHABLE: Outcome.DISCONNECTED,
    Reply.REACHED: Outcome.REACHED, Reply.PROMISE: Outcome.PROMISE_TO_PAY,
    Reply.REFUSED: Outcome.REFUSED, Reply.PLAN: Outcome.REACHED,
    Reply.HARDSHIP: Outcome.HARDSHIP, Reply.DISPUTE: Outcome.DISPUTE,
    Reply.PAYS_NOW: Outcome.REACHED,
}  # fmt: skip
_NOTES = {Reply.PLAN: "asks for a repayment plan", Reply.PAYS_NOW: "will pay today"}
_MISSED = (Reply.NO_ANSWER, Reply.UNREACHABLE)
WORK_HOURS = (10, 17)  # calls and visits are spread over these local hours
MANAGER = "sim.manager"


@dataclass(slots=True)
class TeamDay:
    """What the team did on a day."""

    day: date
    outcomes: Counter[str] = field(default_factory=Counter)  # by channel:outcome
    refused_permits: int = 0
    promises: int = 0
    talked: dict[str, Ints] = field(default_factory=dict)  # by borrower, per channel


def _request(asked: str, dpd: int, day: date) -> tuple[str, ArrangementRequest]:
    """What the agent offers a borrower who asks for help: a pause for hardship; for a
    plan, a settlement at a tenth off when long past due, a ten-day extension when
    barely late, else three monthly instalments with half the 罚息 waived."""
    if asked == "pause":
        return "pause", ArrangementRequest(days=30)
    if dpd > 60:
        return "settlement", ArrangementRequest(
            discount_percent=Decimal(10), first_date=day + timedelta(days=7)
        )
    if dpd < 15:
        return "extension", ArrangementRequest(days=10, fee_major=Decimal(20))
    return "plan", ArrangementRequest(
        instalments=3, first_date=day + timedelta(days=5), waive_penalty_percent=Decimal(50)
    )


@dataclass(slots=True)
class Team:
    uow_factory: Callable[[], UnitOfWork]
    params: BehaviourParams
    clock: Callable[[date, int], datetime]  # the UTC moment of a local hour on a day
    phones: dict[str, str]
    stop_word: str = "退订"
    effects: Effects = NO_EFFECTS
    keepers: dict[str, bool] = field(default_factory=dict)  # arrangement id → keeps it
    requests: list[tuple[int, str]] = field(default_factory=list)  # (loan index, kind)
    asked: Counter[str] = field(default_factory=Counter)  # arrangements asked for, by kind
    made: Counter[str] = field(default_factory=Counter)
    opt_outs: int = 0

    # -- mornings --------------------------------------------------------------------------
    def react(self, day: date, reactions: Reactions, book: Book) -> None:
        """Borrowers who opted out text STOP; plan offers taken up become requests."""
        at = self.clock(day, 8)
        texts = [
            (self.phones[book.borrower_ids[who]], self.stop_word, at)
            for who in np.flatnonzero(reactions.opted_out).tolist()
            if book.borrower_ids[who] in self.phones
        ]
        if texts:
            replies.record_replies(self.uow_factory, texts, at)
            self.opt_outs += len(texts)
        first_loan = {who: i for i, who in reversed(list(enumerate(book.borrower.tolist())))}
        for who in np.flatnonzero(reactions.asks_plan).tolist():
            if who in first_loan:
                self.requests.append((first_loan[who], "plan"))

    def make_arrangements(
        self, day: date, morning: Morning, book: Book, people: Population, rng: Generator
    ) -> None:
        """The day's requests, quoted and made as the borrower asked (a manager approves
        what waits for one); whether the borrower will keep it is drawn now."""
        requests, self.requests = self.requests, []
        for loan, kind in requests:
            if morning.owed_minor[loan] <= 0 and kind == "plan":
                continue  # nothing past due to spread
            kind, request = _request(kind, int(morning.dpd[loan]), day)
            self.asked[kind] += 1
            made = self._make(book.loan_ids[loan], kind, request, day)
            if made is not None:
                chance = self.params.talking.keep_plan
                self.keepers[made] = bool(keeps(chance, people, book.borrower[[loan]], rng)[0])

    def _make(self, loan_id: str, kind: str, request: ArrangementRequest, day: date) -> str | None:
        now = self.clock(day, 7)
        try:
            view = arrangements.create_arrangement(
                self.uow_factory, loan_id, kind, request, day, now, source="simulator",
                created_by="sim.agent", effects=self.effects,
            )  # fmt: skip
            record = view.record
            if record.status == "pending":
                record = arrangements.approve_arrangement(
                    self.uow_factory, record.arrangement_id, MANAGER, "manager", day, now,
                    effects=self.effects,
                )  # fmt: skip
        except ArrearsError:
            return None  # one in force already, beyond the yearly limit, nothing owed…
        self.made[kind] += 1
        return record.arrangement_id

    def plan_today(self, day: date, book: Book) -> tuple[Ints, Bools]:
        """Per loan: what its arrangement's instalments due today ask, and whether its
        borrower keeps the arrangement in force."""
        with self.uow_factory() as uow:
            dues = uow.simulation.plan_dues(day)
            in_force = uow.simulation.arrangements_in_force()
        index = {loan: i for i, loan in enumerate(book.loan_ids)}
        plan_due = np.zeros(book.size, dtype=np.int64)
        keeper = np.zeros(book.size, dtype=np.bool_)
        for loan, owed in dues.items():
            plan_due[index[loan]] = max(owed, 0)
        for arrangement_id, loan in in_force:
            keeper[index[loan]] |= self.keepers.get(arrangement_id, False)
        return plan_due, keeper

    # -- the working day --------------------------------------------------------------------
    def work_day(
        self, day: date, morning: Morning, people: Population, book: Book, rng: Generator
    ) -> TeamDay:
        """The day's calls and visits, as many as the team can make, in queue order."""
        team = self.params.team
        items = open_work(self.uow_factory, "agent", day, team.agents * team.calls_per_agent)
        items += open_work(
            self.uow_factory, "field", day, team.field_agents * team.visits_per_agent
        )
        done = TeamDay(day, talked={c: np.zeros(len(book.borrower_ids), dtype=np.int64)
                                    for c in ("call", "field_visit")})  # fmt: skip
        if not items:
            return done
        index = {loan: i for i, loan in enumerate(book.loan_ids)}
        loans = np.array([index[item.loan_id] for item in items], dtype=np.int64)
        visits = np.array([item.channel == "field_visit" for item in items])
        who = book.borrower[loans]
        answers = converse(self.params, people, who, visits, rng)
        start, end = (self.clock(day, hour) for hour in WORK_HOURS)
        step = (end - start) / len(items)
        worked = []
        for k, (item, reply) in enumerate(zip(items, answers.tolist(), strict=True)):
            code = Reply(reply)
            outcome = _CALL_OUTCOMES[code]
            if item.channel == "field_visit" and code in _MISSED:
                outcome = Outcome.NOT_HOME
            agent = f"sim.{'field' if visits[k] else 'agent'}{k % max(team.agents, 1) + 1:02d}"
            worked.append(Worked(item, agent, start + k * step, outcome, _NOTES.get(code)))
            done.outcomes[f"{item.channel}:{outcome}"] += 1
        _recorded, refused = record_work(self.uow_factory, worked, end)
        done.refused_permits = len(refused)
        refused_ids = {item.work_item_id for item, _ in refused}
        carried = np.array([item.work_item_id not in refused_ids for item in items])
        for channel in ("call", "field_visit"):
            reached = carried & (visits == (channel == "field_visit"))
            reached &= ~np.isin(answers, list(_MISSED))
            np.add.at(done.talked[channel], who[reached], 1)
        self._after_talks(day, morning, people, book, rng, loans[carried], answers[carried], done)
        return done

    def _after_talks(
        self, day: date, morning: Morning, people: Population, book: Book, rng: Generator,
        loans: Ints, answers: Ints, done: TeamDay,
    ) -> None:  # fmt: skip
        """Promises recorded (and whether they will be kept), payments promised for
        tomorrow, plans and pauses asked for tomorrow morning, disputes flagged."""
        now = self.clock(day, WORK_HOURS[1])
        talking = self.params.talking
        promised = loans[(answers == Reply.PROMISE) & (morning.owed_minor[loans] > 0)]
        kept = keeps(talking.keep_promise, people, book.borrower[promised], rng)
        ahead = rng.integers(talking.promise_days[0], talking.promise_days[1] + 1, len(promised))
        owed = [int(morning.owed_minor[loan]) for loan in promised.tolist()]
        due = [day + timedelta(days=days) for days in ahead.tolist()]
        requests = [
            promises.PromiseRequest(
                book.loan_ids[loan],
                Decimal(format_major(minor, book.currency)),
                by,
                promise_id=f"sim:{day}:{book.loan_ids[loan]}",
                arm="challenger" if book.challenger[loan] else "champion",
            )
            for loan, minor, by in zip(promised.tolist(), owed, due, strict=True)
        ]
        # one transaction; a promise the service refuses (one already open…) is not made
        added = promises.add_promises(
            self.uow_factory, requests, day, now, source="simulator", skip_invalid=True
        )
        for loan, will_keep, minor, by, promise_id in zip(
            promised.tolist(), kept.tolist(), owed, due, added.ids, strict=True
        ):
            if promise_id is None:
                continue
            done.promises += 1
            if will_keep:
                book.planned_day[loan], book.planned_minor[loan] = by.toordinal(), minor
        for loan in loans[answers == Reply.PAYS_NOW].tolist():
            book.planned_day[loan] = (day + timedelta(days=1)).toordinal()
            book.planned_minor[loan] = morning.owed_minor[loan]
        self.requests += [(loan, "plan") for loan in loans[answers == Reply.PLAN].tolist()]
        self.requests += [(loan, "pause") for loan in loans[answers == Reply.HARDSHIP].tolist()]
        for loan in loans[answers == Reply.DISPUTE].tolist():
            contacts.set_flag(self.uow_factory, book.borrower_ids[book.borrower[loan]], "dispute",
                              now, note="disputed on a call (simulated)")  # fmt: skip
