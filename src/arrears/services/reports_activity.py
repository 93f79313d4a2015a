"""The activity reports: champion vs challenger, agents, contact intensity, gate denials
(docs/reports.md).

Contacts are outbound contact attempts: every call or visit an agent records and every
message a provider took (the dispatcher records an attempt for each), counted once.
Days of attempts are UTC days. The store groups in SQL (``uow.activity_reports``); this
module assembles the lines and computes the rates exactly.

- **arms**: per arm and currency: loans and delinquent loans (the arm the active
  strategy's split puts them in), overdue on the last cycle day, recovered in the period,
  cure (as the cure report counts it), contacts by channel and per 1,000 recovered (in
  major units of the currency), promises made and kept (arms as recorded on them);
- **agents**: per agent: attempts, conversations with the borrower and the reach rate;
  promises made on a loan the day the agent had a promise_to_pay conversation on it, and
  kept; and, per currency, the standing payments on a loan within 7 days after the agent
  reached its borrower (the payment day included, credited to every such agent);
- **intensity**: per bucket and per week, contacts per account per week: contacts made on
  loans in the bucket / loan-days in the bucket × 7 (the bucket of a day being where the
  cycle left the loan the day before);
- **denials**: the gate's denials and deferrals by rule (services.compliance).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arrears.domain.contacts import Channel
from arrears.domain.money import exponent_of
from arrears.services import compliance
from arrears.services.ports import UnitOfWork
from arrears.services.report_figures import (
    Period,
    challenger_slots,
    current_labels,
    period_of,
    ratio,
)
from arrears.services.report_ports import (
    AgentMoneyRow,
    AgentRow,
    ArmCountRow,
    ArmLoansRow,
    ArmMoneyRow,
    CureRow,
    IntensityRow,
)
from arrears.services.reports import TOTAL, bucket_order, rate_percent
from arrears.services.reports_portfolio import cure_counts

ARMS = ("champion", "challenger", "none")
CHANNELS = tuple(str(c) for c in Channel)
COLLECTED_WITHIN_DAYS = 7
DAYS_A_WEEK = 7


# -- champion vs challenger -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ArmLine:
    arm: str
    currency: str
    loans: int
    delinquent: int  # DPD > 0 on the last cycle day
    overdue_minor: int
    recovered_minor: int
    delinquent_in_period: int
    cured: int
    cure_rate_percent: Decimal | None
    contacts: dict[str, int]  # by channel, every channel
    contacts_per_1000: Decimal | None  # contacts / (recovered in major units / 1,000)
    promises: int
    kept: int
    kept_rate_percent: Decimal | None

    @property
    def all_contacts(self) -> int:
        return sum(self.contacts.values())


@dataclass(frozen=True, slots=True)
class ArmsReport:
    period: Period | None
    lines: tuple[ArmLine, ...]


def arms_report(
    uow_factory: Callable[[], UnitOfWork],
    first: date | None,
    last: date | None,
    product: str | None = None,
) -> ArmsReport:
    with uow_factory() as uow:
        period = period_of(uow, first, last)
        if period is None:
            return ArmsReport(None, ())
        slots = challenger_slots(uow)
        store = uow.activity_reports
        loans = store.arm_loans(slots, product)
        money = store.arm_money(period.first, period.last, slots, product)
        counts = store.arm_counts(period.first, period.last, product)
        cures = uow.portfolio_reports.cures(period.first, period.last, slots, product)
        current = current_labels(uow, {row.product for row in cures})
    return ArmsReport(period, arm_lines(loans, money, counts, cures, current))


def arm_lines(
    loans: Iterable[ArmLoansRow],
    money: Iterable[ArmMoneyRow],
    counts: Iterable[ArmCountRow],
    cures: Iterable[CureRow],
    current: dict[str, str],
) -> tuple[ArmLine, ...]:
    """A line per arm and currency that has anything, arms in ``ARMS`` order."""
    held = {(r.arm, r.currency): r for r in loans}
    recovered = {(r.arm, r.currency): r.recovered_minor for r in money}
    counted = {(r.arm, r.currency, r.kind): r.number for r in counts}
    by_key: defaultdict[tuple[str, str], list[CureRow]] = defaultdict(list)
    for row in cures:
        by_key[(row.arm, row.currency)].append(row)
    keys = held.keys() | recovered.keys() | {(a, c) for a, c, _ in counted} | by_key.keys()
    lines = []
    for arm, currency in sorted(keys, key=lambda k: (_arm_order(k[0]), k[1])):
        base = held.get((arm, currency), ArmLoansRow(arm, currency, 0, 0, 0))
        delinquent, cured = cure_counts(by_key[(arm, currency)], current)
        contacts = {channel: counted.get((arm, currency, channel), 0) for channel in CHANNELS}
        paid = recovered.get((arm, currency), 0)
        promises, kept = (counted.get((arm, currency, k), 0) for k in ("promises", "kept"))
        lines.append(
            ArmLine(arm, currency, base.loans, base.delinquent, base.overdue_minor, paid,
                    delinquent.total(), cured.total(),
                    rate_percent(cured.total(), delinquent.total()), contacts,
                    contacts_per_thousand(sum(contacts.values()), paid, currency),
                    promises, kept, rate_percent(kept, promises))
        )  # fmt: skip
    return tuple(lines)


def contacts_per_thousand(contacts: int, recovered_minor: int, currency: str) -> Decimal | None:
    """Contacts per 1,000 recovered in major units, two decimals; None if nothing was.

    >>> contacts_per_thousand(3, 150_000, "CNY")  # 3 contacts for 1,500.00
    Decimal('2.00')
    >>> contacts_per_thousand(1, 3_000, "JPY"), contacts_per_thousand(4, 0, "CNY")
    (Decimal('0.33'), None)
    """
    return ratio(contacts * 1000 * 10 ** exponent_of(currency), recovered_minor)


def _arm_order(arm: str) -> tuple[int, str]:
    return (ARMS.index(arm), "") if arm in ARMS else (len(ARMS), arm)


# -- agents --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AgentLine:
    agent: str
    attempts: int
    reached: int
    reach_rate_percent: Decimal | None
    promises: int
    kept: int
    kept_rate_percent: Decimal | None


@dataclass(frozen=True, slots=True)
class CollectedLine:
    agent: str
    currency: str
    collected_minor: int


@dataclass(frozen=True, slots=True)
class AgentsReport:
    period: Period | None
    lines: tuple[AgentLine, ...]
    collected: tuple[CollectedLine, ...]


def agents_report(
    uow_factory: Callable[[], UnitOfWork],
    first: date | None,
    last: date | None,
    product: str | None = None,
) -> AgentsReport:
    with uow_factory() as uow:
        period = period_of(uow, first, last)
        if period is None:
            return AgentsReport(None, (), ())
        rows = uow.activity_reports.agents(period.first, period.last, product)
        money = uow.activity_reports.agent_money(
            period.first, period.last, COLLECTED_WITHIN_DAYS, product
        )
    return AgentsReport(period, agent_lines(rows), collected_lines(money))


def agent_lines(rows: Iterable[AgentRow]) -> tuple[AgentLine, ...]:
    """By agent name, then the total.

    >>> [(l.agent, l.reach_rate_percent) for l in agent_lines([AgentRow("li", 3, 1, 1, 1)])]
    [('li', Decimal('33.3')), ('total', Decimal('33.3'))]
    """
    ordered = sorted(rows, key=lambda r: r.agent)
    total = AgentRow(TOTAL, *(sum(getattr(r, f) for r in ordered) for f in AgentRow._fields[1:]))
    return tuple(
        AgentLine(r.agent, r.attempts, r.reached, rate_percent(r.reached, r.attempts),
                  r.promises, r.kept, rate_percent(r.kept, r.promises))
        for r in (*ordered, total)
    )  # fmt: skip


def collected_lines(rows: Iterable[AgentMoneyRow]) -> tuple[CollectedLine, ...]:
    return tuple(CollectedLine(*r) for r in sorted(rows, key=lambda r: (r.agent, r.currency)))


# -- contact intensity ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IntensityLine:
    """Contacts per account per week in a bucket, over a week (or the period: ``week``
    None)."""

    week: date | None
    bucket: str
    loan_days: int
    contacts: int
    per_account_week: Decimal | None


@dataclass(frozen=True, slots=True)
class IntensityReport:
    period: Period | None
    buckets: tuple[IntensityLine, ...]  # over the whole period
    weeks: tuple[IntensityLine, ...]


def intensity_report(
    uow_factory: Callable[[], UnitOfWork],
    first: date | None,
    last: date | None,
    product: str | None = None,
) -> IntensityReport:
    with uow_factory() as uow:
        period = period_of(uow, first, last)
        if period is None:
            return IntensityReport(None, (), ())
        rows = uow.activity_reports.intensity(period.first, period.last, product)
    buckets, weeks = intensity_lines(rows)
    return IntensityReport(period, buckets, weeks)


def intensity_lines(
    rows: Iterable[IntensityRow],
) -> tuple[tuple[IntensityLine, ...], tuple[IntensityLine, ...]]:
    """Per bucket over the period, and per week and bucket.

    >>> w = date(2026, 4, 1)
    >>> buckets, _ = intensity_lines([IntensityRow(w, "M1", 14, 3)])
    >>> buckets[0].per_account_week  # 3 contacts over 14 loan-days: 1.5 a week
    Decimal('1.50')
    """
    ordered = sorted(rows, key=lambda r: (r.week, bucket_order(r.bucket)))
    loan_days: Counter[str] = Counter()
    contacts: Counter[str] = Counter()
    for row in ordered:
        loan_days[row.bucket] += row.loan_days
        contacts[row.bucket] += row.contacts
    return (
        tuple(_intensity(None, b, loan_days[b], contacts[b]) for b in sorted(loan_days | contacts, key=bucket_order)),
        tuple(_intensity(r.week, r.bucket, r.loan_days, r.contacts) for r in ordered),
    )  # fmt: skip


def _intensity(week: date | None, bucket: str, loan_days: int, contacts: int) -> IntensityLine:
    return IntensityLine(
        week, bucket, loan_days, contacts, ratio(contacts * DAYS_A_WEEK, loan_days)
    )


# -- gate denials ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DenialLine:
    """Actions of a status the gate decided under a rule (``day`` None: the period)."""

    day: date | None
    status: str
    rule: str
    channel: str | None
    actions: int
    share_percent: Decimal | None  # of every action decided in the period (or that day)


@dataclass(frozen=True, slots=True)
class DenialsReport:
    period: Period | None
    decided: int  # every action the gate decided in the period, permitted ones too
    rules: tuple[DenialLine, ...]
    days: tuple[DenialLine, ...]


def denials_report(
    uow_factory: Callable[[], UnitOfWork],
    first: date | None,
    last: date | None,
    product: str | None = None,
) -> DenialsReport:
    with uow_factory() as uow:
        period = period_of(uow, first, last)
    if period is None:
        return DenialsReport(None, 0, (), ())
    rows = compliance.decisions_by_rule(uow_factory, period.first, period.last, product=product)
    decided = sum(r.actions for r in rows)
    by_day: Counter[date] = Counter()
    for r in rows:
        by_day[r.day] += r.actions
    gated = [r for r in rows if r.status != "permitted"]
    by_rule: Counter[tuple[str, str]] = Counter()
    for r in gated:
        by_rule[(r.status, r.rule)] += r.actions
    rules = tuple(
        DenialLine(None, status, rule, None, n, rate_percent(n, decided))
        for (status, rule), n in sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))
    )
    days = tuple(
        DenialLine(r.day, r.status, r.rule, r.channel, r.actions, rate_percent(r.actions, by_day[r.day]))
        for r in gated
    )  # fmt: skip
    return DenialsReport(period, decided, rules, days)
