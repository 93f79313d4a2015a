"""How an arrangement changes a loan's instalments during the replay (``loan_state``).

Every kind works by taking amounts out of instalments (*parts*: an origin
instalment, a component, an amount) and owing them again elsewhere: on carried
instalments of a plan, extension or settlement, or capitalised into the new
principal of a re-age. What it took is remembered, so that breaking or
cancelling it gives back exactly what is still unpaid to the instalments it came
from (the latest first: what was paid under the arrangement paid the oldest).
Waivers and capitalisation "pay" components without cash: the journal posts
them from the ``WAIVED`` account or into principal.

The replay calls ``_start_arrangement`` at the end of the day an arrangement
takes effect, ``_check_breaks`` at the start of each day, and
``_settle_arrangements`` at the end of each day (kept, settlement waiver,
cancellations, pause ends).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from arrears.domain.allocation import Component
from arrears.domain.arrangement_parts import (
    InForce,
    Part,
    Postings,
    fit,
    held_by_component,
    outcome_of,
    postings_of,
    scaled,
)
from arrears.domain.arrangement_policy import ArrangementKind
from arrears.domain.arrangements import (
    SEQ_BLOCK,
    ArrangementOutcome,
    ArrangementStatus,
    ArrangementTerms,
)
from arrears.domain.dues import Due
from arrears.domain.money import round_ratio
from arrears.domain.schedule import RepaymentMethod, build_schedule

if TYPE_CHECKING:
    from arrears.domain.terms import LoanTerms, ProductRules


class ArrangementSteps:
    """The arrangement moments of the replay (mixed into ``loan_state._Replay``)."""

    terms: LoanTerms
    rules: ProductRules
    dues: list[Due]
    grace: timedelta
    credit: int
    recognised_interest: int
    method: RepaymentMethod
    annual_rate_percent: Decimal
    period_floor: date
    starting: dict[date, list[ArrangementTerms]]
    in_force: list[InForce]
    pauses: list[list[date]]
    accruing: list[Due]

    # the replay's own moments, which the host (``loan_state._Replay``) provides
    def _when(self, day: date) -> None:
        raise NotImplementedError

    def _add_due(self, due: Due, today: date) -> None:
        raise NotImplementedError

    def _redate(self, due: Due, new_date: date, today: date) -> None:
        raise NotImplementedError

    def _outstanding_principal(self) -> int:
        raise NotImplementedError

    def _accrue_penalty_through(self, day: date) -> None:
        raise NotImplementedError

    def _plan_arrangements(self, arrangements: tuple[ArrangementTerms, ...]) -> None:
        for terms in sorted(arrangements, key=lambda a: (a.starts_on, a.number)):
            self.starting.setdefault(terms.starts_on, []).append(terms)
            self._arrangement_day(terms.starts_on)
            if terms.cancelled_on is not None:
                self._arrangement_day(max(terms.cancelled_on, terms.starts_on))

    def _arrangement_day(self, day: date) -> None:
        self._when(day)

    # -- start ---------------------------------------------------------------------
    def _start_arrangement(self, terms: ArrangementTerms, day: date) -> None:
        active = InForce(terms)
        self.in_force.append(active)
        kind = terms.kind
        if kind is ArrangementKind.PLAN:
            covered = self._fallen_open()
            self._waive_penalty(active, covered, terms.penalty_waiver_minor)
            parts = self._take(covered)
            self._carry(
                active, parts, [(i.due_date, i.amount_minor) for i in terms.instalments], day
            )
        elif kind is ArrangementKind.EXTENSION:
            self._extend(active, day)
        elif kind is ArrangementKind.SETTLEMENT:
            self._start_settlement(active, day)
        elif kind is ArrangementKind.REAGE:
            self._start_reage(active, day)
        elif kind is ArrangementKind.PAUSE:
            self._start_pause(active, day)
        for due in active.checked:
            self._arrangement_day(due.due_date + self.grace + timedelta(days=1))
        # nothing left to pay under it: kept at the day's end (unless cancelled that day)

    def _fallen_open(self) -> list[Due]:
        return [d for d in self.dues if d.fallen_due and d.unpaid_total() > 0]

    def _future_regular(self) -> list[Due]:
        return [d for d in self.dues if not d.fallen_due and not d.carried and not d.replaced]

    def _replace(self, active: InForce, due: Due) -> list[Part]:
        """Empty an instalment not yet due into ``active``: its principal joins the pool,
        its interest (not yet earned) is dropped until the arrangement is undone."""
        parts = self._take([due], (Component.PRINCIPAL,))
        if due.unpaid(Component.INTEREST) > 0:
            active.dropped.append((due, due.unpaid(Component.INTEREST)))
            due.owe(Component.INTEREST, -due.unpaid(Component.INTEREST))
        due.replaced = True
        active.replaced.append(due)
        return parts

    def _waive_penalty(self, active: InForce, covered: list[Due], amount: int) -> None:
        """Waive up to ``amount`` of 罚息, oldest instalment first."""
        for due in covered:
            take = min(amount, due.unpaid(Component.PENALTY))
            if take > 0:
                due.pay(Component.PENALTY, take)
                active.waived.append((due, take))
                amount -= take

    def _take(self, dues: list[Due], components: tuple[Component, ...] | None = None) -> list[Part]:
        """Take the unpaid components out of ``dues`` (oldest first, waterfall order)."""
        order = components or self.rules.waterfall.order
        parts = []
        for due in dues:
            for component in order:
                amount = due.unpaid(component)
                if amount > 0:
                    due.owe(component, -amount)
                    parts.append(Part(due, component, amount))
        return parts

    def _carry(
        self, active: InForce, parts: list[Part], planned: list[tuple[date, int]], day: date
    ) -> None:
        """Owe ``parts`` again on carried instalments of the planned dates and amounts."""
        amounts = fit([amount for _, amount in planned], sum(p.amount for p in parts))
        queue = list(parts)
        number = active.terms.number
        for k, ((due_date, _), amount) in enumerate(zip(planned, amounts, strict=True), 1):
            if amount == 0:
                active.zero_instalments.append((due_date, k))
                continue
            due = Due(number * SEQ_BLOCK + k, due_date, 0, 0, carried=True, arrangement=number)
            left = amount
            while left > 0 and queue:
                part = queue[0]
                take = min(left, part.amount)
                if take < part.amount:  # split the part at the instalment's edge
                    queue[0] = Part(part.origin, part.component, part.amount - take)
                    part = Part(part.origin, part.component, take)
                else:
                    queue.pop(0)
                due.owe(part.component, part.amount)
                active.slices.append((due, part))
                left -= take
            active.dues.append(due)
            active.amounts[due.seq] = amount
            self._add_due(due, day)
        active.held = queue  # what no instalment carries (a settlement's remainder)
        active.checked = list(active.dues)

    def _extend(self, active: InForce, day: date) -> None:
        terms = active.terms
        target = next(
            (d for d in self.dues if d.seq == terms.extend_seq and d.unpaid_total() > 0), None
        )
        if target is None:
            return
        new_date = target.due_date + timedelta(days=terms.extend_days)
        if target.fallen_due:
            parts = self._take([target])
            self._carry(active, parts, [(new_date, sum(p.amount for p in parts))], day)
        else:
            active.redated.append((target, target.due_date))
            self._redate(target, new_date, day)
            active.dues = [target]
            active.checked = [target]
            active.amounts[target.seq] = target.unpaid_total()
        if active.dues and terms.fee_minor > 0:
            active.fee_due, active.fee = active.dues[0], terms.fee_minor
            active.fee_due.owe(Component.FEE, terms.fee_minor)
            active.amounts[active.fee_due.seq] += terms.fee_minor

    def _start_settlement(self, active: InForce, day: date) -> None:
        covered = self._fallen_open()
        parts = self._take(covered)
        for due in self._future_regular():
            parts += self._replace(active, due)
        planned = [(i.due_date, i.amount_minor) for i in active.terms.instalments]
        total = sum(p.amount for p in parts)
        accepted = min(sum(a for _, a in planned), total)
        carried_total = 0
        carried: list[Part] = []
        for part in parts:  # the accepted amount is carried; the rest held until waived
            take = min(part.amount, accepted - carried_total)
            if take > 0:
                carried.append(Part(part.origin, part.component, take))
                carried_total += take
            if part.amount > take:
                active.held.append(Part(part.origin, part.component, part.amount - take))
        held = active.held
        self._carry(active, carried, scaled(planned, accepted), day)
        active.held = held

    def _start_reage(self, active: InForce, day: date) -> None:
        terms = active.terms
        reage = terms.reage
        assert reage is not None
        covered = self._fallen_open()
        self._waive_penalty(active, covered, terms.penalty_waiver_minor)
        for due in covered:  # unpaid interest, 罚息 and fees become principal
            for component in (Component.INTEREST, Component.PENALTY, Component.FEE):
                amount = due.unpaid(component)
                if amount > 0:
                    due.pay(component, amount)
                    active.pool.append(Part(due, component, amount, capitalised=True))
        active.pool += self._take(covered, (Component.PRINCIPAL,))
        for due in self._future_regular():
            active.pool += self._replace(active, due)
        principal = sum(p.amount for p in active.pool)
        if principal <= 0:
            return
        schedule = build_schedule(
            reage.method, principal, reage.annual_rate_percent, reage.term_months,
            self.terms.rounding, day, reage.first_due_date,
        )  # fmt: skip
        for installment in schedule:
            due = Due(
                terms.number * SEQ_BLOCK + installment.seq, installment.due_date,
                installment.principal_minor, installment.interest_minor,
                arrangement=terms.number,
            )  # fmt: skip
            active.dues.append(due)
            active.amounts[due.seq] = installment.principal_minor + installment.interest_minor
            self._add_due(due, day)
        active.checked = active.dues[: reage.probation]
        self.method, self.annual_rate_percent = reage.method, reage.annual_rate_percent
        self.period_floor = day

    def _start_pause(self, active: InForce, day: date) -> None:
        length = timedelta(days=active.terms.pause_days)
        future = self._future_regular()
        for due in future:
            active.redated.append((due, due.due_date))
            self._redate(due, due.due_date + length, day)
        if active.terms.pause_accrues_interest and future:
            extra = round_ratio(
                self._outstanding_principal() * int(self.annual_rate_percent * 10_000)
                * active.terms.pause_days,
                100 * 10_000 * self.rules.penalty_day_basis,
                self.terms.rounding,
            )  # fmt: skip
            if extra > 0:
                future[0].owe(Component.INTEREST, extra)
                active.extra_interest.append((future[0], extra))
        active.pause = (day, day + length)
        self.pauses.append([day, day + length])
        self._arrangement_day(day + length)

    # -- the daily checks ------------------------------------------------------------
    def _check_breaks(self, day: date) -> None:
        """At the start of ``day``: an instalment whose grace ended yesterday unpaid breaks."""
        for active in self.in_force:
            if active.status is not ArrangementStatus.ACTIVE:
                continue
            cancelled = active.terms.cancelled_on
            if cancelled is not None and cancelled <= day:
                continue  # cancelled that day: undone at its end, never broken
            late = any(
                d.due_date + self.grace < day and d.unpaid_total() > self.rules.tolerance_minor
                for d in active.checked
            )
            if late:
                self._restore(active, day, cancelled=False)
                self._end(active, ArrangementStatus.BROKEN, day)

    def _settle_arrangements(self, day: date) -> None:
        """At the end of ``day``: starts, cancellations, kept arrangements, pause ends."""
        for terms in self.starting.pop(day, ()):
            self._accrue_penalty_through(day)  # it takes the loan as the day ends
            self._start_arrangement(terms, day)
        for active in self.in_force:
            if active.status is not ArrangementStatus.ACTIVE:
                continue
            if active.terms.cancelled_on is not None and active.terms.cancelled_on <= day:
                self._restore(active, day, cancelled=True)
                self._end(active, ArrangementStatus.CANCELLED, day)
            elif active.pause is not None:
                if active.pause[1] <= day:
                    self._end(active, ArrangementStatus.KEPT, day)
            elif all(
                d.fallen_due and d.unpaid_total() <= self.rules.tolerance_minor
                for d in active.checked
            ):
                if active.terms.kind is ArrangementKind.SETTLEMENT:
                    self._waive_rest(active)
                self._end(active, ArrangementStatus.KEPT, day)

    def _end(self, active: InForce, status: ArrangementStatus, day: date) -> None:
        active.status, active.ended_on = status, day

    def _waive_rest(self, active: InForce) -> None:
        """A settlement paid: what it held back, and any shortfall within the tolerance,
        is waived now (paid from the waived account)."""
        for part in active.held:
            part.origin.owe(part.component, part.amount)
            part.origin.pay(part.component, part.amount)
            active.settled[part.component] = active.settled.get(part.component, 0) + part.amount
        active.held = []
        for due in active.dues:
            for component, amount in due.unpaid_all().items():
                if amount > 0:
                    due.pay(component, amount)
                    active.settled[component] = active.settled.get(component, 0) + amount

    # -- undoing ---------------------------------------------------------------------
    def _restore(self, active: InForce, day: date, *, cancelled: bool) -> None:
        """Give back to the original instalments what is still unpaid under ``active``."""
        if active.fee_due is not None and cancelled:
            unpaid_fee = min(active.fee, active.fee_due.unpaid(Component.FEE))
            active.fee_due.owe(Component.FEE, -unpaid_fee)
            active.fee -= unpaid_fee
        for due, part in reversed(active.slices):
            give = min(part.amount, due.unpaid(part.component))
            if give > 0:
                due.owe(part.component, -give)
                self._give_back(part.origin, part.component, give)
        for part in active.held:
            self._give_back(part.origin, part.component, part.amount)
        active.held = []
        if active.pool:
            self._restore_pool(active)
        for due, amount in active.dropped:
            due.owe(Component.INTEREST, amount)
            if due.fallen_due:
                self.recognised_interest += amount
        for due in active.replaced:
            due.replaced = False
        for due, amount in active.extra_interest:
            if not due.fallen_due:
                due.owe(Component.INTEREST, -min(amount, due.unpaid(Component.INTEREST)))
        for due, original in active.redated:
            self._redate(due, original, day)
        for due, amount in active.waived:
            due.pay(Component.PENALTY, -amount)
        active.waived = []
        if active.pause is not None:
            for window in self.pauses:
                if window[0] == active.pause[0]:
                    window[1] = min(window[1], day)

    def _give_back(self, origin: Due, component: Component, amount: int) -> None:
        origin.owe(component, amount)
        if origin.fallen_due and component is Component.PRINCIPAL and origin not in self.accruing:
            self.accruing.append(origin)  # 罚息 resumes on what is owed again

    def _restore_pool(self, active: InForce) -> None:
        """A re-age undone: its principal still unpaid goes back, latest part first."""
        unpaid = 0
        for due in active.dues:
            unpaid += due.unpaid(Component.PRINCIPAL)
            due.owe(Component.PRINCIPAL, -due.unpaid(Component.PRINCIPAL))
            if not due.fallen_due:
                due.owe(Component.INTEREST, -due.unpaid(Component.INTEREST))
                due.replaced = True  # void: the original schedule stands again
        for part in reversed(active.pool):
            give = min(unpaid, part.amount)
            unpaid -= give
            if part.capitalised:
                part.origin.pay(part.component, -give)  # owed again
            else:
                self._give_back(part.origin, part.component, give)
            part.amount -= give  # what stays capitalised (paid under the re-age)
        self.method, self.annual_rate_percent = self.terms.method, self.terms.annual_rate_percent
        self.period_floor = self.terms.start_date

    # -- the read-out ------------------------------------------------------------------
    def _frozen_days(self, low: date, high: date) -> int:
        """Days in (low, high] inside a pause (no 罚息 accrues on them)."""
        frozen = 0
        for start, end in self.pauses:
            frozen += max(0, (min(high, end) - max(low, start)).days)
        return frozen

    def _paused_on(self, day: date) -> bool:
        return any(start < day <= end for start, end in self.pauses)

    def _held_minor(self) -> int:
        return sum(p.amount for a in self.in_force for p in a.held)

    def _held_by_component(self) -> dict[Component, int]:
        return held_by_component(self.in_force)

    def _arrangement_outcomes(self) -> tuple[ArrangementOutcome, ...]:
        return tuple(outcome_of(a, self.rules.tolerance_minor) for a in self.in_force)

    def _arrangement_postings(self) -> Postings:
        return postings_of(self.in_force)

    def _next_arrangement_day(self, as_of: date) -> date | None:
        """The next day an arrangement may change the loan: one starting or cancelled, an
        instalment falling due or its grace ending, a pause (every day: no 罚息, no fees)."""
        days = [d for d in self.starting if d > as_of]
        for active in self.in_force:
            if active.status is not ArrangementStatus.ACTIVE:
                continue
            if active.pause is not None:
                return as_of + timedelta(days=1)
            if active.terms.cancelled_on is not None:
                days.append(active.terms.cancelled_on)
            for due in active.checked:  # one still owing breaks it the day after its grace
                if due.unpaid_total() > self.rules.tolerance_minor:
                    check = due.due_date + self.grace + timedelta(days=1)
                    days += [due.due_date, max(check, as_of + timedelta(days=1))]
        later = [d for d in days if d > as_of]
        return min(later) if later else None
