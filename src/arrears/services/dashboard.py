"""The manager's dashboard: the reports of docs/reports.md over one period, read together.

Nothing is computed here that a report does not already compute: each part is the
report service's own value (the CLI's ``arrears report NAME`` prints the same lines),
plus two sums over them the dashboard shows at a glance: the actions the gate decided
per channel and status, and the contacts per channel over every arm.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from arrears.services import compliance, reports, reports_activity, reports_cohorts
from arrears.services import reports_portfolio as portfolio
from arrears.services.ports import UnitOfWork
from arrears.services.report_figures import Period, book_products, period_of, require_product

STATUSES = ("permitted", "deferred", "denied")


@dataclass(frozen=True, slots=True)
class ChannelActions:
    """The actions the gate decided on a channel in the period, by its decision."""

    channel: str
    permitted: int
    deferred: int
    denied: int

    @property
    def decided(self) -> int:
        return self.permitted + self.deferred + self.denied


@dataclass(frozen=True, slots=True)
class Dashboard:
    period: Period | None  # None: the cycle never ran and no period was given
    aging: portfolio.AgingReport
    roll_rates: portfolio.RollRatesReport
    cure: portfolio.CureReport
    recovery: reports_cohorts.RecoveryReport
    arms: reports_activity.ArmsReport
    agents: reports_activity.AgentsReport
    arrangements: reports.ArrangementsReport
    denials: reports_activity.DenialsReport
    actions: tuple[ChannelActions, ...]  # by channel name
    contacts: dict[str, int]  # outbound contact attempts by channel, every arm
    products: tuple[str, ...] = ()  # the book's products, what the figures may be narrowed to


def dashboard(
    uow_factory: Callable[[], UnitOfWork],
    first: date | None,
    last: date | None,
    product: str | None = None,
) -> Dashboard:
    """Every report over ``first`` through ``last`` (a side not given: the cycle's first
    or last day; arrangements quoted on any day when neither is given), over the loans of
    ``product`` only when given."""
    with uow_factory() as uow:
        require_product(uow, product)
        products = tuple(book_products(uow))
        period = period_of(uow, first, last)
    arms = reports_activity.arms_report(uow_factory, first, last, product)
    contacts: Counter[str] = Counter({channel: 0 for channel in reports_activity.CHANNELS})
    for line in arms.lines:
        contacts.update(line.contacts)
    return Dashboard(
        period,
        portfolio.aging_report(uow_factory, first, last, product),
        portfolio.roll_rates_report(uow_factory, first, last, product),
        portfolio.cure_report(uow_factory, first, last, product),
        reports_cohorts.recovery_report(uow_factory, first, last, product),
        arms,
        reports_activity.agents_report(uow_factory, first, last, product),
        reports.arrangements_report(uow_factory, first, last, product),
        reports_activity.denials_report(uow_factory, first, last, product),
        () if period is None else channel_actions(uow_factory, period, product),
        dict(contacts),
        products,
    )


def channel_actions(
    uow_factory: Callable[[], UnitOfWork], period: Period, product: str | None = None
) -> tuple[ChannelActions, ...]:
    """The gate's decisions in the period per channel (services.compliance.decisions_by_rule,
    every status), channels by name."""
    counted: Counter[tuple[str, str]] = Counter()
    rows = compliance.decisions_by_rule(uow_factory, period.first, period.last, product=product)
    for row in rows:
        counted[(row.channel, row.status)] += row.actions
    channels = sorted({channel for channel, _ in counted})
    return tuple(
        ChannelActions(c, *(counted[(c, status)] for status in STATUSES)) for c in channels
    )
