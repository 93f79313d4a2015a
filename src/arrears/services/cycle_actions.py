"""The day's actions: each candidate loan's facts → the strategy's steps → the gate → stored.

Candidates are the loans a step could fire for today (late, due today or soon,
or holding a promise); the rest of the portfolio is not read. Facts are built in
columnar batches from the status rows, promises and contact roll-ups; the pure
strategy (``domain.strategy.plan``) picks the steps; every proposed action passes
the gate, and its decision is stored before the action that points at it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from arrears.domain.actions import ActionRow, PlannedAction
from arrears.domain.calendar import day_number
from arrears.domain.compliance.facts import Person, loan_file_person
from arrears.domain.compliance.zones import remember_number_zones
from arrears.domain.gate import ContactProposal, Gate
from arrears.domain.strategy import (
    AccountFacts,
    ActionKind,
    ArrangementState,
    PlannedStep,
    PromiseState,
    Strategy,
    plan,
)
from arrears.services.ports import UnitOfWork
from arrears.services.strategies import ActiveStrategies, active_strategies

# Earliest moment an action may happen on its day, in the borrower's zone: the gate
# (contact hours per policy pack) may defer it further.
DAY_STARTS_AT = time(8, 0)


def plan_actions(
    uow: UnitOfWork, day: date, now: datetime, gate: Gate, default_zone: str
) -> dict[str, dict[str, int]]:
    """Plan, gate and store the day's actions; returns channel → status → count."""
    active = active_strategies(uow)
    if active is None:
        return {}
    number = day_number(day)
    promises = {loan_id: (state, due) for loan_id, state, due in uow.contacts.promise_facts(day)}
    arranged = uow.cycle.arrangement_facts(day)
    due_days = [number - offset for offset in _offsets_before_due(active)]
    zone = ZoneInfo(default_zone)
    rows = uow.cycle.strategy_candidates(due_days, sorted(set(promises) | set(arranged)))
    proposals: list[tuple[ContactProposal, tuple[Any, ...]]] = []
    for row in rows:
        facts = _with_arrangement(_facts(row, day, promises, zone), arranged, day)
        arm, stored = active.for_loan(facts.loan_id)
        steps = _plan(stored.strategy, facts)
        if not steps:
            continue  # most candidates: the gate needs no person for them
        recipient = _recipient(row)
        for step in steps:
            proposal = ContactProposal(
                facts.loan_id, row[1], day, step.step_id, str(step.action),
                _start_of(day, row[11] or default_zone), product=facts.product,
                purpose="reminder" if facts.dpd == 0 and facts.offset_days <= 0 else "collection",
                recipient=recipient, flags=row[23],
            )  # fmt: skip
            context = (step.template, stored.name, stored.version, step.segment, str(arm),
                       step.priority, facts.overdue_minor)  # fmt: skip
            proposals.append((proposal, context))
    decisions = gate.decide([p for p, _ in proposals])
    uow.actions.store(
        [
            ActionRow(PlannedAction(p.as_of, p.loan_id, p.borrower_id, p.step, p.channel,
                                    *context, p.earliest_at), d)
            for (p, context), d in zip(proposals, decisions, strict=True)
        ],
        now,
    )  # fmt: skip
    return uow.actions.counts(day)


def _recipient(row: Any) -> Person | None:
    """The borrower as the loan file has them, for the gate; None when they hold a
    compliance profile (holds, consents, opt-outs…), which the gate reads itself."""
    borrower_id, zone = row[1], row[11]
    name, phone, email, language, has_profile, placed = row[17:23]
    if placed is not None:  # the number's zones, as placed on an earlier day
        remember_number_zones({phone: placed})
    if has_profile:
        return None
    return loan_file_person(borrower_id, name, phone, email, zone, language)


def _plan(strategy: Strategy, facts: AccountFacts) -> list[PlannedStep]:
    return [step for step in plan(strategy, facts) if step.action is not ActionKind.NONE]


def _offsets_before_due(active: ActiveStrategies) -> set[int]:
    """The offsets up to the due date itself (≤ 0) at which any step of the champion or
    challenger fires: a loan not yet late is a candidate only on those days."""
    strategies = [active.champion.strategy]
    if active.challenger is not None:
        strategies.append(active.challenger.strategy)
    offsets: set[int] = set()
    for strategy in strategies:
        for segment in strategy.segments:
            for step in segment.steps:
                days = step.days
                if days is None or days.first > 0:
                    continue
                last = 0 if days.last is None else min(days.last, 0)
                offsets.update(range(days.first, last + 1, days.every))
    return offsets


def _facts(
    row: Any, day: date, promises: Mapping[str, tuple[str, date]], zone: ZoneInfo
) -> AccountFacts:
    (loan_id, _borrower, product, currency, bucket, dpd, open_due_day, next_due_day, overdue,
     outstanding, _slot, _zone, reached_at, unreached, lost, refused, flags) = row[:17]  # fmt: skip
    number = day_number(day)
    # "Reached within N days" counts the portfolio's days, not UTC's.
    reached_on = reached_at.astimezone(zone).date() if reached_at else None
    anchor = open_due_day if open_due_day is not None else next_due_day
    promise_state, promise_due = promises.get(loan_id, (None, None))
    return AccountFacts(
        loan_id=loan_id,
        product=product,
        currency=currency,
        bucket=bucket,
        dpd=dpd,
        offset_days=number - anchor if anchor is not None else 0,
        days_to_next_due=next_due_day - number if next_due_day is not None else None,
        overdue_minor=int(overdue),
        outstanding_principal_minor=int(outstanding),
        flags=flags,
        days_since_reached=(day - reached_on).days if reached_on else None,
        unreached_attempts=int(unreached),
        lost_contact=bool(lost),
        refused_to_pay=bool(refused),
        promise=PromiseState(promise_state) if promise_state else PromiseState.NONE,
        promise_due_in_days=(promise_due - day).days if promise_due else None,
    )


def _with_arrangement(
    facts: AccountFacts, arranged: Mapping[str, tuple[str, str, date | None]], day: date
) -> AccountFacts:
    found = arranged.get(facts.loan_id)
    if found is None:
        return facts
    state, kind, next_due = found
    return replace(
        facts,
        arrangement=ArrangementState(state),
        arrangement_kind=kind,
        arrangement_due_in_days=(next_due - day).days if next_due else None,
    )


@lru_cache(maxsize=4096)
def _start_of(day: date, zone: str) -> datetime:
    """The day's first contact moment in the borrower's zone (an unknown zone: UTC+8)."""
    try:
        tz: Any = ZoneInfo(zone)
    except (KeyError, ValueError):
        tz = ZoneInfo("Asia/Shanghai")
    return datetime.combine(day, DAY_STARTS_AT, tzinfo=tz)


def actions_of_day(
    uow_factory: Callable[[], UnitOfWork],
    day: date | None,
    channel: str | None,
    limit: int | None = None,
) -> tuple[date | None, list[dict[str, Any]]]:
    """A day's actions (default: the cycle's last day) in work-queue order: priority,
    then amount overdue. Calls form the agents' queue."""
    with uow_factory() as uow:
        day = day or uow.cycle.last_day()
        if day is None:
            return None, []
        return day, uow.actions.listing(day, channel, limit)
